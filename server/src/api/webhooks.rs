//! `/v1/webhooks`: the tenant's webhook endpoints, their signing secrets and deliveries.
//!
//! A delivery is a POST of `{id, type, created_at, tenant_id, data}` (`id` names the event,
//! the same for every endpoint it goes to) with the headers `Confab-Delivery-Id` (the same on
//! every attempt and replay, so receivers can drop duplicates), `Confab-Attempt` (1, 2, ...),
//! `Confab-Timestamp` (Unix seconds) and `Confab-Signature`: `v1=<hex HMAC-SHA256 of
//! "<timestamp>.<body>">`, one entry per signing secret, separated by commas.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::webhooks::{CreateWebhookRequest, UpdateWebhookRequest, WebhookDeliveryDto, WebhookDto, WebhookWithSecretDto};
use super::envelope::{created, listed, single, Created, Done, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::AnyAuth;
use super::ApiTags;
use crate::state::AppState;
use crate::webhooks;

#[derive(Default)]
pub struct WebhooksApi;

#[OpenApi(prefix_path = "/v1/webhooks", tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// Register an endpoint for some events. Its signing secret is in this response only.
    ///
    /// The URL's host is resolved: one that is or resolves to a loopback, private,
    /// link-local or carrier-grade NAT address is refused (422, field `url`) unless the
    /// operator allows private addresses; it is checked again before every delivery.
    ///
    /// Each delivery is a POST of `{id, type, created_at, tenant_id, data}` (`id` names the
    /// event) with the headers `Confab-Delivery-Id` (the same on every attempt and replay,
    /// so duplicates can be dropped), `Confab-Attempt` (from 1), `Confab-Timestamp` (Unix
    /// seconds) and `Confab-Signature`: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, one
    /// entry per active secret, separated by commas. Any 2xx answer counts as delivered.
    #[oai(path = "/", method = "post", operation_id = "webhooks_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        body: Json<CreateWebhookRequest>,
    ) -> ApiResult<Created<WebhookWithSecretDto>> {
        let endpoint = webhooks::register(&state, &auth.caller(), &body.url, body.events(), body.description.as_deref()).await?;
        Ok(created(WebhookWithSecretDto::from(&endpoint)))
    }

    /// The tenant's endpoints, oldest first, without their secrets.
    #[oai(path = "/", method = "get", operation_id = "webhooks_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<WebhookDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = webhooks::list(&state, &auth.caller(), page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(WebhookDto::from).collect(), page, total))
    }

    /// One endpoint, without its secret.
    #[oai(path = "/:id", method = "get", operation_id = "webhooks_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
    ) -> ApiResult<Single<WebhookDto>> {
        let endpoint = webhooks::get(&state, &auth.caller(), &id.0).await?;
        Ok(single(WebhookDto::from(&endpoint)))
    }

    /// Change an endpoint's URL, events, note, or switch it off and on.
    #[oai(path = "/:id", method = "patch", operation_id = "webhooks_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
        body: Json<UpdateWebhookRequest>,
    ) -> ApiResult<Single<WebhookDto>> {
        let endpoint = webhooks::update(&state, &auth.caller(), &id.0, (&body.0).into()).await?;
        Ok(single(WebhookDto::from(&endpoint)))
    }

    /// Remove an endpoint and its deliveries; pending ones are never sent.
    #[oai(path = "/:id", method = "delete", operation_id = "webhooks_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        webhooks::delete(&state, &auth.caller(), &id.0).await?;
        Ok(Done::NoContent)
    }

    /// Give an endpoint a new signing secret, shown in this response only.
    ///
    /// The secret it replaces keeps signing beside the new one for 24 hours: meanwhile
    /// every delivery carries two `v1=` signatures, so receivers can switch without losing
    /// an event.
    #[oai(path = "/:id/rotate-secret", method = "post", operation_id = "webhooks_rotate_secret")]
    async fn rotate_secret(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
    ) -> ApiResult<Single<WebhookWithSecretDto>> {
        let endpoint = webhooks::rotate_secret(&state, &auth.caller(), &id.0).await?;
        Ok(single(WebhookWithSecretDto::from(&endpoint)))
    }

    /// An endpoint's deliveries, newest first, with their status, attempts and last answer.
    ///
    /// A failed attempt is tried again after a pause that doubles each time, for a day
    /// after the event; then the delivery is marked failed.
    #[oai(path = "/:id/deliveries", method = "get", operation_id = "webhooks_deliveries")]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<WebhookDeliveryDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = webhooks::deliveries(&state, &auth.caller(), &id.0, page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(WebhookDeliveryDto::from).collect(), page, total))
    }

    /// Send a delivery again.
    ///
    /// The same delivery is queued again, due now: same `Confab-Delivery-Id` and body, its
    /// `Confab-Attempt` counting on from the last attempt, retried for another day. A
    /// delivery being sent at this moment is a 409.
    #[oai(path = "/:id/deliveries/:delivery_id/replay", method = "post", operation_id = "webhooks_replay")]
    async fn replay(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The endpoint's id.
        id: Path<String>,
        /// The delivery's id.
        delivery_id: Path<String>,
    ) -> ApiResult<Single<WebhookDeliveryDto>> {
        let delivery = webhooks::replay(&state, &auth.caller(), &id.0, &delivery_id.0).await?;
        Ok(single(WebhookDeliveryDto::from(&delivery)))
    }
}
