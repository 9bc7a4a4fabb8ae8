//! Reports: any user flags a message they see or another user of their tenant for the
//! moderators (here); the moderators work through the queue of open reports and resolve
//! them (`queue`). A reporter hears nothing of who resolved their report: no report as
//! the reporter reads it carries a resolver.

pub mod queue;

use crate::auth::UserCaller;
use crate::bus::Event;
use crate::chat::{access, notify};
use crate::domain::report::{self, Report, ReportReason, TargetKind};
use crate::domain::{parse_field_id, Invalid, Named, Role, WriteKind};
use crate::error::{AppError, AppResult};
use crate::events::{Payload, ReportCreated};
use crate::state::AppState;
use crate::store::{self, reports::NewReport};
use crate::throttle;

/// What a report names, by the raw id the client sent.
#[derive(Debug, Clone)]
pub enum Target {
    Message(String),
    User(String),
}

/// Files a report of the caller about a message they see (else 404) or another live user
/// of their tenant (else 404; themselves 422). A second open report of the same target by
/// the same reporter is a 409; once moderators resolved the first, a new one may be filed.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn file(state: &AppState, caller: &UserCaller, target: Target, reason: ReportReason, note: Option<&str>) -> AppResult<Report> {
    throttle::take(state, caller, WriteKind::Report).await?;
    let note = report::note("note", note)?;
    let (target_kind, target_id) = match target {
        Target::Message(raw) => {
            let id = parse_field_id("message_id", &raw)?;
            let message = access::seen_message(state, caller, &id).await?;
            if message.is_from(&caller.user.id) {
                return Err(Invalid::new("message_id", "you cannot report your own message").into());
            }
            (TargetKind::Message, message.id)
        }
        Target::User(raw) => {
            let id = parse_field_id("user_id", &raw)?;
            if id == caller.user.id {
                return Err(Invalid::new("user_id", "you cannot report yourself").into());
            }
            let user = store::users::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("user"))?;
            (TargetKind::User, user.id)
        }
    };
    let new = NewReport {
        tenant_id: &caller.tenant_id,
        reporter_id: &caller.user.id,
        target_kind,
        target_id: &target_id,
        reason,
        note: note.as_deref(),
    };
    let report = store::reports::insert(&state.db, &new)
        .await?
        .ok_or_else(|| AppError::Conflict("you already reported this; the moderators have not resolved it yet".into()))?;
    notify_moderators(state, &caller.tenant_id, Payload::ReportCreated(ReportCreated::from(&report))).await;
    Ok(report)
}

/// Publishes `payload` to the tenant's active moderators and up, so an open queue updates.
/// Best effort, like every event: the queue itself is the record.
async fn notify_moderators(state: &AppState, tenant_id: &str, payload: Payload) {
    let roles: Vec<Role> = Role::ALL.iter().copied().filter(|role| role.at_least(Role::Moderator)).collect();
    match store::users::active_ids_with_roles(&state.db, tenant_id, &roles).await {
        Ok(audience) => notify(state, Event::new(tenant_id, audience, &payload)).await,
        Err(error) => tracing::warn!(%error, "could not load the moderators to notify"),
    }
}
