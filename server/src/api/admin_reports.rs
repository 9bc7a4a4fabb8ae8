//! `/v1/admin/reports`: the moderation queue and its resolutions (moderators and up).

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::reports::*;
use super::envelope::{listed, single, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::reports::queue::{self, Decision};
use crate::state::AppState;

#[derive(Default)]
pub struct AdminReportsApi;

#[OpenApi(prefix_path = "/v1/admin/reports", tag = "ApiTags::Admin")]
impl AdminReportsApi {
    /// The moderation queue: every reported message or user with open reports, the one
    /// waiting longest first, with how many reports name it, their reasons, the first and
    /// last report times, and what was reported in context (a message with its author and
    /// up to two messages on each side; a user). Moderators and up; others 403.
    #[oai(path = "/", method = "get", operation_id = "admin_reports_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Targets per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ReportQueueEntryDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (entries, total) = queue::list(&state, &auth.0, page.limit(), page.offset()).await?;
        Ok(listed(entries.into_iter().map(ReportQueueEntryDto::from).collect(), page, total))
    }

    /// Resolve every open report of the target of report `id` with one action: `dismiss`;
    /// `delete_message` (the message is deleted for everyone); `suspend` (optionally
    /// `until` a time) or `ban` the reported user or the message's author, which closes
    /// their WebSockets (1008) at once. A moderator may suspend or ban only users with a
    /// weaker role than theirs (403). A report already resolved is 409. Moderators and up;
    /// others 403; another tenant's report 404. Recorded in the audit log; reporters are
    /// never told who resolved their reports.
    #[oai(path = "/:id/resolve", method = "post", operation_id = "admin_reports_resolve")]
    async fn resolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Any open report of the target.
        id: Path<String>,
        body: Json<ResolveReportRequest>,
    ) -> ApiResult<Single<ReportResolutionDto>> {
        let body = body.0;
        let decision = Decision { action: body.action.into(), until: body.until, note: body.note };
        let outcome = queue::resolve(&state, &auth.0, &id.0, decision).await?;
        Ok(single(ReportResolutionDto::from(outcome)))
    }
}
