//! The admin dashboard's figures: moderators and up read their own tenant's.

use crate::auth::{Caller, UserCaller};
use crate::domain::stats::{TenantStats, Windows};
use crate::error::AppResult;
use crate::policy;
use crate::state::AppState;
use crate::store;

/// The caller's tenant's figures as of now (403 below moderator).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn tenant_stats(state: &AppState, caller: &UserCaller) -> AppResult<TenantStats> {
    policy::require_moderator(&Caller::User(caller.clone()))?;
    let windows = Windows::at(chrono::Utc::now());
    Ok(store::stats::tenant_stats(&state.db, &caller.tenant_id, windows).await?)
}
