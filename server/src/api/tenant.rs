//! `/v1/tenant`: the caller's tenant and its settings (admin and up, or a secret key).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::tenant::{TenantDto, UpdateTenantRequest};
use super::envelope::{single, Single};
use super::error::{ApiError, ApiResult};
use super::security::AnyAuth;
use super::ApiTags;
use crate::audit;
use crate::domain::TenantName;
use crate::policy;
use crate::state::AppState;
use crate::store;

#[derive(Default)]
pub struct TenantApi;

#[OpenApi(prefix_path = "/v1/tenant", tag = "ApiTags::Tenant")]
impl TenantApi {
    /// The caller's tenant and its settings.
    #[oai(path = "/", method = "get", operation_id = "tenant_get")]
    async fn get(&self, state: Data<&AppState>, auth: AnyAuth) -> ApiResult<Single<TenantDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let tenant = store::tenants::by_id(&state.db, caller.tenant_id()).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
        Ok(single(TenantDto::new(&tenant, &tenant.settings()?)))
    }

    /// Rename the tenant or change its settings (signup, message limits, retention, token
    /// lifetimes).
    #[oai(path = "/", method = "patch", operation_id = "tenant_update")]
    async fn update(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<UpdateTenantRequest>) -> ApiResult<Single<TenantDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let tenant = store::tenants::by_id(&state.db, caller.tenant_id()).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
        let name = match &body.name {
            Some(raw) => TenantName::parse(raw)?.as_str().to_owned(),
            None => tenant.name.clone(),
        };
        let mut settings = tenant.settings()?;
        if let Some(patch) = &body.settings {
            settings = patch.apply(settings);
        }
        settings.validate()?;
        let saved = store::tenants::update(&state.db, &tenant.id, &name, &settings).await?;
        state.forget_tenant_settings(&tenant.id);
        audit::record(&state.db, &caller, "tenant.update", Some(&tenant.id)).await;
        Ok(single(TenantDto::new(&saved, &settings)))
    }
}
