//! `/v1/tenant`: the caller's tenant and its settings (admin and up, or a secret key).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::tenant::{TenantDto, UpdateTenantRequest};
use super::envelope::{single, Single};
use super::error::ApiResult;
use super::security::AnyAuth;
use super::ApiTags;
use crate::domain::SettingsChange;
use crate::state::AppState;
use crate::tenancy;

#[derive(Default)]
pub struct TenantApi;

#[OpenApi(prefix_path = "/v1/tenant", tag = "ApiTags::Tenant")]
impl TenantApi {
    /// The caller's tenant and its settings.
    #[oai(path = "/", method = "get", operation_id = "tenant_get")]
    async fn get(&self, state: Data<&AppState>, auth: AnyAuth) -> ApiResult<Single<TenantDto>> {
        let tenant = tenancy::get(&state, &auth.caller()).await?;
        Ok(single(TenantDto::from(&tenant)))
    }

    /// Rename the tenant or change its settings (signup, message limits, retention, token
    /// lifetimes, write rate limits).
    #[oai(path = "/", method = "patch", operation_id = "tenant_update")]
    async fn update(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<UpdateTenantRequest>) -> ApiResult<Single<TenantDto>> {
        let change = body.settings.as_ref().map(SettingsChange::from);
        let tenant = tenancy::update(&state, &auth.caller(), body.name.as_deref(), change.as_ref()).await?;
        Ok(single(TenantDto::from(&tenant)))
    }
}
