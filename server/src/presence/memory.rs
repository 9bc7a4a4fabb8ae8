use std::collections::HashMap;
use std::sync::Mutex;

use super::{Presence, PresenceError};

/// Socket counts of this process: the embedded default.
#[derive(Default)]
pub struct MemoryPresence {
    sockets: Mutex<HashMap<(String, String), u32>>,
}

#[async_trait::async_trait]
impl Presence for MemoryPresence {
    async fn connected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        let mut sockets = self.sockets.lock().expect("presence lock");
        let count = sockets.entry((tenant_id.to_owned(), user_id.to_owned())).or_insert(0);
        *count += 1;
        Ok(*count == 1)
    }

    async fn disconnected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        let mut sockets = self.sockets.lock().expect("presence lock");
        let key = (tenant_id.to_owned(), user_id.to_owned());
        match sockets.get_mut(&key) {
            Some(count) if *count > 1 => {
                *count -= 1;
                Ok(false)
            }
            Some(_) => {
                sockets.remove(&key);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn is_online(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        let sockets = self.sockets.lock().expect("presence lock");
        Ok(sockets.contains_key(&(tenant_id.to_owned(), user_id.to_owned())))
    }
}
