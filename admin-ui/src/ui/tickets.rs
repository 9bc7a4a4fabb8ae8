//! The Tickets screen.

use leptos::prelude::*;

use super::common::ScreenTitle;
use super::routes::Screen;

#[component]
pub fn Tickets() -> impl IntoView {
    view! {
        <ScreenTitle title=Screen::Tickets.title() />
        <section class="panel state state-next" aria-live="polite">
            <h2>"Coming next"</h2>
            <p>"The support queue: assign, change status and priority, reply."</p>
        </section>
    }
}
