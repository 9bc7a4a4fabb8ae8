//! The screens of the console and their addresses under `/admin/`.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Dashboard,
    Conversations,
    Reports,
    Users,
    Tickets,
    AuditLog,
    NotFound,
}

impl Screen {
    /// The screens the navigation lists, in its order.
    pub const NAV: [Screen; 6] =
        [Screen::Dashboard, Screen::Conversations, Screen::Reports, Screen::Users, Screen::Tickets, Screen::AuditLog];

    pub fn path(self) -> &'static str {
        match self {
            Screen::Dashboard | Screen::NotFound => "/admin/",
            Screen::Conversations => "/admin/conversations",
            Screen::Reports => "/admin/reports",
            Screen::Users => "/admin/users",
            Screen::Tickets => "/admin/tickets",
            Screen::AuditLog => "/admin/audit-log",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Screen::Dashboard => "Dashboard",
            Screen::Conversations => "Conversations",
            Screen::Reports => "Reports",
            Screen::Users => "Users",
            Screen::Tickets => "Tickets",
            Screen::AuditLog => "Audit log",
            Screen::NotFound => "Page not found",
        }
    }

    fn from_path(path: &str) -> Screen {
        let rest = path.strip_prefix("/admin").unwrap_or(path).trim_end_matches('/');
        match rest {
            "" => Screen::Dashboard,
            "/conversations" => Screen::Conversations,
            "/reports" => Screen::Reports,
            "/users" => Screen::Users,
            "/tickets" => Screen::Tickets,
            "/audit-log" => Screen::AuditLog,
            _ => Screen::NotFound,
        }
    }
}

fn current_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
}

/// The screen on show, following links and the browser's back and forward buttons.
#[derive(Clone, Copy)]
pub struct Router {
    pub screen: RwSignal<Screen>,
}

impl Router {
    pub fn provide() -> Router {
        let router = Router { screen: RwSignal::new(Screen::from_path(&current_path())) };
        let handle = window_event_listener(leptos::ev::popstate, move |_| router.screen.set(Screen::from_path(&current_path())));
        // The listener lives as long as the page.
        std::mem::forget(handle);
        provide_context(router);
        router
    }

    pub fn go(self, screen: Screen) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(screen.path()));
        }
        self.screen.set(screen);
    }
}
