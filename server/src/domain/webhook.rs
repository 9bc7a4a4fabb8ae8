//! Webhooks: endpoints a tenant registers for some event types, and the deliveries of those
//! events to them. The rules here need no I/O: which events exist, which URLs may be
//! registered before any name is resolved, and when a failed delivery is tried again.

use std::time::Duration;

use url::{Host, Url};

use super::text::check_prose;
use super::web_url::{is_local_name, is_public_ip, parse_http};
use super::{Invalid, Named, Timestamp};

/// Longest endpoint description, in characters.
pub const MAX_DESCRIPTION_LENGTH: usize = 500;

/// How long a rotated-out secret keeps signing beside the new one.
pub const SECRET_OVERLAP: Duration = Duration::from_secs(24 * 3600);

/// What happened, as a webhook names it in its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    MessageNew,
    MessageUpdated,
    MessageDeleted,
    ConversationCreated,
    MemberAdded,
    MemberRemoved,
    TicketCreated,
    TicketUpdated,
    ReportCreated,
    UserCreated,
}

impl Named for EventType {
    const ALL: &'static [Self] = &[
        Self::MessageNew,
        Self::MessageUpdated,
        Self::MessageDeleted,
        Self::ConversationCreated,
        Self::MemberAdded,
        Self::MemberRemoved,
        Self::TicketCreated,
        Self::TicketUpdated,
        Self::ReportCreated,
        Self::UserCreated,
    ];

    fn as_str(self) -> &'static str {
        match self {
            EventType::MessageNew => "message.new",
            EventType::MessageUpdated => "message.updated",
            EventType::MessageDeleted => "message.deleted",
            EventType::ConversationCreated => "conversation.created",
            EventType::MemberAdded => "member.added",
            EventType::MemberRemoved => "member.removed",
            EventType::TicketCreated => "ticket.created",
            EventType::TicketUpdated => "ticket.updated",
            EventType::ReportCreated => "report.created",
            EventType::UserCreated => "user.created",
        }
    }
}

impl EventType {
    /// Whether the event names a message (and its `subject_id` is a message id).
    pub fn is_about_a_message(self) -> bool {
        matches!(self, EventType::MessageNew | EventType::MessageUpdated | EventType::MessageDeleted)
    }

    /// The webhook event of a real-time event, by the real-time `type` and, for
    /// `conversation_updated`, its `change`; `None` for events no webhook carries (typing,
    /// presence, read receipts, ...).
    pub fn of_realtime(kind: &str, change: Option<&str>) -> Option<Self> {
        match (kind, change) {
            ("new_message", _) => Some(EventType::MessageNew),
            ("message_updated", _) => Some(EventType::MessageUpdated),
            ("message_deleted", _) => Some(EventType::MessageDeleted),
            ("ticket_updated", _) => Some(EventType::TicketUpdated),
            ("report_created", _) => Some(EventType::ReportCreated),
            ("conversation_updated", Some("participants_added")) => Some(EventType::MemberAdded),
            ("conversation_updated", Some("participant_removed")) => Some(EventType::MemberRemoved),
            _ => None,
        }
    }
}

/// The event types an endpoint receives: at least one, each once, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSet(Vec<EventType>);

impl EventSet {
    pub fn new(mut events: Vec<EventType>) -> Result<Self, Invalid> {
        events.sort();
        events.dedup();
        if events.is_empty() {
            return Err(Invalid::new("events", "name at least one event type"));
        }
        Ok(EventSet(events))
    }

    pub fn contains(&self, event: EventType) -> bool {
        self.0.contains(&event)
    }

    pub fn as_slice(&self) -> &[EventType] {
        &self.0
    }

    /// The stored form: names separated by commas.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The stored form back; `None` when it names an event this server does not know.
    pub fn from_stored(raw: &str) -> Option<Self> {
        let events = raw.split(',').map(EventType::parse).collect::<Option<Vec<_>>>()?;
        EventSet::new(events).ok()
    }
}

/// Where deliveries go: an absolute http(s) URL without credentials. Unless the operator
/// allows private addresses, its host must not be a loopback, private or link-local
/// literal address nor `localhost`; names are resolved and checked again by the service,
/// at registration and at every delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(Url);

impl EndpointUrl {
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, Invalid> {
        const FIELD: &str = "url";
        let url = parse_http(FIELD, raw)?;
        let public = match url.host() {
            Some(Host::Ipv4(ip)) => is_public_ip(ip.into()),
            Some(Host::Ipv6(ip)) => is_public_ip(ip.into()),
            Some(Host::Domain(name)) => !is_local_name(name),
            None => false,
        };
        if !public && !allow_private {
            return Err(refused());
        }
        Ok(EndpointUrl(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The refusal of a URL that points into a private network.
pub fn refused() -> Invalid {
    Invalid::new("url", "must not point at a loopback, private or link-local address")
}

/// An endpoint's description: optional prose of bounded length; blank clears it.
pub fn description(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(raw) = raw.map(str::trim).filter(|d| !d.is_empty()) else { return Ok(None) };
    if raw.chars().count() > MAX_DESCRIPTION_LENGTH {
        return Err(Invalid::new("description", format!("must be at most {MAX_DESCRIPTION_LENGTH} characters")));
    }
    check_prose("description", raw)?;
    Ok(Some(raw.to_owned()))
}

/// An endpoint as stored, secrets included: only the service reads those, to sign.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    pub description: Option<String>,
    pub events: EventSet,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Endpoint {
    /// The secrets that sign a delivery at `now`: the current one first, then the one
    /// rotated out, while its overlap lasts.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if until > now {
                secrets.push(previous);
            }
        }
        secrets
    }

    /// When the rotated-out secret stops signing, if it still does at `now`.
    pub fn previous_secret_expires_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.previous_secret_until.filter(|until| *until > now && self.previous_secret.is_some())
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt within the retry window failed.
    Failed,
}

impl Named for DeliveryStatus {
    const ALL: &'static [Self] = &[Self::Pending, Self::Delivered, Self::Failed];

    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One event on its way to one endpoint, and what its last attempt got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: EventType,
    /// The exact body every attempt sends.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub retry_until: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    pub last_status_code: Option<i64>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

/// A change a webhook must hear of, as the database captured it in the change's own
/// transaction (see the migration `webhook_events`); fanned out to deliveries by a worker.
#[derive(Debug, Clone)]
pub struct CapturedEvent {
    pub id: i64,
    pub tenant_id: String,
    pub kind: EventType,
    /// The message, conversation, ticket, report or user it is about.
    pub subject_id: String,
    /// For member events: who joined or left.
    pub user_id: Option<String>,
    pub created_at: Timestamp,
}

/// Longest part of a response body kept, in bytes.
pub const MAX_KEPT_RESPONSE: usize = 1024;

/// The first `MAX_KEPT_RESPONSE` bytes of a response body, cut on a character boundary.
pub fn kept_response(body: &str) -> String {
    let mut end = body.len().min(MAX_KEPT_RESPONSE);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].to_owned()
}

/// The pause before attempt `attempts + 1` after `attempts` failed ones: `base` doubled
/// for each failure, at most `max`.
pub fn backoff(attempts: i64, base: Duration, max: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(1u32 << doublings).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_parses_back_and_sets_store_in_order() {
        for event in EventType::ALL {
            assert_eq!(EventType::parse(event.as_str()), Some(*event));
        }
        let set = EventSet::new(vec![EventType::UserCreated, EventType::MessageNew, EventType::MessageNew]).unwrap();
        assert_eq!(set.to_stored(), "message.new,user.created");
        assert_eq!(EventSet::from_stored(&set.to_stored()), Some(set));
        assert_eq!(EventSet::from_stored("message.new,nope"), None);
        assert!(EventSet::new(Vec::new()).is_err());
    }

    #[test]
    fn private_and_loopback_urls_are_refused_unless_allowed() {
        for bad in [
            "http://127.0.0.1:9/",
            "http://localhost/",
            "http://10.0.0.1/",
            "http://[::1]/",
            "http://169.254.169.254/",
            "http://224.0.0.1/",
        ] {
            assert_eq!(EndpointUrl::parse(bad, false).unwrap_err().field, "url", "{bad}");
            assert!(EndpointUrl::parse(bad, true).is_ok(), "{bad}");
        }
        assert!(EndpointUrl::parse("https://hooks.example.com/confab", false).is_ok());
        assert!(EndpointUrl::parse("ftp://hooks.example.com/", true).is_err());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(1, base, max), base);
        assert_eq!(backoff(3, base, max), Duration::from_secs(40));
        assert_eq!(backoff(40, base, max), max);
    }

    #[test]
    fn kept_responses_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_KEPT_RESPONSE);
        let kept = kept_response(&long);
        assert!(kept.len() <= MAX_KEPT_RESPONSE);
        assert!(long.starts_with(&kept));
    }
}
