//! The moderation queue: open reports grouped by target, the longest-waiting first, each
//! with what was reported in its context; and resolving a target's reports with an action.

use crate::audit;
use crate::auth::{Caller, UserCaller};
use crate::chat::{history, messages};
use crate::domain::report::{self, ReportGroup, ReportStatus, Resolution, TargetKind};
use crate::domain::{parse_id, Invalid, Named, Timestamp, User, UserPatch, UserStatus};
use crate::error::{AppError, AppResult};
use crate::events::{MessageView, Payload, ReportsResolved, Revocation};
use crate::policy;
use crate::realtime::revoke::close_sockets;
use crate::state::AppState;
use crate::store::{self, reports::Resolved};

/// Messages shown on each side of a reported message.
pub const CONTEXT_AROUND: i64 = 2;

/// One target of the queue with what the moderator needs to judge it.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub group: ReportGroup,
    /// The reported message, when a message was reported and still exists.
    pub message: Option<MessageView>,
    /// The reported message with up to `CONTEXT_AROUND` messages on each side, oldest first.
    pub context: Vec<MessageView>,
    /// The reported user, or the reported message's author.
    pub user: Option<User>,
}

/// A page of the queue and how many targets wait in all.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn list(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<(Vec<QueueEntry>, i64)> {
    policy::require_moderator(caller)?;
    let (groups, total) = store::reports::open_groups(&state.db, &caller.tenant_id, limit, offset).await?;
    let mut entries = Vec::with_capacity(groups.len());
    for group in groups {
        entries.push(in_context(state, caller, group).await?);
    }
    Ok((entries, total))
}

async fn in_context(state: &AppState, caller: &UserCaller, group: ReportGroup) -> AppResult<QueueEntry> {
    let tenant_id = &caller.tenant_id;
    let (message, context, user_id) = match group.target_kind {
        TargetKind::User => (None, Vec::new(), Some(group.target_id.clone())),
        TargetKind::Message => match store::messages::by_id(&state.db, tenant_id, &group.target_id).await? {
            Some(found) => {
                let around = store::messages::around(&state.db, &found.conversation_id, found.seq, CONTEXT_AROUND).await?;
                let context = history::render(state, &caller.user.id, around).await?;
                let message = context.iter().find(|m| m.id == found.id).cloned();
                (message, context, found.sender_id)
            }
            None => (None, Vec::new(), None),
        },
    };
    let user = match user_id {
        Some(id) => store::users::by_id(&state.db, tenant_id, &id).await?,
        None => None,
    };
    Ok(QueueEntry { group, message, context, user })
}

/// What a moderator decided about a target's reports.
#[derive(Debug, Clone)]
pub struct Decision {
    pub action: Resolution,
    /// When a suspension ends; only with `Suspend`, and in the future.
    pub until: Option<Timestamp>,
    pub note: Option<String>,
}

/// What resolving did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub target_kind: TargetKind,
    pub target_id: String,
    pub action: Resolution,
    /// How many open reports of the target were resolved.
    pub resolved: u64,
    pub resolved_at: Timestamp,
}

/// Resolves every open report of the target of report `raw_id` with `decision`: nothing
/// more for a dismissal; the message deleted for everyone; its author, or the reported
/// user, suspended or banned. The resolution is recorded in the audit log.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, report_id = %raw_id))]
pub async fn resolve(state: &AppState, caller: &UserCaller, raw_id: &str, decision: Decision) -> AppResult<Outcome> {
    policy::require_moderator(caller)?;
    let id = parse_id(raw_id)?;
    let report = store::reports::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("report"))?;
    if report.status != ReportStatus::Open {
        return Err(AppError::Conflict("this report was already resolved".into()));
    }
    let note = report::note("note", decision.note.as_deref())?;
    if let Some(until) = decision.until {
        if decision.action != Resolution::Suspend {
            return Err(Invalid::new("until", "only a suspension has an end time").into());
        }
        if until <= chrono::Utc::now() {
            return Err(Invalid::new("until", "must be in the future").into());
        }
    }
    let message = match report.target_kind {
        TargetKind::Message => store::messages::by_id(&state.db, &caller.tenant_id, &report.target_id).await?,
        TargetKind::User => None,
    };
    match decision.action {
        Resolution::Dismiss => {}
        Resolution::DeleteMessage => {
            if report.target_kind != TargetKind::Message {
                return Err(Invalid::new("action", "only a reported message can be deleted").into());
            }
            if let Some(message) = message.filter(|m| !m.is_deleted()) {
                let deleted = store::messages::delete_for_everyone(&state.db, &message.id).await?;
                messages::announce(state, &deleted, Payload::MessageDeleted).await;
            }
        }
        Resolution::Suspend | Resolution::Ban => {
            let author = match report.target_kind {
                TargetKind::User => Some(report.target_id.clone()),
                TargetKind::Message => message.and_then(|m| m.sender_id),
            };
            let author = author.ok_or_else(|| Invalid::new("action", "this message has no author to suspend or ban"))?;
            let status = if decision.action == Resolution::Ban { UserStatus::Banned } else { UserStatus::Suspended };
            restrict(state, caller, &author, status, decision.until).await?;
        }
    }
    let resolved = Resolved { resolution: decision.action, resolved_by: &caller.user.id, note: note.as_deref() };
    let count = store::reports::resolve_target(&state.db, &caller.tenant_id, report.target_kind, &report.target_id, &resolved).await?;
    let action = format!("report.{}", decision.action.as_str());
    audit::record(&state.db, &Caller::User(caller.clone()), &action, Some(&report.target_id)).await;
    let resolved = ReportsResolved { target_kind: report.target_kind, target_id: report.target_id.clone(), action: decision.action };
    super::notify_moderators(state, &caller.tenant_id, Payload::ReportsResolved(resolved)).await;
    Ok(Outcome {
        target_kind: report.target_kind,
        target_id: report.target_id,
        action: decision.action,
        resolved: count,
        resolved_at: chrono::Utc::now(),
    })
}

/// Suspends or bans `user_id` on a moderator's decision, and closes their sockets on every
/// server process. The role the check saw must still hold when the status is written.
///
/// `until` (an end to the suspension) is not stored yet: the suspension lasts until it is
/// lifted. It is to be handed to the users service's suspension with an end time, which is
/// also where this whole function belongs once that service lets moderators suspend.
async fn restrict(state: &AppState, caller: &UserCaller, user_id: &str, status: UserStatus, until: Option<Timestamp>) -> AppResult<User> {
    let _suspension_end = until;
    let user = store::users::by_id(&state.db, &caller.tenant_id, user_id).await?.ok_or(AppError::NotFound("user"))?;
    policy::may_restrict_user(caller, &user)?;
    let patch = UserPatch { status: Some(status), ..UserPatch::default() };
    let saved = store::users::patch(&state.db, &caller.tenant_id, &user.id, Some(user.role), &patch)
        .await?
        .ok_or_else(|| AppError::Conflict("the user changed meanwhile; try again".into()))?;
    close_sockets(state, &saved.tenant_id, vec![saved.id.clone()], Revocation::Users).await;
    let action = if status == UserStatus::Banned { "user.ban" } else { "user.suspend" };
    audit::record(&state.db, &Caller::User(caller.clone()), action, Some(&saved.id)).await;
    Ok(saved)
}
