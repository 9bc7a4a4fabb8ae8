//! Pieces every screen shares: the state of a load, its loading, empty and error panels in
//! words, a pager, and times shown in the reader's own clock.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{ApiError, Pagination};
use super::session::Auth;

/// What a screen (or a part of one) has to show.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Failed(ApiError),
    Ready(T),
}

/// Runs `call` with the current access token and puts its answer into `state`; a refused
/// token ends the session.
pub fn load_into<T, F, Fut>(auth: Auth, state: RwSignal<Load<T>>, call: F)
where
    T: Send + Sync + 'static,
    F: FnOnce(String) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let Some(token) = auth.access_token() else { return };
    if !state.with_untracked(|s| matches!(s, Load::Ready(_))) {
        state.set(Load::Loading);
    }
    spawn_local(async move {
        match call(token).await {
            Ok(value) => state.set(Load::Ready(value)),
            Err(error) => {
                auth.expired(&error);
                state.set(Load::Failed(error));
            }
        }
    });
}

/// Like `load_into`, for a state loaded again and again (filters, live updates): `latest`
/// counts the loads, and an answer overtaken by a newer load is dropped, so a slow answer
/// never replaces a newer one.
pub fn load_latest<T, F, Fut>(auth: Auth, state: RwSignal<Load<T>>, latest: StoredValue<u64>, call: F)
where
    T: Send + Sync + 'static,
    F: FnOnce(String) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let Some(token) = auth.access_token() else { return };
    latest.update_value(|n| *n += 1);
    let mine = latest.get_value();
    if !state.with_untracked(|s| matches!(s, Load::Ready(_))) {
        state.set(Load::Loading);
    }
    spawn_local(async move {
        let answer = call(token).await;
        if latest.try_get_value() != Some(mine) {
            return;
        }
        match answer {
            Ok(value) => state.set(Load::Ready(value)),
            Err(error) => {
                auth.expired(&error);
                state.set(Load::Failed(error));
            }
        }
    });
}

/// Runs an action (a change the person asked for) and reports how it went through
/// `outcome`: `Ok(done)` with words for a success, `Err` with the server's refusal in words.
pub fn act<T, F, Fut>(
    auth: Auth,
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<Result<String, String>>>,
    done: String,
    call: F,
    then: impl FnOnce(T) + 'static,
) where
    T: 'static,
    F: FnOnce(String) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let Some(token) = auth.access_token() else { return };
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    outcome.set(None);
    spawn_local(async move {
        let result = call(token).await;
        busy.set(false);
        match result {
            Ok(value) => {
                outcome.set(Some(Ok(done)));
                then(value);
            }
            Err(error) => {
                auth.expired(&error);
                outcome.set(Some(Err(error.message)));
            }
        }
    });
}

#[component]
pub fn ScreenTitle(#[prop(into)] title: String) -> impl IntoView {
    view! { <h1 id="screen-title" tabindex="-1">{title}</h1> }
}

#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! { <section class="panel state" aria-busy="true"><p>{what}</p></section> }
}

#[component]
pub fn Empty(#[prop(into)] what: String) -> impl IntoView {
    view! { <section class="panel state state-empty"><p>{what}</p></section> }
}

/// A failed load, in words, with a way to try again.
#[component]
pub fn Failed(#[prop(into)] title: String, error: ApiError, retry: Callback<()>) -> impl IntoView {
    view! {
        <section class="panel state state-error" role="alert">
            <h2>{title}</h2>
            <p>{error.message}</p>
            <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
        </section>
    }
}

/// The result of the last action: a success in words, or the refusal in words.
#[component]
pub fn Outcome(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    view! {
        <div class="outcome" aria-live="polite">
            {move || outcome.get().map(|result| match result {
                Ok(words) => view! { <p class="notice" role="status">{words}</p> }.into_any(),
                Err(words) => view! { <p class="error" role="alert">{words}</p> }.into_any(),
            })}
        </div>
    }
}

/// Previous and next page buttons with where this page sits.
#[component]
pub fn Pager(pagination: Pagination, page: RwSignal<i64>) -> impl IntoView {
    let Pagination { page: current, total, total_pages, .. } = pagination;
    (total_pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                <button type="button" class="button secondary" prop:disabled=current <= 1 on:click=move |_| page.set(current - 1)>
                    "Previous"
                </button>
                <span>{format!("Page {current} of {total_pages} ({total} in all)")}</span>
                <button type="button" class="button secondary" prop:disabled=current >= total_pages on:click=move |_| page.set(current + 1)>
                    "Next"
                </button>
            </nav>
        }
    })
}

/// A message's text in a list: its body and attached file's name, or a marker once it was
/// deleted for everyone.
#[component]
pub fn MessageText(body: String, deleted: bool, file_name: Option<String>) -> impl IntoView {
    if deleted {
        view! { <span class="deleted">"Message deleted"</span> }.into_any()
    } else {
        view! { <span class="context-body">{body}{file_name.map(|f| format!(" [file: {f}]"))}</span> }.into_any()
    }
}

/// An RFC 3339 time as the reader's local date and time, to the minute.
pub fn when(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A short id for tables, the whole id in its title.
pub fn short_id(id: &str) -> String {
    let tail: String = id.chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}
