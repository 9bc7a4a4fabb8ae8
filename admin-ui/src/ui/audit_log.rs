//! The AuditLog screen.

use leptos::prelude::*;

use super::common::ScreenTitle;
use super::routes::Screen;

#[component]
pub fn AuditLog() -> impl IntoView {
    view! {
        <ScreenTitle title=Screen::AuditLog.title() />
        <section class="panel state state-next" aria-live="polite">
            <h2>"Coming next"</h2>
            <p>"Who did which privileged action, and when."</p>
        </section>
    }
}
