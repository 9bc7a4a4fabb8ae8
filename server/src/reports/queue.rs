//! The moderation queue: open reports grouped by target, the longest-waiting first, each
//! with what was reported in its context; and resolving a target's reports with an action.

use crate::audit;
use crate::auth::{Caller, UserCaller};
use crate::chat::history;
use crate::domain::report::{self, ReportGroup, ReportStatus, Resolution, TargetKind};
use crate::domain::{parse_id, Invalid, Named, Timestamp, User};
use crate::error::{AppError, AppResult};
use crate::events::{MessageView, Payload, ReportsResolved};
use crate::policy;
use crate::state::AppState;
use crate::store::{self, reports::Resolved};
use crate::users;

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
    policy::require_moderator(&Caller::User(caller.clone()))?;
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
    let as_caller = Caller::User(caller.clone());
    policy::require_moderator(&as_caller)?;
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
            if let Some(message) = message {
                crate::admin::remove_message(state, &as_caller, &message.id, note.as_deref()).await?;
            }
        }
        Resolution::Suspend | Resolution::Ban => {
            let author = match report.target_kind {
                TargetKind::User => Some(report.target_id.clone()),
                TargetKind::Message => message.and_then(|m| m.sender_id),
            };
            let author = author.ok_or_else(|| Invalid::new("action", "this message has no author to suspend or ban"))?;
            let ban = decision.action == Resolution::Ban;
            users::suspend(state, &as_caller, &author, decision.until, ban, note.as_deref()).await?;
        }
    }
    let resolved = Resolved { resolution: decision.action, resolved_by: &caller.user.id, note: note.as_deref() };
    // The resolution and its audit entry land together, or not at all.
    let mut tx = state.db.begin().await?;
    let count = store::reports::resolve_target(&mut *tx, &caller.tenant_id, report.target_kind, &report.target_id, &resolved).await?;
    let after = serde_json::json!({ "action": decision.action.as_str(), "until": decision.until, "note": note, "reports": count });
    let entry = audit::Action::new(resolution_action(decision.action), &report.target_id).change(None, Some(after));
    audit::write(&mut *tx, &as_caller, &entry).await?;
    store::commit(tx).await?;
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

/// The audit log's name for a resolution.
fn resolution_action(action: Resolution) -> &'static str {
    match action {
        Resolution::Dismiss => "report.dismiss",
        Resolution::DeleteMessage => "report.delete_message",
        Resolution::Suspend => "report.suspend",
        Resolution::Ban => "report.ban",
    }
}
