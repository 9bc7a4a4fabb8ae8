//! Webhook endpoints and their deliveries as the API shows them. A secret appears only in
//! the answers of registration and rotation.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

use crate::domain::webhook::{Delivery, DeliveryStatus, Endpoint, EventType};
use crate::webhooks::EndpointPatch;

/// An event a webhook can receive.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEventDto {
    /// A message was sent (system messages included). `data`: `{conversation_id, seq, message}`,
    /// as the real-time `new_message` event carries them.
    #[oai(rename = "message.new")]
    MessageNew,
    /// A message was edited. `data` as for `message.new`.
    #[oai(rename = "message.updated")]
    MessageUpdated,
    /// A message was deleted for everyone. `data` as for `message.new`, the message marked
    /// `deleted`.
    #[oai(rename = "message.deleted")]
    MessageDeleted,
    /// A direct conversation, group, shop thread or ticket conversation was created. `data`:
    /// `{conversation_id, kind, name, description, created_by, shop_id, created_at}`. The
    /// members it was created with come with it; `member.added` tells of later ones.
    #[oai(rename = "conversation.created")]
    ConversationCreated,
    /// A user joined a conversation that already existed, or rejoined it. `data`:
    /// `{conversation_id, user_id}`.
    #[oai(rename = "member.added")]
    MemberAdded,
    /// A user left or was removed from a conversation. `data`: `{conversation_id, user_id}`.
    #[oai(rename = "member.removed")]
    MemberRemoved,
    /// A support ticket was opened. `data`: as for `ticket.updated`, with `subject` and
    /// `requester_id`.
    #[oai(rename = "ticket.created")]
    TicketCreated,
    /// A ticket's status, priority, category or assignee changed. `data`:
    /// `{ticket_id, conversation_id, status, priority, category, assignee_id}`.
    #[oai(rename = "ticket.updated")]
    TicketUpdated,
    /// A message or user was reported to the moderators. `data`:
    /// `{report_id, target_kind, target_id, reason, created_at}`.
    #[oai(rename = "report.created")]
    ReportCreated,
    /// A user was created. `data`: `{user_id, external_id, username, display_name, role,
    /// created_at}`, never contact details.
    #[oai(rename = "user.created")]
    UserCreated,
}

impl From<WebhookEventDto> for EventType {
    fn from(e: WebhookEventDto) -> Self {
        match e {
            WebhookEventDto::MessageNew => EventType::MessageNew,
            WebhookEventDto::MessageUpdated => EventType::MessageUpdated,
            WebhookEventDto::MessageDeleted => EventType::MessageDeleted,
            WebhookEventDto::ConversationCreated => EventType::ConversationCreated,
            WebhookEventDto::MemberAdded => EventType::MemberAdded,
            WebhookEventDto::MemberRemoved => EventType::MemberRemoved,
            WebhookEventDto::TicketCreated => EventType::TicketCreated,
            WebhookEventDto::TicketUpdated => EventType::TicketUpdated,
            WebhookEventDto::ReportCreated => EventType::ReportCreated,
            WebhookEventDto::UserCreated => EventType::UserCreated,
        }
    }
}

impl From<EventType> for WebhookEventDto {
    fn from(e: EventType) -> Self {
        match e {
            EventType::MessageNew => WebhookEventDto::MessageNew,
            EventType::MessageUpdated => WebhookEventDto::MessageUpdated,
            EventType::MessageDeleted => WebhookEventDto::MessageDeleted,
            EventType::ConversationCreated => WebhookEventDto::ConversationCreated,
            EventType::MemberAdded => WebhookEventDto::MemberAdded,
            EventType::MemberRemoved => WebhookEventDto::MemberRemoved,
            EventType::TicketCreated => WebhookEventDto::TicketCreated,
            EventType::TicketUpdated => WebhookEventDto::TicketUpdated,
            EventType::ReportCreated => WebhookEventDto::ReportCreated,
            EventType::UserCreated => WebhookEventDto::UserCreated,
        }
    }
}

fn events(e: &[WebhookEventDto]) -> Vec<EventType> {
    e.iter().copied().map(EventType::from).collect()
}

/// Register an endpoint.
#[derive(Object, Debug)]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed: an http or https URL. Hosts that are or resolve to
    /// loopback, private, link-local or carrier-grade NAT addresses are refused (422) unless
    /// the operator allows them.
    #[oai(validator(min_length = 1, max_length = 2048))]
    pub url: String,
    /// The events it receives: at least one.
    #[oai(validator(min_items = 1, max_items = 10))]
    pub events: Vec<WebhookEventDto>,
    /// A note for people, such as "CRM sync".
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

impl CreateWebhookRequest {
    pub fn events(&self) -> Vec<EventType> {
        events(&self.events)
    }
}

/// Change an endpoint: each field given replaces the stored one.
#[derive(Object, Debug)]
pub struct UpdateWebhookRequest {
    /// A new URL, checked as at registration.
    #[oai(validator(min_length = 1, max_length = 2048))]
    pub url: Option<String>,
    /// The events it receives from now on: at least one.
    #[oai(validator(min_items = 1, max_items = 10))]
    pub events: Option<Vec<WebhookEventDto>>,
    /// Off: no new deliveries are queued for it, and its pending ones are marked failed
    /// when due (they can be replayed once it is on again).
    pub enabled: Option<bool>,
    /// A new note; `null` or blank clears it.
    #[oai(validator(max_length = 500))]
    pub description: MaybeUndefined<String>,
}

impl From<&UpdateWebhookRequest> for EndpointPatch {
    fn from(r: &UpdateWebhookRequest) -> Self {
        EndpointPatch {
            url: r.url.clone(),
            events: r.events.as_deref().map(events),
            enabled: r.enabled,
            description: super::patched(&r.description).map(|d| d.map(str::to_owned)),
        }
    }
}

/// An endpoint, without its secret.
#[derive(Object, Debug)]
pub struct WebhookDto {
    /// The endpoint's id.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Its note for people.
    pub description: Option<String>,
    /// The events it receives.
    pub events: Vec<WebhookEventDto>,
    /// Whether deliveries are queued for it.
    pub enabled: bool,
    /// While the secret replaced by the last rotation still signs beside the current one,
    /// when it stops.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Endpoint> for WebhookDto {
    fn from(e: &Endpoint) -> Self {
        WebhookDto {
            id: e.id.clone(),
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.as_slice().iter().copied().map(WebhookEventDto::from).collect(),
            enabled: e.enabled,
            previous_secret_expires_at: e.previous_secret_expires_at(Utc::now()),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint just registered or given a new secret: the only answers that show `secret`.
#[derive(Object, Debug)]
pub struct WebhookWithSecretDto {
    /// The endpoint.
    #[oai(flatten)]
    pub webhook: WebhookDto,
    /// The signing secret (`whsec_...`). Store it now: it cannot be shown again. Every
    /// delivery carries `Confab-Signature: v1=<hex HMAC-SHA256 of "<Confab-Timestamp>.<body>">`,
    /// one `v1=` entry per signing secret, separated by commas: after a rotation the
    /// previous secret signs too, for 24 hours.
    pub secret: String,
}

impl From<&Endpoint> for WebhookWithSecretDto {
    fn from(e: &Endpoint) -> Self {
        WebhookWithSecretDto { webhook: WebhookDto::from(e), secret: e.secret.clone() }
    }
}

/// Where a delivery stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DeliveryStatusDto {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// No attempt succeeded within the retry window (a day), or the endpoint was disabled.
    Failed,
}

impl From<DeliveryStatus> for DeliveryStatusDto {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => DeliveryStatusDto::Pending,
            DeliveryStatus::Delivered => DeliveryStatusDto::Delivered,
            DeliveryStatus::Failed => DeliveryStatusDto::Failed,
        }
    }
}

/// One event on its way to one endpoint, and what its last attempt got.
#[derive(Object, Debug)]
pub struct WebhookDeliveryDto {
    /// The delivery's id, sent as `Confab-Delivery-Id`: the same on every attempt and replay.
    pub id: String,
    /// The endpoint's id.
    pub webhook_id: String,
    /// The event it carries.
    pub event: WebhookEventDto,
    /// Pending, delivered or failed.
    pub status: DeliveryStatusDto,
    /// Attempts made so far (sent as `Confab-Attempt`, from 1).
    pub attempts: i64,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer.
    pub last_status_code: Option<i64>,
    /// The start of the last answer's body.
    #[oai(validator(max_length = 1024))]
    pub last_response: Option<String>,
    /// Why the last attempt failed: an error status, a timeout, an unreachable or refused
    /// address.
    pub last_error: Option<String>,
    /// The exact body every attempt sends: `{id, type, created_at, tenant_id, data}`.
    pub payload: String,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
}

impl From<&Delivery> for WebhookDeliveryDto {
    fn from(d: &Delivery) -> Self {
        WebhookDeliveryDto {
            id: d.id.clone(),
            webhook_id: d.endpoint_id.clone(),
            event: d.event_type.into(),
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_response: d.last_response.clone(),
            last_error: d.last_error.clone(),
            payload: d.body.clone(),
            created_at: d.created_at,
        }
    }
}
