//! The tenant's figures on the admin dashboard, and the time windows they are counted in.
//! Message figures come from hourly counters (see the `message_counts` table), so the
//! windows here are whole UTC hours and days.

use chrono::{DateTime, NaiveDate, Utc};

use super::conversation::ConversationKind;
use super::ticket::{Priority, TicketStatus};
use super::{Role, UserStatus};

/// How many UTC days the per-day series covers, today included.
pub const SERIES_DAYS: i64 = 30;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Everything the dashboard shows for one tenant.
#[derive(Debug, Clone, Default)]
pub struct TenantStats {
    /// Live (not deleted) conversations by kind; kinds without any are absent.
    pub conversations: Vec<(ConversationKind, i64)>,
    /// Messages ever written in the tenant, later deleted ones included.
    pub messages_total: i64,
    /// Messages written in the last 24 hourly buckets (see `Windows::last_24h_from`).
    pub messages_last_24h: i64,
    /// Users who sent a message or were connected in the last 24 hours.
    pub active_users_24h: i64,
    /// Users by status and role; combinations without any are absent.
    pub users: Vec<(UserStatus, Role, i64)>,
    /// Messages waiting to be read, summed over every member of every conversation.
    pub unread_total: i64,
    /// Open reports of messages or users.
    pub open_reports: i64,
    /// Tickets by status and priority; combinations without any are absent.
    pub tickets: Vec<(TicketStatus, Priority, i64)>,
    /// Median time from opening a ticket to its first answer by someone else, in
    /// milliseconds; `None` while no ticket has been answered.
    pub median_first_response_ms: Option<f64>,
    /// Messages per UTC day, oldest first, `SERIES_DAYS` long, zero-filled.
    pub messages_per_day: Vec<(NaiveDate, i64)>,
}

impl TenantStats {
    /// Users by role, the deleted ones left out.
    pub fn users_by_role(&self, role: Role) -> i64 {
        self.users.iter().filter(|(status, r, _)| *r == role && *status != UserStatus::Deleted).map(|(_, _, n)| n).sum()
    }

    /// Users by status, deleted ones included.
    pub fn users_by_status(&self, status: UserStatus) -> i64 {
        self.users.iter().filter(|(s, _, _)| *s == status).map(|(_, _, n)| n).sum()
    }

    /// Tickets in a status.
    pub fn tickets_by_status(&self, status: TicketStatus) -> i64 {
        self.tickets.iter().filter(|(s, _, _)| *s == status).map(|(_, _, n)| n).sum()
    }

    /// Tickets of a priority.
    pub fn tickets_by_priority(&self, priority: Priority) -> i64 {
        self.tickets.iter().filter(|(_, p, _)| *p == priority).map(|(_, _, n)| n).sum()
    }

    /// Live conversations of a kind.
    pub fn conversations_of(&self, kind: ConversationKind) -> i64 {
        self.conversations.iter().filter(|(k, _)| *k == kind).map(|(_, n)| n).sum()
    }
}

/// The windows of one stats reading, in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Start of the oldest hourly bucket counted as "last 24 h": the current hour and the
    /// 23 before it, so the window is between 23 and 24 hours long and never reaches into
    /// a 25th hour.
    pub last_24h_from: i64,
    /// Activity at or after this instant counts as "in the last 24 hours".
    pub active_since: i64,
    /// Start of the oldest UTC day of the series.
    pub series_from: i64,
}

impl Windows {
    pub fn at(now: DateTime<Utc>) -> Self {
        let now = now.timestamp_millis();
        let hour = now - now.rem_euclid(HOUR_MS);
        let today = now - now.rem_euclid(DAY_MS);
        Windows { last_24h_from: hour - 23 * HOUR_MS, active_since: now - DAY_MS, series_from: today - (SERIES_DAYS - 1) * DAY_MS }
    }
}

/// The per-day series from `(day start in epoch ms, count)` rows: every day from
/// `windows.series_from` to today, oldest first, zero where there is no row.
pub fn daily_series(windows: Windows, rows: &[(i64, i64)]) -> Vec<(NaiveDate, i64)> {
    (0..SERIES_DAYS)
        .map(|i| {
            let start = windows.series_from + i * DAY_MS;
            let count = rows.iter().filter(|(day, _)| *day == start).map(|(_, n)| n).sum();
            let date = DateTime::from_timestamp_millis(start).map(|at| at.date_naive()).unwrap_or_default();
            (date, count)
        })
        .collect()
}

/// The median of ascending values: the middle one, or the mean of the middle two.
pub fn median_of_middle(middle: &[i64]) -> Option<f64> {
    match middle {
        [one] => Some(*one as f64),
        [low, high] => Some((*low as f64 + *high as f64) / 2.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_windows_are_whole_hours_and_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 30, 0).unwrap();
        let w = Windows::at(now);
        assert_eq!(w.last_24h_from, Utc.with_ymd_and_hms(2026, 11, 30, 11, 0, 0).unwrap().timestamp_millis());
        assert_eq!(w.series_from, Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap().timestamp_millis());
        assert_eq!(w.active_since, Utc.with_ymd_and_hms(2026, 11, 30, 10, 30, 0).unwrap().timestamp_millis());
    }

    #[test]
    fn the_series_is_thirty_days_long_and_zero_filled() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 30, 0).unwrap();
        let w = Windows::at(now);
        let today = w.series_from + 29 * DAY_MS;
        let series = daily_series(w, &[(today, 5), (w.series_from, 2)]);
        assert_eq!(series.len(), 30);
        assert_eq!(series[0], (NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(), 2));
        assert_eq!(series[29], (NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 5));
        assert!(series[1..29].iter().all(|(_, n)| *n == 0));
    }

    #[test]
    fn the_median_averages_the_middle_pair() {
        assert_eq!(median_of_middle(&[]), None);
        assert_eq!(median_of_middle(&[4]), Some(4.0));
        assert_eq!(median_of_middle(&[4, 7]), Some(5.5));
    }
}
