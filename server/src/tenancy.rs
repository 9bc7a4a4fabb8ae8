//! The caller's tenant and its API keys as admins and servers manage them: read and change
//! the tenant's name and settings; issue, list and revoke keys. Every entry point checks
//! the caller in `policy` first (a secret key, or a user who is admin or up), and changes
//! are recorded in the audit log in the transaction of the change.

use crate::audit;
use crate::auth::api_key::{self, Generated};
use crate::auth::Caller;
use crate::domain::parse_id;
use crate::domain::{ApiKey, Invalid, KeyKind, Named, SettingsChange, Tenant, TenantName};
use crate::error::{AppError, AppResult};
use crate::events::Revocation;
use crate::policy;
use crate::realtime::revoke::close_sockets;
use crate::state::AppState;
use crate::store::{self, api_keys::NewApiKey};

/// What the audit log keeps of the tenant before and after a change.
fn audited(tenant: &Tenant) -> serde_json::Value {
    serde_json::json!({ "name": tenant.name, "settings": serde_json::from_str::<serde_json::Value>(&tenant.settings.to_json()).ok() })
}

/// What the audit log keeps of a key: never its hash.
fn audited_key(key: &ApiKey) -> serde_json::Value {
    serde_json::json!({ "name": key.name, "kind": key.kind.as_str(), "authority": key.authority.as_str(), "prefix": key.prefix })
}

async fn load(state: &AppState, caller: &Caller) -> AppResult<Tenant> {
    store::tenants::by_id(&state.db, caller.tenant_id()).await?.ok_or(AppError::NotFound("tenant"))
}

/// The caller's tenant with its settings.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn get(state: &AppState, caller: &Caller) -> AppResult<Tenant> {
    policy::require_tenant_admin(caller)?;
    load(state, caller).await
}

/// Renames the tenant (when `name` is given) and changes the settings `change` names. The
/// settings must hold together afterwards; this process forgets its cached copy at once.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn update(state: &AppState, caller: &Caller, name: Option<&str>, change: Option<&SettingsChange>) -> AppResult<Tenant> {
    policy::require_tenant_admin(caller)?;
    let tenant = load(state, caller).await?;
    let name = match name {
        // The request's field is `name`; signup's is `tenant_name`.
        Some(raw) => TenantName::parse(raw).map_err(|e| Invalid { field: "name", ..e })?.as_str().to_owned(),
        None => tenant.name.clone(),
    };
    let mut settings = tenant.settings.clone();
    if let Some(change) = change {
        settings = change.apply(settings);
    }
    settings.validate()?;
    let mut tx = state.db.begin().await?;
    let saved = store::tenants::update(&mut *tx, &tenant.id, &name, &settings).await?;
    let action = audit::Action::new("tenant.update", &tenant.id).change(Some(audited(&tenant)), Some(audited(&saved)));
    audit::write(&mut *tx, caller, &action).await?;
    store::commit(tx).await?;
    state.forget_tenant_settings(&tenant.id);
    Ok(saved)
}

/// Issues a key of `kind` labelled `name`, bounded to the caller's own authority (see
/// `policy::authority_for_new_key`); the key itself is in the returned `Generated` only,
/// since just its hash is stored.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn issue_key(state: &AppState, caller: &Caller, name: &str, kind: KeyKind) -> AppResult<(ApiKey, Generated)> {
    let authority = policy::authority_for_new_key(caller)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Invalid::new("name", "must not be empty").into());
    }
    let generated = api_key::generate(kind);
    let created_by = match caller {
        Caller::User(u) => Some(u.user.id.as_str()),
        Caller::Key(_) => None,
    };
    let mut tx = state.db.begin().await?;
    let key = store::api_keys::insert(
        &mut *tx,
        NewApiKey {
            id: &store::new_id(),
            tenant_id: caller.tenant_id(),
            name,
            kind,
            authority,
            prefix: &generated.prefix,
            key_hash: &generated.hash,
            created_by,
        },
    )
    .await?;
    let action = audit::Action::new("api_key.create", &key.id).change(None, Some(audited_key(&key)));
    audit::write(&mut *tx, caller, &action).await?;
    store::commit(tx).await?;
    Ok((key, generated))
}

/// One page of the tenant's live keys, newest first, and how many there are.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn list_keys(state: &AppState, caller: &Caller, limit: i64, offset: i64) -> AppResult<(Vec<ApiKey>, i64)> {
    policy::require_tenant_admin(caller)?;
    Ok(store::api_keys::list(&state.db, caller.tenant_id(), limit, offset).await?)
}

/// Revokes key `raw_id`, unless it outranks the caller; it stops working on the next
/// request, and so do the chat tokens it minted, whose sockets close on every server process.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), key_id = %raw_id))]
pub async fn revoke_key(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<()> {
    policy::require_tenant_admin(caller)?;
    let id = parse_id(raw_id)?;
    let key = store::api_keys::live_by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("API key"))?;
    policy::may_revoke_key(caller, &key)?;
    let mut tx = state.db.begin().await?;
    if !store::api_keys::revoke(&mut *tx, caller.tenant_id(), &id).await? {
        return Err(AppError::NotFound("API key"));
    }
    audit::write(&mut *tx, caller, &audit::Action::new("api_key.revoke", &id).change(Some(audited_key(&key)), None)).await?;
    store::commit(tx).await?;
    close_sockets(state, caller.tenant_id(), Vec::new(), Revocation::ApiKey { key_id: id.clone() }).await;
    Ok(())
}
