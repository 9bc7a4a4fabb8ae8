//! `GET /v1/admin/stats`: the admin dashboard's figures.

use poem::web::Data;
use poem_openapi::OpenApi;

use super::dto::admin_stats::AdminStatsDto;
use super::envelope::{single, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::admin_stats;
use crate::state::AppState;

#[derive(Default)]
pub struct AdminStatsApi;

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl AdminStatsApi {
    /// The caller's tenant at a glance: conversations by kind, messages in total, in the
    /// last 24 hours and per day for 30 days, active users, users by role and status,
    /// unread messages, open reports, tickets by status and priority and the median first
    /// response time. Moderators and up; anyone else gets 403. Message figures are read
    /// from counters kept as messages are written, so the call costs the same at any
    /// number of messages.
    #[oai(path = "/stats", method = "get", operation_id = "admin_stats")]
    async fn stats(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Single<AdminStatsDto>> {
        let stats = admin_stats::tenant_stats(&state, &auth.0).await?;
        Ok(single(AdminStatsDto::from(&stats)))
    }
}
