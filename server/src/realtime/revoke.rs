//! Ending sockets whose credential or rights no longer hold: what a socket was opened with,
//! kept compact, and the control event every process's hub acts on.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::session::Identity;
use crate::bus::Event;
use crate::events::Revocation;
use crate::state::AppState;

/// The credential a socket hangs on besides its user: the login session of an access token
/// (or of the ticket taken with one), or the API key that minted a chat token. Ids are held
/// as 16 bytes rather than strings, so an idle socket grows by a few bytes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session([u8; 16]),
    ApiKey([u8; 16]),
    /// A chat token an admin user minted: it ends only with its user or its expiry.
    Standalone,
}

impl Credential {
    pub fn of(identity: &Identity) -> Self {
        match (&identity.session_id, &identity.minted_by) {
            (Some(session), _) => Credential::Session(compact(session)),
            (None, Some(key)) => Credential::ApiKey(compact(key)),
            (None, None) => Credential::Standalone,
        }
    }
}

/// An id as 16 bytes: a ULID (every id this server makes) exactly, anything else by hash.
/// Both sides of a comparison are made in the same process, so the hash need not be stable.
pub fn compact(id: &str) -> [u8; 16] {
    match ulid::Ulid::from_string(id) {
        Ok(ulid) => ulid.to_bytes(),
        Err(_) => {
            let mut hasher = DefaultHasher::new();
            id.hash(&mut hasher);
            let mut bytes = [0xff; 16];
            bytes[..8].copy_from_slice(&hasher.finish().to_le_bytes());
            bytes
        }
    }
}

/// Closes, on every server process, the sockets of `audience` (of the whole tenant for an
/// API key) that `revocation` names. Best effort like every event: should the bus fail, each
/// frame such a socket sends is still refused, since every frame re-checks its credential.
pub async fn close_sockets(state: &AppState, tenant_id: &str, audience: Vec<String>, revocation: Revocation) {
    if let Err(error) = state.bus.publish(Event::revocation(tenant_id, audience, revocation)).await {
        state.metrics.bus_publish_failures.inc();
        tracing::warn!(%error, "could not publish a revocation; the sockets it names refuse every frame until they close");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compact_exactly_and_apart() {
        let a = ulid::Ulid::new().to_string();
        let b = ulid::Ulid::new().to_string();
        assert_ne!(compact(&a), compact(&b));
        assert_eq!(compact("not-a-ulid"), compact("not-a-ulid"));
        assert_ne!(compact("not-a-ulid"), compact("another"));
    }
}
