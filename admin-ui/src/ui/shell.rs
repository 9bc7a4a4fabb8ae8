//! The layout every screen sits in (header, navigation, main area) and the screen for an
//! account below moderator.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::audit_log::AuditLog;
use super::conversations::Conversations;
use super::dashboard::Dashboard;
use super::live::{Live, LiveBadge};
use super::reports::Reports;
use super::routes::{Router, Screen};
use super::session::{Auth, Session};
use super::tickets::Tickets;
use super::users::Users;

/// Moves keyboard focus to the new screen's heading, so a screen reader announces it and
/// the next Tab starts inside the screen.
pub fn focus_heading() {
    request_animation_frame(|| {
        let heading = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("screen-title"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.focus();
        }
    });
}

#[component]
fn NavLink(screen: Screen, router: Router) -> impl IntoView {
    let on_click = move |ev: MouseEvent| {
        // Let the browser open a new tab or window when asked to.
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        router.go(screen);
        focus_heading();
    };
    view! {
        <li>
            <a
                href=screen.path()
                class="nav-link"
                aria-current=move || (router.screen.get() == screen).then_some("page")
                on:click=on_click
            >
                {screen.title()}
            </a>
        </li>
    }
}

#[component]
fn AccountBar(session: Session) -> impl IntoView {
    let auth = Auth::use_context();
    view! {
        <div class="account">
            <span class="account-name">{session.display_name()}</span>
            <span class="role-badge">{session.account.role.clone()}</span>
            <span class="tenant-name">{session.tenant.name.clone()}</span>
            <button type="button" class="button secondary" on:click=move |_| auth.sign_out()>
                "Sign out"
            </button>
        </div>
    }
}

#[component]
pub fn Shell(router: Router) -> impl IntoView {
    let auth = Auth::use_context();
    let session = auth.session.get_untracked();
    Live::provide(auth);
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <span class="brand-group">
                <span class="brand">"Confab " <span class="brand-sub">"admin"</span></span>
                <LiveBadge />
            </span>
            {session.map(|session| view! { <AccountBar session=session /> })}
        </header>
        <div class="layout">
            <nav class="sidebar" aria-label="Sections">
                <ul>
                    {Screen::NAV.into_iter().map(|screen| view! { <NavLink screen=screen router=router /> }).collect_view()}
                </ul>
            </nav>
            <main id="main" class="content">
                {move || {
                    let screen = router.screen.get();
                    match screen {
                        Screen::Dashboard => view! { <Dashboard /> }.into_any(),
                        Screen::Conversations => view! { <Conversations /> }.into_any(),
                        Screen::Reports => view! { <Reports /> }.into_any(),
                        Screen::Users => view! { <Users /> }.into_any(),
                        Screen::Tickets => view! { <Tickets /> }.into_any(),
                        Screen::AuditLog => view! { <AuditLog /> }.into_any(),
                        Screen::NotFound => view! { <NotFound router=router /> }.into_any(),
                    }
                }}
            </main>
        </div>
    }
}

#[component]
fn NotFound(router: Router) -> impl IntoView {
    view! {
        <h1 id="screen-title" tabindex="-1">"Page not found"</h1>
        <section class="panel state">
            <p>"The console has no page at this address."</p>
            <p>
                <a href="/admin/" on:click=move |ev: MouseEvent| {
                    ev.prevent_default();
                    router.go(Screen::Dashboard);
                    focus_heading();
                }>"Go to the dashboard"</a>
            </p>
        </section>
    }
}

/// Shown to a signed-in account below moderator: the console is not for them.
#[component]
pub fn NoAccess(session: Session) -> impl IntoView {
    let auth = Auth::use_context();
    view! {
        <main id="main" class="center-page">
            <section class="panel card-narrow" role="alert">
                <h1 id="screen-title">"No access"</h1>
                <p>
                    "You are signed in as " <strong>{session.display_name()}</strong> " ("
                    {session.account.role.clone()} "), but the admin console is only for moderators, admins and superadmins."
                </p>
                <p class="muted">"Ask an admin of your tenant if you need access."</p>
                <button type="button" class="button" on:click=move |_| auth.sign_out()>"Sign out"</button>
            </section>
        </main>
    }
}
