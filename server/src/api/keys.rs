//! `/v1/api-keys`: issue, list and revoke the tenant's API keys.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::keys::{ApiKeyDto, CreateKeyRequest, CreatedKeyDto};
use super::envelope::{created, listed, Created, Done, Listed, PageRequest};
use super::error::ApiResult;
use super::security::AnyAuth;
use super::ApiTags;
use crate::state::AppState;
use crate::tenancy;

#[derive(Default)]
pub struct KeysApi;

#[OpenApi(prefix_path = "/v1/api-keys", tag = "ApiTags::ApiKeys")]
impl KeysApi {
    /// Issue a key. The full key is in this response only; it is stored hashed.
    #[oai(path = "/", method = "post", operation_id = "api_keys_create")]
    async fn create(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<CreateKeyRequest>) -> ApiResult<Created<CreatedKeyDto>> {
        let (stored, generated) = tenancy::issue_key(&state, &auth.caller(), &body.name, body.kind.into()).await?;
        Ok(created(CreatedKeyDto::new(stored, generated.key)))
    }

    /// The tenant's live keys, newest first, without the keys themselves.
    #[oai(path = "/", method = "get", operation_id = "api_keys_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ApiKeyDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (keys, total) = tenancy::list_keys(&state, &auth.caller(), page.limit(), page.offset()).await?;
        Ok(listed(keys.iter().map(ApiKeyDto::from).collect(), page, total))
    }

    /// Revoke a key; it stops working on the next request.
    ///
    /// So do the chat tokens it minted (401), and their WebSockets close with 1008.
    #[oai(path = "/:id", method = "delete", operation_id = "api_keys_revoke")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The key's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        tenancy::revoke_key(&state, &auth.caller(), &id.0).await?;
        Ok(Done::NoContent)
    }
}
