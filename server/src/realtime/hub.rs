//! The sockets of this process, by user, and the task that hands each bus event to the
//! sockets of its audience and to those watching its conversation. The work per event is
//! proportional to its audience and watchers, never to the users of a tenant (save the rare
//! revocation of an API key); a socket whose queue is full is closed rather than waited
//! for, and one whose credential was revoked is closed and sent nothing more.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::{broadcast, mpsc, Notify};

use super::revoke::{compact, Credential};
use super::watchers::{Watcher, Watchers};
use crate::bus::Event;
use crate::events::Revocation;

/// Close codes the server uses.
pub mod close {
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// Expired or revoked credentials, keepalive timeout.
    pub const POLICY: u16 = 1008;
    /// A frame over the size limit.
    pub const TOO_BIG: u16 = 1009;
    /// The client reads too slowly to keep up.
    pub const TRY_AGAIN: u16 = 1013;
}

/// Asks one socket to close with a code.
#[derive(Default)]
pub struct Kick {
    notify: Notify,
    code: AtomicU16,
    /// Set once the socket's credential or its user's rights no longer hold: from then on
    /// the socket is sent nothing and its frames are refused, until it has closed.
    revoked: AtomicBool,
}

impl Kick {
    pub fn close(&self, code: u16) {
        self.code.store(code, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// Marks the socket revoked and closes it with 1008.
    pub fn revoke(&self) {
        self.revoked.store(true, Ordering::SeqCst);
        self.close(close::POLICY);
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked.load(Ordering::SeqCst)
    }

    pub async fn requested(&self) -> u16 {
        self.notify.notified().await;
        self.code.load(Ordering::SeqCst)
    }
}

struct Conn {
    id: u64,
    outbox: mpsc::Sender<Arc<str>>,
    kick: Arc<Kick>,
    credential: Credential,
}

type Key = (String, String);

/// A registered socket: its id, its queue of outgoing frames and its close switch.
pub struct Registration {
    pub id: u64,
    pub outbox: mpsc::Receiver<Arc<str>>,
    pub kick: Arc<Kick>,
}

/// Queues `frame` on a socket unless it was revoked; closes a socket too slow to take it.
fn offer(outbox: &mpsc::Sender<Arc<str>>, kick: &Kick, frame: &Arc<str>) {
    if kick.is_revoked() {
        return;
    }
    if let Err(mpsc::error::TrySendError::Full(_)) = outbox.try_send(frame.clone()) {
        kick.close(close::TRY_AGAIN);
    }
}

/// Locks are taken in one order, `conns` before `watchers`, and never across an await.
#[derive(Clone, Default)]
pub struct Hub {
    conns: Arc<RwLock<HashMap<Key, Vec<Conn>>>>,
    watchers: Arc<RwLock<Watchers>>,
    next_id: Arc<AtomicU64>,
    /// Registered sockets, kept beside `conns` so reading it takes no lock.
    open: Arc<AtomicUsize>,
}

impl Hub {
    pub fn register(&self, tenant_id: &str, user_id: &str, credential: Credential, queue: usize) -> Registration {
        let (tx, rx) = mpsc::channel(queue.max(1));
        let kick = Arc::new(Kick::default());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Conn { id, outbox: tx, kick: kick.clone(), credential };
        self.conns.write().expect("hub lock").entry((tenant_id.to_owned(), user_id.to_owned())).or_default().push(conn);
        self.open.fetch_add(1, Ordering::Relaxed);
        Registration { id, outbox: rx, kick }
    }

    pub fn unregister(&self, tenant_id: &str, user_id: &str, id: u64) {
        let mut conns = self.conns.write().expect("hub lock");
        let key = (tenant_id.to_owned(), user_id.to_owned());
        if let Some(list) = conns.get_mut(&key) {
            let before = list.len();
            list.retain(|c| c.id != id);
            self.open.fetch_sub(before - list.len(), Ordering::Relaxed);
            if list.is_empty() {
                conns.remove(&key);
            }
        }
        self.watchers.write().expect("hub lock").unwatch(id);
    }

    /// Socket `id` of `user_id` receives the events of `conversation_id` from now on (of no
    /// conversation with `None`), besides its user's own; it replaces what the socket
    /// watched before. Whether it may is the caller's to decide. False when the socket is
    /// no longer registered.
    pub fn watch(&self, tenant_id: &str, user_id: &str, id: u64, conversation_id: Option<&str>) -> bool {
        let conns = self.conns.read().expect("hub lock");
        let Some(conn) = conns.get(&(tenant_id.to_owned(), user_id.to_owned())).and_then(|list| list.iter().find(|c| c.id == id)) else {
            return false;
        };
        let mut watchers = self.watchers.write().expect("hub lock");
        match conversation_id {
            Some(conversation_id) => {
                let watcher = Watcher {
                    socket: id,
                    tenant_id: tenant_id.to_owned(),
                    user_id: user_id.to_owned(),
                    outbox: conn.outbox.clone(),
                    kick: conn.kick.clone(),
                };
                watchers.watch(conversation_id, watcher);
            }
            None => watchers.unwatch(id),
        }
        true
    }

    /// Sockets open on this process.
    pub fn open_sockets(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Sockets `user` has open on this process.
    pub fn count(&self, tenant_id: &str, user_id: &str) -> usize {
        let conns = self.conns.read().expect("hub lock");
        conns.get(&(tenant_id.to_owned(), user_id.to_owned())).map_or(0, Vec::len)
    }

    /// Queues the event on every local socket of its audience and, once each, on the other
    /// local sockets watching its conversation; or acts on a revocation.
    pub fn deliver(&self, event: &Event) {
        if let Some(revocation) = &event.revoke {
            self.revoke(&event.tenant_id, &event.audience, revocation);
            return;
        }
        let frame: Arc<str> = Arc::from(event.payload.to_string());
        let conns = self.conns.read().expect("hub lock");
        if event.every_socket {
            for conn in conns.values().flatten() {
                offer(&conn.outbox, &conn.kick, &frame);
            }
            return;
        }
        for user in &event.audience {
            let Some(list) = conns.get(&(event.tenant_id.clone(), user.clone())) else { continue };
            for conn in list {
                offer(&conn.outbox, &conn.kick, &frame);
            }
        }
        let Some(conversation_id) = &event.conversation_id else { return };
        let watchers = self.watchers.read().expect("hub lock");
        let mut watching = watchers.of(&event.tenant_id, conversation_id).peekable();
        if watching.peek().is_none() {
            return;
        }
        // Every socket of an audience member has it already.
        let audience: HashSet<&str> = event.audience.iter().map(String::as_str).collect();
        for watcher in watching.filter(|w| !audience.contains(w.user_id.as_str())) {
            offer(&watcher.outbox, &watcher.kick, &frame);
        }
    }

    /// Closes with 1008 the local sockets `revocation` names (or ends their watches);
    /// returns how many.
    pub fn revoke(&self, tenant_id: &str, audience: &[String], revocation: &Revocation) -> usize {
        if let Revocation::Watching = revocation {
            return self.watchers.write().expect("hub lock").unwatch_users(tenant_id, audience);
        }
        let conns = self.conns.read().expect("hub lock");
        let (sessions, key): (Vec<[u8; 16]>, Option<Credential>) = match revocation {
            Revocation::Users | Revocation::Watching => (Vec::new(), None),
            Revocation::Sessions { session_ids } => (session_ids.iter().map(|id| compact(id)).collect(), None),
            Revocation::ApiKey { key_id } => (Vec::new(), Some(Credential::ApiKey(compact(key_id)))),
        };
        let named = |conn: &&Conn| match revocation {
            Revocation::Users => true,
            Revocation::Watching => false,
            Revocation::Sessions { .. } => matches!(conn.credential, Credential::Session(id) if sessions.contains(&id)),
            Revocation::ApiKey { .. } => Some(conn.credential) == key,
        };
        let lists: Vec<&Vec<Conn>> = match revocation {
            // Which users hold the tokens a key minted is recorded nowhere, so this rare
            // event looks at every socket of the tenant on this process.
            Revocation::ApiKey { .. } => conns.iter().filter(|((tenant, _), _)| tenant == tenant_id).map(|(_, list)| list).collect(),
            _ => audience.iter().filter_map(|user| conns.get(&(tenant_id.to_owned(), user.clone()))).collect(),
        };
        let mut closed = 0;
        for conn in lists.into_iter().flatten().filter(named) {
            conn.kick.revoke();
            closed += 1;
        }
        closed
    }

    /// Closes every socket of this process, for shutdown.
    pub fn close_all(&self, code: u16) {
        let conns = self.conns.read().expect("hub lock");
        for conn in conns.values().flatten() {
            conn.kick.close(code);
        }
    }

    /// Delivers bus events until the bus closes. After a lag (events dropped because this
    /// process fell behind) every socket is told to resync.
    pub async fn run(self, mut events: broadcast::Receiver<Event>) {
        loop {
            match events.recv().await {
                Ok(event) => self.deliver(&event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "real-time hub fell behind the event bus; sockets resync");
                    self.deliver(&Event::resync());
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Credential = Credential::Standalone;

    fn event(audience: &[&str]) -> Event {
        let typing = crate::events::Payload::Typing(crate::events::Typing { conversation_id: "c".into(), user_id: "u".into() });
        Event::new("t", audience.iter().map(|s| s.to_string()).collect(), &typing)
    }

    #[tokio::test]
    async fn events_reach_only_their_audience() {
        let hub = Hub::default();
        let mut a = hub.register("t", "a", NONE, 4);
        let mut b = hub.register("t", "b", NONE, 4);
        let mut other_tenant = hub.register("u", "a", NONE, 4);
        hub.deliver(&event(&["a"]));
        assert!(a.outbox.try_recv().is_ok());
        assert!(b.outbox.try_recv().is_err());
        assert!(other_tenant.outbox.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_resync_reaches_every_socket_of_every_tenant() {
        let hub = Hub::default();
        let mut a = hub.register("t", "a", NONE, 4);
        let mut b = hub.register("u", "b", NONE, 4);
        hub.deliver(&Event::resync());
        assert_eq!(&*a.outbox.try_recv().unwrap(), r#"{"type":"resync"}"#);
        assert_eq!(&*b.outbox.try_recv().unwrap(), r#"{"type":"resync"}"#);
    }

    #[tokio::test]
    async fn a_hub_that_fell_behind_tells_its_sockets_to_resync() {
        let hub = Hub::default();
        let mut a = hub.register("t", "a", NONE, 8);
        let (tx, rx) = broadcast::channel(2);
        for _ in 0..3 {
            tx.send(event(&["a"])).unwrap();
        }
        drop(tx);
        hub.run(rx).await;
        let frames: Vec<String> = std::iter::from_fn(|| a.outbox.try_recv().ok()).map(|f| f.to_string()).collect();
        assert_eq!(frames[0], r#"{"type":"resync"}"#, "{frames:?}");
        assert_eq!(frames.len(), 3, "the resync, then the two events still held: {frames:?}");
    }

    #[tokio::test]
    async fn open_sockets_counts_registrations_until_each_is_unregistered_once() {
        let hub = Hub::default();
        let a = hub.register("t", "a", NONE, 4);
        let b = hub.register("t", "a", NONE, 4);
        assert_eq!(hub.open_sockets(), 2);
        hub.unregister("t", "a", a.id);
        hub.unregister("t", "a", a.id);
        assert_eq!(hub.open_sockets(), 1, "a second unregister of the same socket counts nothing");
        hub.unregister("t", "a", b.id);
        assert_eq!(hub.open_sockets(), 0);
    }

    #[tokio::test]
    async fn a_full_queue_closes_its_socket_with_try_again() {
        let hub = Hub::default();
        let slow = hub.register("t", "a", NONE, 1);
        hub.deliver(&event(&["a"]));
        hub.deliver(&event(&["a"]));
        assert_eq!(slow.kick.requested().await, close::TRY_AGAIN);
    }

    #[tokio::test]
    async fn unregistering_forgets_the_socket() {
        let hub = Hub::default();
        let r = hub.register("t", "a", NONE, 1);
        assert_eq!(hub.count("t", "a"), 1);
        hub.unregister("t", "a", r.id);
        assert_eq!(hub.count("t", "a"), 0);
    }

    #[tokio::test]
    async fn a_revocation_closes_only_the_sockets_it_names_and_they_get_nothing_more() {
        let (s1, s2, k1) = (ulid::Ulid::new().to_string(), ulid::Ulid::new().to_string(), ulid::Ulid::new().to_string());
        let hub = Hub::default();
        let mut in_s1 = hub.register("t", "a", Credential::Session(compact(&s1)), 4);
        let mut in_s2 = hub.register("t", "a", Credential::Session(compact(&s2)), 4);
        let by_key = hub.register("t", "b", Credential::ApiKey(compact(&k1)), 4);
        let same_key_other_tenant = hub.register("u", "b", Credential::ApiKey(compact(&k1)), 4);
        let sessions = Revocation::Sessions { session_ids: vec![s1.clone()] };
        hub.deliver(&Event::revocation("t", vec!["a".into()], sessions));
        assert!(in_s1.kick.is_revoked() && !in_s2.kick.is_revoked());
        assert_eq!(in_s1.kick.requested().await, close::POLICY);
        hub.deliver(&event(&["a"]));
        assert!(in_s1.outbox.try_recv().is_err(), "a revoked socket is sent nothing");
        assert!(in_s2.outbox.try_recv().is_ok());

        assert_eq!(hub.revoke("t", &[], &Revocation::ApiKey { key_id: k1 }), 1);
        assert!(by_key.kick.is_revoked() && !same_key_other_tenant.kick.is_revoked());
        assert_eq!(hub.revoke("t", &["a".into()], &Revocation::Users), 2);
        assert!(in_s2.kick.is_revoked());
    }

    #[tokio::test]
    async fn watchers_get_their_conversations_events_once_until_they_stop() {
        let hub = Hub::default();
        let mut watcher = hub.register("t", "m", NONE, 8);
        let mut member_watching = hub.register("t", "a", NONE, 8);
        let mut elsewhere = hub.register("u", "m", NONE, 8);
        assert!(hub.watch("t", "m", watcher.id, Some("c")));
        assert!(hub.watch("t", "a", member_watching.id, Some("c")));
        assert!(hub.watch("u", "m", elsewhere.id, Some("c")));
        hub.deliver(&event(&["a"]));
        assert!(watcher.outbox.try_recv().is_ok());
        assert!(member_watching.outbox.try_recv().is_ok());
        assert!(member_watching.outbox.try_recv().is_err(), "once, though both in the audience and watching");
        assert!(elsewhere.outbox.try_recv().is_err(), "only the event's tenant");
        let presence = crate::events::Payload::Presence(crate::events::Presence { user_id: "a".into(), online: true });
        hub.deliver(&Event::new("t", vec![], &presence));
        assert!(watcher.outbox.try_recv().is_err(), "nothing outside the conversation");

        assert!(hub.watch("t", "m", watcher.id, None));
        hub.deliver(&event(&[]));
        assert!(watcher.outbox.try_recv().is_err());
        assert!(hub.watch("t", "m", watcher.id, Some("c")));
        hub.deliver(&Event::revocation("t", vec!["m".into()], Revocation::Watching));
        hub.deliver(&event(&[]));
        assert!(watcher.outbox.try_recv().is_err(), "a role taken away ends the watch");
        assert!(!watcher.kick.is_revoked(), "and leaves the socket open");
        hub.unregister("t", "m", watcher.id);
        assert!(!hub.watch("t", "m", watcher.id, Some("c")), "a closed socket watches nothing");
    }

    #[test]
    fn a_revocation_never_reaches_a_client() {
        let hub = Hub::default();
        let mut a = hub.register("t", "a", NONE, 4);
        hub.deliver(&Event::revocation("t", vec!["b".into()], Revocation::Users));
        assert!(a.outbox.try_recv().is_err());
        assert!(!a.kick.is_revoked());
    }
}
