//! Reports: a user flags a message or another user for the tenant's moderators, who resolve
//! every open report of one target at once with an action.

use super::text::check_prose;
use super::{Invalid, Named, Timestamp};

/// Why a user reports something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportReason {
    Spam,
    Harassment,
    Inappropriate,
    Other,
}

impl Named for ReportReason {
    const ALL: &'static [Self] = &[Self::Spam, Self::Harassment, Self::Inappropriate, Self::Other];

    fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Harassment => "harassment",
            ReportReason::Inappropriate => "inappropriate",
            ReportReason::Other => "other",
        }
    }
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Message,
    User,
}

impl Named for TargetKind {
    const ALL: &'static [Self] = &[Self::Message, Self::User];

    fn as_str(self) -> &'static str {
        match self {
            TargetKind::Message => "message",
            TargetKind::User => "user",
        }
    }
}

/// Whether a report still waits for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Open,
    Resolved,
}

impl Named for ReportStatus {
    const ALL: &'static [Self] = &[Self::Open, Self::Resolved];

    fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Resolved => "resolved",
        }
    }
}

/// What a moderator did about a target's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Nothing to act on.
    Dismiss,
    /// The reported message is deleted for everyone.
    DeleteMessage,
    /// The reported user, or the message's author, is suspended.
    Suspend,
    /// The reported user, or the message's author, is banned.
    Ban,
}

impl Named for Resolution {
    const ALL: &'static [Self] = &[Self::Dismiss, Self::DeleteMessage, Self::Suspend, Self::Ban];

    fn as_str(self) -> &'static str {
        match self {
            Resolution::Dismiss => "dismiss",
            Resolution::DeleteMessage => "delete_message",
            Resolution::Suspend => "suspend",
            Resolution::Ban => "ban",
        }
    }
}

/// One user's report. Who resolved it is kept in the store and the audit log only, never
/// here, so nothing built from a report can tell the reporter.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub tenant_id: String,
    pub reporter_id: String,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub reason: ReportReason,
    pub note: Option<String>,
    pub status: ReportStatus,
    pub created_at: Timestamp,
}

/// The open reports of one target, as the moderation queue shows them.
#[derive(Debug, Clone)]
pub struct ReportGroup {
    pub target_kind: TargetKind,
    pub target_id: String,
    /// How many open reports name the target.
    pub count: i64,
    pub first_reported_at: Timestamp,
    pub last_reported_at: Timestamp,
    /// The open reports themselves, oldest first.
    pub reports: Vec<Report>,
}

impl ReportGroup {
    /// The distinct reasons given, in the order of `ReportReason::ALL`.
    pub fn reasons(&self) -> Vec<ReportReason> {
        ReportReason::ALL.iter().copied().filter(|reason| self.reports.iter().any(|r| r.reason == *reason)).collect()
    }
}

/// Longest note a report or a resolution may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// An optional note: trimmed, blank is none, at most `MAX_NOTE_CHARS`, prose rules.
pub fn note(field: &'static str, raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_NOTE_CHARS {
        return Err(Invalid::new(field, format!("must be at most {MAX_NOTE_CHARS} characters")));
    }
    check_prose(field, value)?;
    Ok(Some(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_bounded_and_prose() {
        assert_eq!(note("note", Some("  spam link  ")).unwrap().as_deref(), Some("spam link"));
        assert_eq!(note("note", Some("   ")).unwrap(), None);
        assert!(note("note", Some(&"x".repeat(MAX_NOTE_CHARS + 1))).is_err());
        assert!(note("note", Some("bell\u{7}")).is_err());
    }

    #[test]
    fn names_round_trip() {
        for r in Resolution::ALL {
            assert_eq!(Resolution::parse(r.as_str()), Some(*r));
        }
        assert_eq!(ReportReason::parse("rude"), None);
    }
}
