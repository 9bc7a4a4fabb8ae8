//! Reports as the reporter and the moderators see them. Nothing here names who resolved a
//! report.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use super::messages::MessageDto;
use super::users::UserDto;
use crate::domain::report::{Report, ReportReason, ReportStatus, Resolution, TargetKind};
use crate::reports::queue::{Outcome, QueueEntry};

/// Why something is reported.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ReportReasonDto {
    /// Unwanted advertising or repeated junk.
    Spam,
    /// Abuse aimed at someone.
    Harassment,
    /// Content that does not belong here.
    Inappropriate,
    /// Anything else; say what in `note`.
    Other,
}

impl From<ReportReasonDto> for ReportReason {
    fn from(r: ReportReasonDto) -> Self {
        match r {
            ReportReasonDto::Spam => ReportReason::Spam,
            ReportReasonDto::Harassment => ReportReason::Harassment,
            ReportReasonDto::Inappropriate => ReportReason::Inappropriate,
            ReportReasonDto::Other => ReportReason::Other,
        }
    }
}

impl From<ReportReason> for ReportReasonDto {
    fn from(r: ReportReason) -> Self {
        match r {
            ReportReason::Spam => ReportReasonDto::Spam,
            ReportReason::Harassment => ReportReasonDto::Harassment,
            ReportReason::Inappropriate => ReportReasonDto::Inappropriate,
            ReportReason::Other => ReportReasonDto::Other,
        }
    }
}

/// What a report names.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ReportTargetKindDto {
    /// A message; `target_id` is its id.
    Message,
    /// A user; `target_id` is their id.
    User,
}

impl From<TargetKind> for ReportTargetKindDto {
    fn from(k: TargetKind) -> Self {
        match k {
            TargetKind::Message => ReportTargetKindDto::Message,
            TargetKind::User => ReportTargetKindDto::User,
        }
    }
}

/// Whether a report waits for a moderator.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ReportStatusDto {
    /// In the moderation queue.
    Open,
    /// A moderator dealt with it.
    Resolved,
}

impl From<ReportStatus> for ReportStatusDto {
    fn from(s: ReportStatus) -> Self {
        match s {
            ReportStatus::Open => ReportStatusDto::Open,
            ReportStatus::Resolved => ReportStatusDto::Resolved,
        }
    }
}

/// What a moderator does about a target's open reports.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ResolutionActionDto {
    /// Nothing to act on.
    Dismiss,
    /// Delete the reported message for everyone (message reports only).
    DeleteMessage,
    /// Suspend the reported user, or the reported message's author; `until` may end it.
    Suspend,
    /// Ban the reported user, or the reported message's author.
    Ban,
}

impl From<ResolutionActionDto> for Resolution {
    fn from(a: ResolutionActionDto) -> Self {
        match a {
            ResolutionActionDto::Dismiss => Resolution::Dismiss,
            ResolutionActionDto::DeleteMessage => Resolution::DeleteMessage,
            ResolutionActionDto::Suspend => Resolution::Suspend,
            ResolutionActionDto::Ban => Resolution::Ban,
        }
    }
}

impl From<Resolution> for ResolutionActionDto {
    fn from(a: Resolution) -> Self {
        match a {
            Resolution::Dismiss => ResolutionActionDto::Dismiss,
            Resolution::DeleteMessage => ResolutionActionDto::DeleteMessage,
            Resolution::Suspend => ResolutionActionDto::Suspend,
            Resolution::Ban => ResolutionActionDto::Ban,
        }
    }
}

/// Report a message or a user to the tenant's moderators: name exactly one of
/// `message_id` and `user_id`.
#[derive(Object, Debug)]
pub struct CreateReportRequest {
    /// A message the caller sees (a conversation they are in, not hidden for them).
    #[oai(validator(max_length = 64))]
    pub message_id: Option<String>,
    /// Another user of the caller's tenant.
    #[oai(validator(max_length = 64))]
    pub user_id: Option<String>,
    /// Why.
    pub reason: ReportReasonDto,
    /// What the moderators should know, up to 1000 characters; newlines and tabs are kept,
    /// other control characters refused.
    #[oai(validator(max_length = 1000))]
    pub note: Option<String>,
}

/// A report as its reporter sees it.
#[derive(Object, Debug, Clone)]
pub struct ReportDto {
    /// The report's id.
    pub id: String,
    /// What it names.
    pub target_kind: ReportTargetKindDto,
    /// The id of the message or user it names.
    pub target_id: String,
    /// Why.
    pub reason: ReportReasonDto,
    /// The reporter's note.
    pub note: Option<String>,
    /// Whether it waits for a moderator.
    pub status: ReportStatusDto,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
}

impl From<&Report> for ReportDto {
    fn from(r: &Report) -> Self {
        ReportDto {
            id: r.id.clone(),
            target_kind: r.target_kind.into(),
            target_id: r.target_id.clone(),
            reason: r.reason.into(),
            note: r.note.clone(),
            status: r.status.into(),
            created_at: r.created_at,
        }
    }
}

/// One open report inside a queue entry.
#[derive(Object, Debug, Clone)]
pub struct QueuedReportDto {
    /// The report's id; resolving any report of a target resolves them all.
    pub id: String,
    /// Who filed it.
    pub reporter_id: String,
    /// Why.
    pub reason: ReportReasonDto,
    /// The reporter's note.
    pub note: Option<String>,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
}

/// A target of the moderation queue: its open reports and what was reported, in context.
#[derive(Object, Debug, Clone)]
pub struct ReportQueueEntryDto {
    /// What was reported.
    pub target_kind: ReportTargetKindDto,
    /// The id of the reported message or user.
    pub target_id: String,
    /// The oldest open report of the target: resolve through it.
    pub report_id: String,
    /// How many open reports name the target.
    pub count: i64,
    /// The distinct reasons given.
    pub reasons: Vec<ReportReasonDto>,
    /// When the oldest open report was filed.
    pub first_reported_at: DateTime<Utc>,
    /// When the newest open report was filed.
    pub last_reported_at: DateTime<Utc>,
    /// The open reports, oldest first.
    pub reports: Vec<QueuedReportDto>,
    /// The reported message (`deleted` once removed); absent for user reports.
    pub message: Option<MessageDto>,
    /// The reported message with up to two messages on each side, oldest first; empty for
    /// user reports.
    pub context: Vec<MessageDto>,
    /// The reported user, or the reported message's author (absent for system messages).
    pub user: Option<UserDto>,
}

impl From<QueueEntry> for ReportQueueEntryDto {
    fn from(e: QueueEntry) -> Self {
        let g = e.group;
        ReportQueueEntryDto {
            target_kind: g.target_kind.into(),
            reasons: g.reasons().into_iter().map(Into::into).collect(),
            report_id: g.reports.first().map(|r| r.id.clone()).unwrap_or_default(),
            target_id: g.target_id,
            count: g.count,
            first_reported_at: g.first_reported_at,
            last_reported_at: g.last_reported_at,
            reports: g
                .reports
                .iter()
                .map(|r| QueuedReportDto {
                    id: r.id.clone(),
                    reporter_id: r.reporter_id.clone(),
                    reason: r.reason.into(),
                    note: r.note.clone(),
                    created_at: r.created_at,
                })
                .collect(),
            message: e.message.map(MessageDto::from),
            context: e.context.into_iter().map(MessageDto::from).collect(),
            user: e.user.as_ref().map(UserDto::from),
        }
    }
}

/// Resolve every open report of a target.
#[derive(Object, Debug)]
pub struct ResolveReportRequest {
    /// What to do.
    pub action: ResolutionActionDto,
    /// When a suspension ends (only with `suspend`; in the future). Without it the
    /// suspension lasts until lifted.
    pub until: Option<DateTime<Utc>>,
    /// The moderators' note, up to 1000 characters; never shown to reporters.
    #[oai(validator(max_length = 1000))]
    pub note: Option<String>,
}

/// What a resolution did.
#[derive(Object, Debug, Clone)]
pub struct ReportResolutionDto {
    /// What the reports named.
    pub target_kind: ReportTargetKindDto,
    /// The id of the reported message or user.
    pub target_id: String,
    /// What was done.
    pub action: ResolutionActionDto,
    /// How many open reports of the target this resolved.
    pub resolved_count: i64,
    /// When.
    pub resolved_at: DateTime<Utc>,
}

impl From<Outcome> for ReportResolutionDto {
    fn from(o: Outcome) -> Self {
        ReportResolutionDto {
            target_kind: o.target_kind.into(),
            target_id: o.target_id,
            action: o.action.into(),
            resolved_count: i64::try_from(o.resolved).unwrap_or(i64::MAX),
            resolved_at: o.resolved_at,
        }
    }
}
