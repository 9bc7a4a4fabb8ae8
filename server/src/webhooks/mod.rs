//! Webhooks as a tenant's admins manage them: register endpoints for event types, change,
//! remove them, rotate their signing secrets, list their deliveries and replay one. Every
//! entry point checks the caller in `policy` first (a secret key, or a user who is admin or
//! up); changes are audited in the transaction of the change and never record a secret.
//!
//! Events are captured by the database and turned into deliveries by `fan_out`, sent by `worker`, signed by `signing`; `guard` keeps
//! endpoints off the operator's private network.

pub mod fan_out;
pub mod guard;
pub mod signing;
pub mod worker;

use crate::audit;
use crate::auth::Caller;
use crate::domain::parse_id;
use crate::domain::webhook::{self, Delivery, Endpoint, EndpointUrl, EventSet, EventType, SECRET_OVERLAP};
use crate::domain::Named;
use crate::error::{AppError, AppResult};
use crate::policy;
use crate::state::AppState;
use crate::store::webhooks::{EndpointChange, NewEndpoint};
use crate::store::{self, webhook_deliveries};

pub use fan_out::Dispatch;

/// How long a delivery is retried after its event or its replay.
fn retry_window(state: &AppState) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(state.config.webhook_retry_window_seconds).unwrap_or(i64::MAX / 1000))
}

/// What the audit log keeps of an endpoint: never its secrets.
fn audited(endpoint: &Endpoint) -> serde_json::Value {
    let events: Vec<&str> = endpoint.events.as_slice().iter().map(|e| e.as_str()).collect();
    serde_json::json!({ "url": endpoint.url, "description": endpoint.description, "events": events, "enabled": endpoint.enabled })
}

/// A URL checked for the field `url`: well formed, and (unless the operator allows private
/// addresses) neither naming nor resolving to a private address.
async fn checked_url(state: &AppState, raw: &str) -> AppResult<EndpointUrl> {
    let allow_private = state.config.webhook_allow_private;
    let url = EndpointUrl::parse(raw, allow_private)?;
    guard::resolve(&url, allow_private).await?;
    Ok(url)
}

async fn load(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<Endpoint> {
    let id = parse_id(raw_id)?;
    store::webhooks::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("webhook"))
}

/// Registers an endpoint for `events`; its secret is in the returned endpoint, the one
/// answer that shows it.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn register(
    state: &AppState,
    caller: &Caller,
    url: &str,
    events: Vec<EventType>,
    description: Option<&str>,
) -> AppResult<Endpoint> {
    policy::require_tenant_admin(caller)?;
    let events = EventSet::new(events)?;
    let description = webhook::description(description)?;
    let url = checked_url(state, url).await?;
    let secret = signing::generate_secret();
    let mut tx = state.db.begin().await?;
    let new = NewEndpoint {
        id: &store::new_id(),
        tenant_id: caller.tenant_id(),
        url: url.as_str(),
        description: description.as_deref(),
        events: &events,
        secret: &secret,
    };
    let endpoint = store::webhooks::insert(&mut *tx, new).await?;
    audit::write(&mut *tx, caller, &audit::Action::new("webhook.create", &endpoint.id).change(None, Some(audited(&endpoint)))).await?;
    store::commit(tx).await?;
    Ok(endpoint)
}

/// One page of the tenant's endpoints, oldest first, and how many there are.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn list(state: &AppState, caller: &Caller, limit: i64, offset: i64) -> AppResult<(Vec<Endpoint>, i64)> {
    policy::require_tenant_admin(caller)?;
    Ok(store::webhooks::list(&state.db, caller.tenant_id(), limit, offset).await?)
}

/// The tenant's endpoint `raw_id`.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn get(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<Endpoint> {
    policy::require_tenant_admin(caller)?;
    load(state, caller, raw_id).await
}

/// A change to an endpoint: each field given replaces the stored one.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

/// Changes endpoint `raw_id`. A disabled endpoint receives no new deliveries; its pending
/// ones are marked failed when they come due, and can be replayed once it is enabled again.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn update(state: &AppState, caller: &Caller, raw_id: &str, patch: EndpointPatch) -> AppResult<Endpoint> {
    policy::require_tenant_admin(caller)?;
    let endpoint = load(state, caller, raw_id).await?;
    let url = match &patch.url {
        Some(raw) => checked_url(state, raw).await?.as_str().to_owned(),
        None => endpoint.url.clone(),
    };
    let events = match patch.events {
        Some(events) => EventSet::new(events)?,
        None => endpoint.events.clone(),
    };
    let description = match &patch.description {
        Some(raw) => webhook::description(raw.as_deref())?,
        None => endpoint.description.clone(),
    };
    let change = EndpointChange {
        url: &url,
        description: description.as_deref(),
        events: &events,
        enabled: patch.enabled.unwrap_or(endpoint.enabled),
    };
    let mut tx = state.db.begin().await?;
    let saved = store::webhooks::update(&mut *tx, caller.tenant_id(), &endpoint.id, change).await?.ok_or(AppError::NotFound("webhook"))?;
    let action = audit::Action::new("webhook.update", &saved.id).change(Some(audited(&endpoint)), Some(audited(&saved)));
    audit::write(&mut *tx, caller, &action).await?;
    store::commit(tx).await?;
    Ok(saved)
}

/// Removes endpoint `raw_id` with its deliveries.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn delete(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<()> {
    policy::require_tenant_admin(caller)?;
    let endpoint = load(state, caller, raw_id).await?;
    let mut tx = state.db.begin().await?;
    if !store::webhooks::delete(&mut *tx, caller.tenant_id(), &endpoint.id).await? {
        return Err(AppError::NotFound("webhook"));
    }
    audit::write(&mut *tx, caller, &audit::Action::new("webhook.delete", &endpoint.id).change(Some(audited(&endpoint)), None)).await?;
    store::commit(tx).await?;
    Ok(())
}

/// Gives endpoint `raw_id` a new secret, returned with it; the one it replaces keeps
/// signing beside it for `SECRET_OVERLAP`, so receivers can switch without losing events.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn rotate_secret(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<Endpoint> {
    policy::require_tenant_admin(caller)?;
    let endpoint = load(state, caller, raw_id).await?;
    let secret = signing::generate_secret();
    let overlap = chrono::Duration::from_std(SECRET_OVERLAP).unwrap_or_else(|_| chrono::Duration::days(1));
    let previous_until = chrono::Utc::now() + overlap;
    let mut tx = state.db.begin().await?;
    let saved = store::webhooks::rotate_secret(&mut *tx, caller.tenant_id(), &endpoint.id, &secret, previous_until)
        .await?
        .ok_or(AppError::NotFound("webhook"))?;
    let after = serde_json::json!({ "previous_secret_until": previous_until });
    audit::write(&mut *tx, caller, &audit::Action::new("webhook.rotate_secret", &saved.id).change(None, Some(after))).await?;
    store::commit(tx).await?;
    Ok(saved)
}

/// One page of endpoint `raw_id`'s deliveries, newest first, and how many there are.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn deliveries(state: &AppState, caller: &Caller, raw_id: &str, limit: i64, offset: i64) -> AppResult<(Vec<Delivery>, i64)> {
    policy::require_tenant_admin(caller)?;
    let endpoint = load(state, caller, raw_id).await?;
    Ok(webhook_deliveries::list(&state.db, caller.tenant_id(), &endpoint.id, limit, offset).await?)
}

/// Queues delivery `raw_delivery_id` of endpoint `raw_id` again: the same delivery, with the
/// same id and body, due now, its attempts counting on, retried for a new window. A delivery
/// a worker is sending right now is a 409.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), webhook_id = %raw_id))]
pub async fn replay(state: &AppState, caller: &Caller, raw_id: &str, raw_delivery_id: &str) -> AppResult<Delivery> {
    policy::require_tenant_admin(caller)?;
    let endpoint = load(state, caller, raw_id).await?;
    let delivery_id = parse_id(raw_delivery_id)?;
    let tenant_id = caller.tenant_id();
    webhook_deliveries::by_id(&state.db, tenant_id, &endpoint.id, &delivery_id).await?.ok_or(AppError::NotFound("delivery"))?;
    let retry_until = chrono::Utc::now() + retry_window(state);
    let mut tx = state.db.begin().await?;
    let queued = webhook_deliveries::requeue(&mut *tx, tenant_id, &endpoint.id, &delivery_id, retry_until)
        .await?
        .ok_or_else(|| AppError::Conflict("this delivery is being sent right now; replay it once that attempt is recorded".into()))?;
    audit::write(&mut *tx, caller, &audit::Action::new("webhook.replay", &queued.id)).await?;
    store::commit(tx).await?;
    state.webhook_dispatch.queued();
    Ok(queued)
}
