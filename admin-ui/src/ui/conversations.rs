//! The Conversations screen: every conversation of the tenant, newest activity first, with
//! filters by kind, participant and words, or a search through the text of every message.
//! Opening one (its address is `/admin/conversations?open=<id>`) shows its messages live;
//! see `conversation`.

use leptos::prelude::*;
use serde::Deserialize;

use super::api::{self, Page};
use super::common::{load_into, short_id, when, Empty, Failed, Load, Loading, Pager, ScreenTitle};
use super::conversation::ConversationView;
use super::routes::Screen;
use super::session::Auth;
use super::shell::focus_heading;

/// The kinds the API filters by, with the words shown for each.
const KINDS: [(&str, &str); 4] = [("direct", "Direct"), ("group", "Group"), ("shop", "Shop"), ("ticket", "Ticket")];

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ConversationRow {
    pub id: String,
    pub kind: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub last_seq: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ConversationRow {
    /// Its name, or words for its kind when it has none.
    pub fn title(&self) -> String {
        if let Some(name) = self.name.clone().filter(|n| !n.trim().is_empty()) {
            return name;
        }
        match self.kind.as_str() {
            "direct" => "Direct conversation",
            "group" => "Unnamed group",
            "shop" => "Shop conversation",
            "ticket" => "Support ticket",
            _ => "Conversation",
        }
        .to_owned()
    }
}

pub fn kind_words(kind: &str) -> &str {
    KINDS.iter().find(|(k, _)| *k == kind).map_or(kind, |(_, words)| words)
}

/// A parameter of the address's query string, decoded.
fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let raw = search.trim_start_matches('?').split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?;
    let value = js_sys::decode_uri_component(&raw.replace('+', " ")).ok().map(String::from)?;
    (!value.is_empty()).then_some(value)
}

/// Puts the open conversation (or none) into the address, so a reload or a shared link
/// shows the same thing and the browser's back button closes it.
fn remember(open: Option<&str>) {
    let path = match open {
        Some(id) => format!("{}?open={}", Screen::Conversations.path(), String::from(js_sys::encode_uri_component(id))),
        None => Screen::Conversations.path().to_owned(),
    };
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

#[component]
pub fn Conversations() -> impl IntoView {
    let open = RwSignal::new(query_param("open"));
    let handle = window_event_listener(leptos::ev::popstate, move |_| open.set(query_param("open")));
    on_cleanup(move || handle.remove());
    // Filters live here, so they are as they were on coming back from a conversation.
    let filters = Filters::default();

    let show = Callback::new(move |id: String| {
        remember(Some(&id));
        open.set(Some(id));
        focus_heading();
    });
    let back = Callback::new(move |_| {
        remember(None);
        open.set(None);
        focus_heading();
    });
    view! {
        {move || match open.get() {
            Some(id) => view! { <ConversationView id=id on_back=back /> }.into_any(),
            None => view! { <ConversationList filters=filters on_open=show /> }.into_any(),
        }}
    }
}

#[derive(Clone, Copy)]
struct Filters {
    q: RwSignal<String>,
    kind: RwSignal<String>,
    user_id: RwSignal<String>,
    /// "conversations", or "messages" to search the text of every message.
    mode: RwSignal<&'static str>,
    page: RwSignal<i64>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            q: RwSignal::new(String::new()),
            kind: RwSignal::new(String::new()),
            user_id: RwSignal::new(query_param("user_id").unwrap_or_default()),
            mode: RwSignal::new("conversations"),
            page: RwSignal::new(1),
        }
    }
}

#[component]
fn ConversationList(filters: Filters, on_open: Callback<String>) -> impl IntoView {
    let auth = Auth::use_context();
    let Filters { q, kind, user_id, mode, page } = filters;
    let list = RwSignal::new(Load::<Page<ConversationRow>>::Loading);
    let hits = RwSignal::new(Load::<Page<Hit>>::Loading);

    let fetch = move || {
        let page_no = page.get_untracked().to_string();
        if mode.get_untracked() == "messages" {
            if q.get_untracked().trim().is_empty() {
                hits.set(Load::Ready(Page {
                    data: Vec::new(),
                    pagination: api::Pagination { page: 1, per_page: 20, total: 0, total_pages: 0 },
                }));
                return;
            }
            let path = api::with_query("/v1/admin/messages/search", &[("q", q.get_untracked()), ("page", page_no)]);
            load_into(auth, hits, move |token| async move { api::get_page::<Hit>(&token, &path).await });
        } else {
            let path = api::with_query(
                "/v1/admin/conversations",
                &[("q", q.get_untracked()), ("kind", kind.get_untracked()), ("user_id", user_id.get_untracked()), ("page", page_no)],
            );
            load_into(auth, list, move |token| async move { api::get_page::<ConversationRow>(&token, &path).await });
        }
    };
    // The kind, the mode and the page load again at once; words wait for the form.
    Effect::new(move |_| {
        kind.track();
        mode.track();
        page.track();
        fetch();
    });
    let messages_mode = move || mode.get() == "messages";

    view! {
        <ScreenTitle title=Screen::Conversations.title() />
        <form class="panel filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            if page.get_untracked() == 1 { fetch() } else { page.set(1) }
        }>
            <div class="field">
                <label for="conversations-mode">"Look in"</label>
                <select id="conversations-mode" on:change=move |ev| {
                    mode.set(if event_target_value(&ev) == "messages" { "messages" } else { "conversations" });
                    page.set(1);
                }>
                    <option value="conversations" selected=move || !messages_mode()>"Conversations"</option>
                    <option value="messages" selected=messages_mode>"Message text"</option>
                </select>
            </div>
            <div class="field grow">
                <label for="conversations-q">"Search"</label>
                <input id="conversations-q" type="search" maxlength="200"
                    placeholder=move || if messages_mode() { "Words in any message" } else { "Group name or participant" }
                    prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
            </div>
            <Show when=move || !messages_mode()>
                <div class="field">
                    <label for="conversations-kind">"Kind"</label>
                    <select id="conversations-kind" on:change=move |ev| { kind.set(event_target_value(&ev)); page.set(1); }>
                        <option value="" selected=move || kind.get().is_empty()>"Any kind"</option>
                        {KINDS.into_iter().map(|(value, words)| view! {
                            <option value=value selected=move || kind.get() == value>{words}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="conversations-user">"Participant (user id)"</label>
                    <input id="conversations-user" type="text" maxlength="40" spellcheck="false"
                        prop:value=move || user_id.get() on:input=move |ev| user_id.set(event_target_value(&ev)) />
                </div>
            </Show>
            <button type="submit" class="button">"Search"</button>
        </form>
        {move || if messages_mode() {
            match hits.get() {
                Load::Loading => view! { <Loading what="Searching messages…" /> }.into_any(),
                Load::Failed(error) => view! { <Failed title="The search failed" error=error retry=Callback::new(move |_| fetch()) /> }.into_any(),
                Load::Ready(_) if q.get_untracked().trim().is_empty() => view! { <Empty what="Type words to find in any message, then Search." /> }.into_any(),
                Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No messages match." /> }.into_any(),
                Load::Ready(p) => view! { <Hits hits=p.data.clone() on_open=on_open /> <Pager pagination=p.pagination page=page /> }.into_any(),
            }
        } else {
            match list.get() {
                Load::Loading => view! { <Loading what="Loading conversations…" /> }.into_any(),
                Load::Failed(error) => view! { <Failed title="The conversations could not be loaded" error=error retry=Callback::new(move |_| fetch()) /> }.into_any(),
                Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No conversations match." /> }.into_any(),
                Load::Ready(p) => view! { <Table rows=p.data.clone() on_open=on_open /> <Pager pagination=p.pagination page=page /> }.into_any(),
            }
        }}
    }
}

#[component]
fn Table(rows: Vec<ConversationRow>, on_open: Callback<String>) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <table class="table conversations-table">
                <caption class="sr-only">"Conversations, newest activity first"</caption>
                <thead>
                    <tr><th scope="col">"Conversation"</th><th scope="col">"Kind"</th>
                        <th scope="col">"Last activity"</th><th scope="col" class="num">"Messages"</th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let id = row.id.clone();
                        let open_row = id.clone();
                        view! {
                            // The title is a real button (Enter and Space open it); the whole row answers a click.
                            <tr class="conversation-row" on:click=move |_| on_open.run(open_row.clone())>
                                <td data-label="Conversation">
                                    <button type="button" class="link-button" on:click=move |ev| {
                                        ev.stop_propagation();
                                        on_open.run(id.clone());
                                    }>{row.title()}</button>
                                    <div class="muted small" title=row.id.clone()>{short_id(&row.id)}</div>
                                </td>
                                <td data-label="Kind"><span class="badge">{kind_words(&row.kind).to_owned()}</span></td>
                                <td data-label="Last activity">{when(&row.updated_at)}</td>
                                <td data-label="Messages" class="num">{row.last_seq}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A message found by its text, with the part of it that matched.
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Hit {
    conversation_id: String,
    body: String,
    created_at: String,
    #[serde(default)]
    highlight: Option<Vec<Piece>>,
}

/// A piece of a hit's snippet, and whether it is a matched word.
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Piece {
    text: String,
    matched: bool,
}

/// The snippet with its matched words marked, or the whole text when the index gave none.
/// The pieces are text, never markup.
fn snippet(hit: &Hit) -> AnyView {
    match &hit.highlight {
        Some(pieces) if !pieces.is_empty() => pieces
            .iter()
            .map(|p| match p.matched {
                true => view! { <mark>{p.text.clone()}</mark> }.into_any(),
                false => p.text.clone().into_any(),
            })
            .collect_view()
            .into_any(),
        _ => hit.body.clone().into_any(),
    }
}

/// Messages found by their text, best match first, each a way into its conversation.
#[component]
fn Hits(hits: Vec<Hit>, on_open: Callback<String>) -> impl IntoView {
    view! {
        <ul class="hits" aria-label="Messages found">
            {hits.into_iter().map(|hit| {
                let conversation = hit.conversation_id.clone();
                view! {
                    <li class="panel hit">
                        <p class="hit-body">{snippet(&hit)}</p>
                        <p class="muted small">{when(&hit.created_at)}" · in conversation "
                            <span title=hit.conversation_id.clone()>{short_id(&hit.conversation_id)}</span></p>
                        <button type="button" class="button secondary" on:click=move |_| on_open.run(conversation.clone())>
                            "Open conversation"
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
