//! Shops: who may see and change them. Any user of the tenant sees its shops; only the
//! owner changes one or reads its buyer threads.

use crate::auth::UserCaller;
use crate::domain::names::{shop_name, shop_url};
use crate::domain::shop::Shop;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

use crate::domain::{parse_field_id, parse_id};

/// The shop `raw_id` of the caller's tenant (404 otherwise).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = %raw_id))]
pub async fn visible(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Shop> {
    let id = parse_id(raw_id)?;
    store::shops::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("shop"))
}

/// The shop `raw_id` of the caller's tenant, which the caller must own (403 otherwise).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = %raw_id))]
pub async fn owned(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Shop> {
    let shop = visible(state, caller, raw_id).await?;
    if shop.owner_id != caller.user.id {
        return Err(AppError::forbidden("only the shop's owner may do this"));
    }
    Ok(shop)
}

/// A new shop owned by the caller.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn create(state: &AppState, caller: &UserCaller, name: &str, url: Option<&str>) -> AppResult<Shop> {
    let name = shop_name(name)?;
    let url = url.map(shop_url).transpose()?;
    Ok(store::shops::create(&state.db, &caller.tenant_id, &caller.user.id, &name, url.as_deref()).await?)
}

/// Renames the caller's shop or changes its address (`Some(None)` clears it).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = %raw_id))]
pub async fn update(state: &AppState, caller: &UserCaller, raw_id: &str, name: Option<&str>, url: Option<Option<&str>>) -> AppResult<Shop> {
    let shop = owned(state, caller, raw_id).await?;
    let name = name.map(shop_name).transpose()?.unwrap_or(shop.name);
    let url = match url {
        Some(url) => url.map(shop_url).transpose()?,
        None => shop.url,
    };
    Ok(store::shops::update(&state.db, &shop.id, &name, url.as_deref()).await?)
}

/// A page of the tenant's shops, newest first, optionally only those of one owner, and
/// how many there are.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn list(state: &AppState, caller: &UserCaller, owner_id: Option<&str>, limit: i64, offset: i64) -> AppResult<(Vec<Shop>, i64)> {
    let owner_id = owner_id.map(|raw| parse_field_id("owner_id", raw)).transpose()?;
    Ok(store::shops::list(&state.db, &caller.tenant_id, owner_id.as_deref(), limit, offset).await?)
}
