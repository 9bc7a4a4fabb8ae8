//! Who a socket belongs to: the credential a WebSocket request presents, checked once at
//! the upgrade, and the identity each of its frames acts as.

use crate::auth::{AuthError, Purpose};
use crate::state::AppState;
use crate::store;

/// The verified subject of a socket's token, with the session or API key it depends on.
/// Only ids are kept: the user is loaded afresh for each frame, so a suspension or
/// permission change applies at once and an idle socket stays small.
pub use crate::auth::Subject as Identity;

/// Who is connected, and until when their credential is good.
pub struct Session {
    pub state: AppState,
    pub identity: Identity,
    /// Epoch seconds at which the token expires; `None` for one-time tickets, whose socket
    /// lives as long as the session or key they were taken with.
    pub expires_at: Option<i64>,
}

/// Checks the `token` of a WebSocket request: a chat or access token (the socket closes
/// when it expires), or a one-time ticket from `GET /v1/messaging/token`, spent here.
/// `client_addr` is where the request came from.
#[tracing::instrument(skip_all, fields(tenant_id, user_id))]
pub async fn authenticate(state: &AppState, token: &str, client_addr: String) -> Result<Session, AuthError> {
    let claims = state.keys.verify(token, &[Purpose::Chat, Purpose::Access, Purpose::Ws])?;
    let expires_at = match claims.pur {
        Purpose::Ws => {
            if !store::sessions::spend_ws_ticket(&state.db, &claims.jti).await? {
                return Err(AuthError::Unauthorized("this ticket was already used or has expired"));
            }
            None
        }
        _ => Some(claims.exp),
    };
    let mut identity = Identity::from(claims);
    identity.client_addr = Some(client_addr);
    identity.caller(state).await?;
    let span = tracing::Span::current();
    span.record("tenant_id", identity.tenant_id.as_str());
    span.record("user_id", identity.user_id.as_str());
    Ok(Session { state: state.clone(), identity, expires_at })
}
