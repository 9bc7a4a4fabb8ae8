//! Sockets watching one conversation each, as a moderator's console does: by conversation,
//! so an event reaches its watchers without looking at anyone else, and by socket, so a new
//! watch, a stopped one or a closed socket drops the old entry at once.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::hub::Kick;

/// One watching socket: whose it is and where its frames go.
pub struct Watcher {
    pub socket: u64,
    pub tenant_id: String,
    pub user_id: String,
    pub outbox: mpsc::Sender<Arc<str>>,
    pub kick: Arc<Kick>,
}

/// Keyed by conversation id alone (ids are unique across tenants); each watcher keeps its
/// tenant, and only watchers of the event's tenant receive it.
#[derive(Default)]
pub struct Watchers {
    by_conversation: HashMap<String, Vec<Watcher>>,
    /// What each watching socket watches.
    by_socket: HashMap<u64, String>,
}

impl Watchers {
    /// `watcher`'s socket watches `conversation_id` from now on, instead of whatever it
    /// watched before.
    pub fn watch(&mut self, conversation_id: &str, watcher: Watcher) {
        self.unwatch(watcher.socket);
        self.by_socket.insert(watcher.socket, conversation_id.to_owned());
        self.by_conversation.entry(conversation_id.to_owned()).or_default().push(watcher);
    }

    /// Socket `socket` watches nothing from now on.
    pub fn unwatch(&mut self, socket: u64) {
        let Some(conversation_id) = self.by_socket.remove(&socket) else { return };
        if let Some(list) = self.by_conversation.get_mut(&conversation_id) {
            list.retain(|w| w.socket != socket);
            if list.is_empty() {
                self.by_conversation.remove(&conversation_id);
            }
        }
    }

    /// Every socket of `users` of `tenant_id` stops watching; returns how many did. Rare
    /// (a role taken away), so it looks at every watching socket of this process.
    pub fn unwatch_users(&mut self, tenant_id: &str, users: &[String]) -> usize {
        let sockets: Vec<u64> = self
            .by_conversation
            .values()
            .flatten()
            .filter(|w| w.tenant_id == tenant_id && users.contains(&w.user_id))
            .map(|w| w.socket)
            .collect();
        for socket in &sockets {
            self.unwatch(*socket);
        }
        sockets.len()
    }

    /// The sockets of tenant `tenant_id` watching `conversation_id`.
    pub fn of<'a>(&'a self, tenant_id: &'a str, conversation_id: &str) -> impl Iterator<Item = &'a Watcher> + 'a {
        self.by_conversation.get(conversation_id).into_iter().flatten().filter(move |w| w.tenant_id == tenant_id)
    }

    /// What socket `socket` watches, if anything.
    pub fn watched_by(&self, socket: u64) -> Option<&str> {
        self.by_socket.get(&socket).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watcher(socket: u64, tenant: &str, user: &str) -> Watcher {
        let (outbox, _) = mpsc::channel(1);
        Watcher { socket, tenant_id: tenant.into(), user_id: user.into(), outbox, kick: Arc::new(Kick::default()) }
    }

    #[test]
    fn a_socket_watches_one_conversation_at_a_time() {
        let mut w = Watchers::default();
        w.watch("c1", watcher(1, "t", "m"));
        w.watch("c1", watcher(2, "t", "n"));
        assert_eq!(w.of("t", "c1").count(), 2);
        assert_eq!(w.of("u", "c1").count(), 0, "another tenant's events");
        w.watch("c2", watcher(1, "t", "m"));
        assert_eq!(w.of("t", "c1").count(), 1);
        assert_eq!(w.watched_by(1), Some("c2"));
        w.unwatch(1);
        w.unwatch(2);
        assert!(w.by_conversation.is_empty() && w.by_socket.is_empty(), "nothing left behind");
    }

    #[test]
    fn a_users_watches_end_together_and_no_one_elses() {
        let mut w = Watchers::default();
        w.watch("c1", watcher(1, "t", "m"));
        w.watch("c2", watcher(2, "t", "m"));
        w.watch("c1", watcher(3, "t", "n"));
        w.watch("c1", watcher(4, "u", "m"));
        assert_eq!(w.unwatch_users("t", &["m".into()]), 2);
        assert_eq!(w.of("t", "c1").count(), 1);
        assert_eq!(w.watched_by(4), Some("c1"));
    }
}
