//! The Conversations screen.

use leptos::prelude::*;

use super::common::ScreenTitle;
use super::routes::Screen;

#[component]
pub fn Conversations() -> impl IntoView {
    view! {
        <ScreenTitle title=Screen::Conversations.title() />
        <section class="panel state state-next" aria-live="polite">
            <h2>"Coming next"</h2>
            <p>"Browse every conversation of the tenant, read its messages and remove messages."</p>
        </section>
    }
}
