//! The signed-in session: tokens kept in memory and in `sessionStorage` (so a reload keeps
//! the tab signed in, while closing it forgets the tokens), the access token refreshed a
//! minute before it expires, and sign-out revoking the refresh token on the server.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use super::api::{self, Account, ApiError, TenantInfo, Tokens};

const STORAGE_KEY: &str = "confab.admin.session";
/// How long before expiry the access token is renewed.
const REFRESH_MARGIN_MS: f64 = 60_000.0;
/// Never wait less than this between refreshes, even with very short-lived tokens.
const MIN_REFRESH_DELAY_MS: f64 = 5_000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires, in milliseconds since the epoch.
    pub expires_at_ms: f64,
    pub account: Account,
    pub tenant: TenantInfo,
}

impl Session {
    fn from_tokens(tokens: Tokens) -> Self {
        Session {
            expires_at_ms: js_sys::Date::now() + tokens.expires_in as f64 * 1000.0,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            account: tokens.user,
            tenant: tokens.tenant,
        }
    }

    /// Moderators and stronger roles use the console; everyone else is told they have no access.
    pub fn may_moderate(&self) -> bool {
        matches!(self.account.role.as_str(), "moderator" | "admin" | "superadmin")
    }

    pub fn display_name(&self) -> String {
        self.account.display_name.clone().unwrap_or_else(|| self.account.username.clone())
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn load() -> Option<Session> {
    let raw = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

fn store(session: Option<&Session>) {
    let Some(storage) = storage() else { return };
    // Storage may be full or disabled; the session then lives in memory only.
    let _ = match session.and_then(|s| serde_json::to_string(s).ok()) {
        Some(raw) => storage.set_item(STORAGE_KEY, &raw),
        None => storage.remove_item(STORAGE_KEY),
    };
}

/// The session shared by every screen through context.
#[derive(Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<Session>>,
    /// Why the last session ended, shown on the sign-in screen.
    pub notice: RwSignal<Option<String>>,
    /// Bumped on every sign-in and sign-out, so a refresh timer of an older session stops.
    generation: RwSignal<u64>,
}

impl Auth {
    pub fn provide() -> Auth {
        let auth = Auth { session: RwSignal::new(None), notice: RwSignal::new(None), generation: RwSignal::new(0) };
        if let Some(saved) = load() {
            auth.start(saved);
        }
        provide_context(auth);
        auth
    }

    pub fn use_context() -> Auth {
        expect_context::<Auth>()
    }

    pub async fn sign_in(self, tenant: &str, email: &str, password: &str) -> Result<(), ApiError> {
        let tokens = api::login(tenant, email, password).await?;
        self.notice.set(None);
        self.start(Session::from_tokens(tokens));
        Ok(())
    }

    /// Revokes the refresh token, then forgets the session even if the server could not be
    /// reached: the person asked to leave.
    pub fn sign_out(self) {
        let Some(session) = self.session.get_untracked() else { return };
        self.end(None);
        spawn_local(async move {
            let _ = api::logout(&session.access_token, &session.refresh_token).await;
        });
    }

    /// The access token, for a call about to be made.
    pub fn access_token(self) -> Option<String> {
        self.session.with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()))
    }

    /// Called when the server refused the access token: the session is over.
    pub fn expired(self, error: &ApiError) {
        if error.is_unauthorized() {
            self.end(Some("Your session has ended. Sign in again.".into()));
        }
    }

    fn start(self, session: Session) {
        store(Some(&session));
        let delay = (session.expires_at_ms - js_sys::Date::now() - REFRESH_MARGIN_MS).max(MIN_REFRESH_DELAY_MS);
        self.session.set(Some(session));
        self.generation.update(|g| *g += 1);
        let generation = self.generation.get_untracked();
        set_timeout(move || self.refresh(generation), Duration::from_millis(delay as u64));
    }

    fn end(self, notice: Option<String>) {
        store(None);
        self.generation.update(|g| *g += 1);
        self.session.set(None);
        self.notice.set(notice);
    }

    fn refresh(self, generation: u64) {
        if self.generation.get_untracked() != generation {
            return;
        }
        let Some(refresh_token) = self.session.with_untracked(|s| s.as_ref().map(|s| s.refresh_token.clone())) else {
            return;
        };
        spawn_local(async move {
            let result = api::refresh(&refresh_token).await;
            if self.generation.get_untracked() != generation {
                return;
            }
            match result {
                Ok(tokens) => self.start(Session::from_tokens(tokens)),
                Err(error) if error.status == 0 => {
                    // Offline for now: try again shortly rather than signing the person out.
                    let retry = generation;
                    set_timeout(move || self.refresh(retry), Duration::from_millis(MIN_REFRESH_DELAY_MS as u64));
                }
                Err(_) => self.end(Some("Your session has ended. Sign in again.".into())),
            }
        });
    }
}
