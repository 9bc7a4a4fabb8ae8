//! The console's WebSocket: events for the tenant's moderators (reports) and for the one
//! conversation a moderator has open (`watch`), handed to the screens that subscribe. It
//! reconnects with the current access token after any close (tokens are refreshed, and a
//! socket closes when the token it opened with expires), then tells subscribers with a
//! `reconnected` event so they fetch what they may have missed.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::session::Auth;

/// Whether events are arriving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Open,
    Offline,
}

type Handler = Rc<dyn Fn(&Value)>;

#[derive(Default)]
struct Inner {
    socket: Option<WebSocket>,
    handlers: Vec<(u64, Handler)>,
    next_handler: u64,
    /// The conversation the moderator has open, watched again after a reconnect.
    watching: Option<String>,
    /// Bumped when the console stops the socket, so a pending reconnect gives up.
    generation: u64,
    failures: u32,
}

thread_local! {
    static INNER: RefCell<Inner> = RefCell::new(Inner::default());
}

/// The live connection, shared through context while the console shell is on screen.
#[derive(Clone, Copy)]
pub struct Live {
    pub state: RwSignal<LiveState>,
}

impl Live {
    /// Opens the socket for the signed-in session; it closes when the shell goes away.
    pub fn provide(auth: Auth) -> Live {
        let live = Live { state: RwSignal::new(LiveState::Connecting) };
        provide_context(live);
        let generation = INNER.with_borrow_mut(|inner| {
            inner.generation += 1;
            inner.generation
        });
        live.connect(auth, generation);
        on_cleanup(move || {
            INNER.with_borrow_mut(|inner| {
                inner.generation += 1;
                inner.watching = None;
                if let Some(socket) = inner.socket.take() {
                    let _ = socket.close();
                }
            });
        });
        live
    }

    pub fn use_context() -> Live {
        expect_context::<Live>()
    }

    /// Calls `handler` with every event until the calling component goes away.
    pub fn subscribe(self, handler: impl Fn(&Value) + 'static) {
        let id = INNER.with_borrow_mut(|inner| {
            inner.next_handler += 1;
            let id = inner.next_handler;
            inner.handlers.push((id, Rc::new(handler)));
            id
        });
        on_cleanup(move || INNER.with_borrow_mut(|inner| inner.handlers.retain(|(h, _)| *h != id)));
    }

    /// Receives the events of `conversation_id` (or of none) from now on.
    pub fn watch(self, conversation_id: Option<String>) {
        INNER.with_borrow_mut(|inner| {
            inner.watching = conversation_id.clone();
            if let Some(socket) = inner.socket.as_ref().filter(|s| s.ready_state() == WebSocket::OPEN) {
                let _ = socket.send_with_str(&json!({"type": "watch", "conversation_id": conversation_id}).to_string());
            }
        });
    }

    /// Stops watching `conversation_id`, unless another conversation is watched by now (the
    /// screen that opened it may go away after the next one asked).
    pub fn unwatch(self, conversation_id: &str) {
        if INNER.with_borrow(|inner| inner.watching.as_deref() == Some(conversation_id)) {
            self.watch(None);
        }
    }

    fn connect(self, auth: Auth, generation: u64) {
        let Some(token) = auth.access_token() else { return };
        let Some(location) = web_sys::window().map(|w| w.location()) else { return };
        let scheme = if location.protocol().ok().as_deref() == Some("https:") { "wss" } else { "ws" };
        let host = location.host().unwrap_or_default();
        let url = format!("{scheme}://{host}/v1/chat/ws?token={}", String::from(js_sys::encode_uri_component(&token)));
        let Ok(socket) = WebSocket::new(&url) else {
            self.retry(auth, generation);
            return;
        };
        self.state.set(LiveState::Connecting);

        let on_open = Closure::<dyn FnMut()>::new(move || {
            let reconnect = INNER.with_borrow_mut(|inner| {
                let again = inner.failures > 0;
                inner.failures = 0;
                if let (Some(socket), Some(id)) = (inner.socket.as_ref(), inner.watching.as_ref()) {
                    let _ = socket.send_with_str(&json!({"type": "watch", "conversation_id": id}).to_string());
                }
                again
            });
            self.state.set(LiveState::Open);
            if reconnect {
                dispatch(&json!({"type": "reconnected"}));
            }
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                dispatch(&value);
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_event: CloseEvent| {
            let current = INNER.with_borrow(|inner| inner.generation == generation);
            if current {
                self.state.set(LiveState::Offline);
                self.retry(auth, generation);
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // The handlers live as long as their socket, which the browser keeps while open.
        on_open.forget();
        on_message.forget();
        on_close.forget();
        INNER.with_borrow_mut(|inner| inner.socket = Some(socket));
    }

    /// Reconnects after a pause that grows with each failure, up to half a minute.
    fn retry(self, auth: Auth, generation: u64) {
        let failures = INNER.with_borrow_mut(|inner| {
            inner.socket = None;
            inner.failures += 1;
            inner.failures
        });
        let delay = Duration::from_millis((500u64 << failures.min(6)).min(30_000));
        set_timeout(
            move || {
                if INNER.with_borrow(|inner| inner.generation == generation) && auth.session.get_untracked().is_some() {
                    self.connect(auth, generation);
                }
            },
            delay,
        );
    }
}

fn dispatch(event: &Value) {
    // Handlers run outside the borrow: one may subscribe, watch or unmount.
    let handlers: Vec<Handler> = INNER.with_borrow(|inner| inner.handlers.iter().map(|(_, h)| h.clone()).collect());
    for handler in handlers {
        handler(event);
    }
}

/// A small badge saying whether the console is receiving live updates.
#[component]
pub fn LiveBadge() -> impl IntoView {
    let live = Live::use_context();
    view! {
        <span class="live-badge" role="status" data-state=move || format!("{:?}", live.state.get()).to_lowercase()>
            {move || match live.state.get() {
                LiveState::Open => "Live",
                LiveState::Connecting => "Connecting…",
                LiveState::Offline => "Offline, reconnecting…",
            }}
        </span>
    }
}
