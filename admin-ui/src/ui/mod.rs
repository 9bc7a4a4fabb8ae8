//! The console's screens. Routing is a small signal over `location.pathname` (under
//! `/admin/`), kept in step with the browser's history; the server answers `index.html` for
//! every such path, so a reload or a shared link lands on the same screen.

mod api;
mod audit_log;
mod chart;
mod common;
mod conversation;
mod conversations;
mod dashboard;
mod live;
mod people;
mod reports;
mod routes;
mod session;
mod shell;
mod signin;
mod ticket_panel;
mod tickets;
mod users;

use leptos::prelude::*;

use routes::Router;
use session::Auth;

#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::provide();
    let router = Router::provide();
    // Who is signed in and whether they may moderate, not the session itself: a refreshed
    // token must not draw the shell again (that would reset the screen on show).
    let access = Memo::new(move |_| auth.session.with(|s| s.as_ref().map(|s| (s.account.id.clone(), s.may_moderate()))));
    view! {
        {move || match access.get() {
            None => view! { <signin::SignIn /> }.into_any(),
            Some((_, false)) => match auth.session.get_untracked() {
                Some(session) => view! { <shell::NoAccess session=session /> }.into_any(),
                None => view! { <signin::SignIn /> }.into_any(),
            },
            Some(_) => view! { <shell::Shell router=router /> }.into_any(),
        }}
    }
}
