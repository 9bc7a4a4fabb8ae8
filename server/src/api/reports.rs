//! `/v1/chat/reports`: any user reports a message or a user to the tenant's moderators.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::reports::*;
use super::envelope::{created, Created};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::domain::Invalid;
use crate::error::AppError;
use crate::reports::{self, Target};
use crate::state::AppState;

#[derive(Default)]
pub struct ReportsApi;

#[OpenApi(prefix_path = "/v1/chat/reports", tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Report a message the caller sees, or another user of the tenant, to its moderators;
    /// exactly one of `message_id` and `user_id` (else 422). A message the caller does not
    /// see (not in its conversation, or hidden for them) and a user of another tenant are
    /// 404; reporting oneself or one's own message is 422. One open report per reporter
    /// and target: a second while the first is open is 409 `conflict`. Limited by the
    /// tenant's `rate_limits.reports` (429 `rate_limited`). The reporter is never told who
    /// resolved a report.
    #[oai(path = "/", method = "post", operation_id = "reports_create")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateReportRequest>) -> ApiResult<Created<ReportDto>> {
        let body = body.0;
        let target = match (body.message_id, body.user_id) {
            (Some(message_id), None) => Target::Message(message_id),
            (None, Some(user_id)) => Target::User(user_id),
            _ => return Err(AppError::from(Invalid::new("message_id", "name exactly one of message_id and user_id")).into()),
        };
        let report = reports::file(&state, &auth.0, target, body.reason.into(), body.note.as_deref()).await?;
        Ok(created(ReportDto::from(&report)))
    }
}
