//! `/v1/api-keys`: issue, list and revoke the tenant's API keys.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::keys::{ApiKeyDto, CreateKeyRequest, CreatedKeyDto};
use super::dto::time;
use super::envelope::{created, listed, parse_id, Created, Done, Listed, PageRequest};
use super::error::{ApiError, ApiResult};
use super::security::AnyAuth;
use super::ApiTags;
use crate::audit;
use crate::auth::api_key::{self, KeyKind};
use crate::auth::Caller;
use crate::policy;
use crate::state::AppState;
use crate::store::{self, api_keys::NewApiKey};

#[derive(Default)]
pub struct KeysApi;

#[OpenApi(prefix_path = "/v1/api-keys", tag = "ApiTags::ApiKeys")]
impl KeysApi {
    /// Issue a key. The full key is in this response only; it is stored hashed.
    #[oai(path = "/", method = "post", operation_id = "api_keys_create")]
    async fn create(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<CreateKeyRequest>) -> ApiResult<Created<CreatedKeyDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let name = body.name.trim();
        if name.is_empty() {
            return Err(crate::domain::Invalid::new("name", "must not be empty").into());
        }
        let kind = KeyKind::from(body.kind);
        let generated = api_key::generate(kind);
        let created_by = match &caller {
            Caller::User(u) => Some(u.user.id.clone()),
            Caller::Key(_) => None,
        };
        let row = store::api_keys::insert(
            state.db.pool(),
            NewApiKey {
                id: &store::new_id(),
                tenant_id: caller.tenant_id(),
                name,
                kind: kind.as_str(),
                prefix: &generated.prefix,
                key_hash: &generated.hash,
                created_by: created_by.as_deref(),
            },
        )
        .await?;
        audit::record(&state.db, &caller, "api_key.create", Some(&row.id)).await;
        Ok(created(CreatedKeyDto {
            id: row.id,
            name: row.name,
            kind: row.kind,
            prefix: row.prefix,
            key: generated.key,
            created_at: time(row.created_at),
        }))
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
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = store::api_keys::list(&state.db, caller.tenant_id(), page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(ApiKeyDto::from).collect(), page, total))
    }

    /// Revoke a key; it stops working on the next request.
    #[oai(path = "/:id", method = "delete", operation_id = "api_keys_revoke")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The key's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let id = parse_id(&id.0)?;
        if !store::api_keys::revoke(&state.db, caller.tenant_id(), &id).await? {
            return Err(ApiError::not_found("API key"));
        }
        audit::record(&state.db, &caller, "api_key.revoke", Some(&id)).await;
        Ok(Done::NoContent)
    }
}
