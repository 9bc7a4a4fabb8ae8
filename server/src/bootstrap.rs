//! First start on an empty database: a default tenant, its superadmin and one secret key,
//! reported once. The claim on a `meta` row makes it happen exactly once, even when several
//! processes start together.

use std::fmt;

use crate::auth::api_key;
use crate::auth::password;
use crate::domain::{Email, KeyKind, Password, Role, TenantSettings, User, Username};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, api_keys::NewApiKey};

/// What the first start created; shown once, never stored in clear.
pub struct BootstrapReport {
    pub tenant_slug: String,
    pub email: String,
    /// The password, when it was generated here rather than configured.
    pub generated_password: Option<String>,
    pub api_key: String,
}

impl fmt::Display for BootstrapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Confab bootstrapped a default tenant (shown once, keep it safe):")?;
        writeln!(f, "  tenant:      {}", self.tenant_slug)?;
        writeln!(f, "  superadmin:  {}", self.email)?;
        match &self.generated_password {
            Some(p) => writeln!(f, "  password:    {p}")?,
            None => writeln!(f, "  password:    (from CONFAB_BOOTSTRAP_PASSWORD)")?,
        }
        write!(f, "  secret key:  {}", self.api_key)
    }
}

pub async fn run(state: &AppState) -> AppResult<Option<BootstrapReport>> {
    let db = &state.db;
    if store::tenants::count(db).await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match &state.config.bootstrap_password {
        Some(p) => (Password::parse(p.expose())?, None),
        None => {
            use rand::distributions::{Alphanumeric, DistString};
            let p = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 20);
            (Password::parse(&p)?, Some(p))
        }
    };
    let email = Email::parse(&state.config.bootstrap_email)?;
    let hash = password::hash(&password).await?;
    let key = api_key::generate(KeyKind::Secret);

    let mut tx = db.pool().begin().await.map_err(store::StoreError::from)?;
    if !store::meta::claim(&mut *tx, "bootstrapped", &store::now_ms().to_string()).await? {
        return Ok(None);
    }
    let tenant_id = store::new_id();
    store::tenants::insert(&mut *tx, &tenant_id, "Default", "default", &TenantSettings::default()).await?;
    let username = Username::derive_from(email.local_part());
    let mut user = User::new(store::new_id(), &tenant_id, username.as_str(), Role::Superadmin, chrono::Utc::now());
    user.email = Some(email.as_str().to_owned());
    user.display_name = Some("Administrator".into());
    user.password_hash = Some(hash);
    store::users::insert(&mut *tx, &user, false).await?;
    store::api_keys::insert(
        &mut *tx,
        NewApiKey {
            id: &store::new_id(),
            tenant_id: &tenant_id,
            name: "bootstrap",
            kind: KeyKind::Secret,
            // The first key acts for the owner, who has nobody above them.
            authority: Role::Superadmin,
            prefix: &key.prefix,
            key_hash: &key.hash,
            created_by: None,
        },
    )
    .await?;
    tx.commit().await.map_err(|e| AppError::Store(e.into()))?;
    Ok(Some(BootstrapReport {
        tenant_slug: "default".into(),
        email: email.as_str().to_owned(),
        generated_password: generated,
        api_key: key.key,
    }))
}
