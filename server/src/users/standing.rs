//! A user's standing as moderators set it: suspend (until a time, or until lifted), ban,
//! lift; and the admin API's change of role and permissions. The target must be strictly
//! weaker than the caller and not the caller itself (`policy::may_moderate_user`). A
//! suspension or ban closes the user's sockets on every server process; the change and its
//! audit entry land in one transaction.

use super::{apply_patch, load};
use crate::auth::Caller;
use crate::domain::{Invalid, PermissionsChange, Role, Timestamp, User, UserPatch, UserStatus};
use crate::error::AppResult;
use crate::events::Revocation;
use crate::policy;
use crate::realtime::revoke::close_sockets;
use crate::state::AppState;

/// What the admin API changes on a user; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct Moderation {
    /// Admin and up.
    pub role: Option<Role>,
    /// Admin and up.
    pub permissions: Option<PermissionsChange>,
    /// Moderator and up.
    pub status: Option<UserStatus>,
    /// The end of a suspension (only with `status: suspended`); it must lie ahead.
    pub suspended_until: Option<Timestamp>,
}

fn check(caller: &Caller, user: &User) -> AppResult<()> {
    policy::may_moderate_user(caller, user)
}

/// Changes user `raw_id` as `moderation` says; `reason` goes into the audit entry.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_id))]
pub async fn moderate(state: &AppState, caller: &Caller, raw_id: &str, moderation: Moderation, reason: Option<&str>) -> AppResult<User> {
    policy::require_moderator(caller)?;
    let user = load(state, caller, "id", raw_id).await?;
    check(caller, &user)?;
    if moderation.role.is_some() || moderation.permissions.is_some() {
        policy::require_tenant_admin(caller)?;
    }
    if let Some(until) = moderation.suspended_until {
        if moderation.status != Some(UserStatus::Suspended) {
            return Err(Invalid::new("suspended_until", "goes only with status suspended").into());
        }
        if until <= chrono::Utc::now() {
            return Err(Invalid::new("suspended_until", "must lie in the future").into());
        }
    }
    if moderation.status == Some(UserStatus::Deleted) {
        return Err(Invalid::new("status", "must be active, suspended or banned").into());
    }
    let patch = UserPatch {
        role: moderation.role,
        permissions: moderation.permissions.unwrap_or_default(),
        status: moderation.status,
        suspended_until: moderation.status.map(|_| moderation.suspended_until),
        ..UserPatch::default()
    };
    let saved = apply_patch(state, caller, user, &patch, check, reason).await?;
    if saved.status != UserStatus::Active {
        // Refused at once everywhere: open sockets close on every process.
        close_sockets(state, &saved.tenant_id, vec![saved.id.clone()], Revocation::Users).await;
    }
    Ok(saved)
}

/// Suspends user `raw_id` until `until` (until lifted when `None`), or bans them with
/// `ban`; `reason` goes into the audit entry.
pub async fn suspend(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    until: Option<Timestamp>,
    ban: bool,
    reason: Option<&str>,
) -> AppResult<User> {
    let moderation = if ban {
        Moderation { status: Some(UserStatus::Banned), ..Moderation::default() }
    } else {
        Moderation { status: Some(UserStatus::Suspended), suspended_until: until, ..Moderation::default() }
    };
    moderate(state, caller, raw_id, moderation, reason).await
}

/// Lifts a suspension or ban of user `raw_id`.
pub async fn lift(state: &AppState, caller: &Caller, raw_id: &str, reason: Option<&str>) -> AppResult<User> {
    moderate(state, caller, raw_id, Moderation { status: Some(UserStatus::Active), ..Moderation::default() }, reason).await
}
