//! One conversation as a moderator reads it: who is and was in it, its messages oldest at
//! the top with older pages on request, attachments, and messages removed for everyone shown
//! as such. A moderator removes a message after confirming. While it is open the console's
//! socket watches it: new messages appear and changes apply in place, and after a reconnect
//! everything is fetched again.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::Value;

use super::api;
use super::common::{act, load_into, short_id, when, Failed, Load, Loading, Outcome};
use super::conversations::{kind_words, ConversationRow};
use super::live::{Live, LiveState};
use super::session::Auth;

/// Messages fetched per page.
const PER_PAGE: i64 = 50;

/// A message as the API and the socket's events show it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Msg {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    pub file_url: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub file_type: Option<String>,
    pub edited_at: Option<String>,
    pub deleted: bool,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Member {
    user_id: String,
    username: String,
    display_name: Option<String>,
    role: String,
    left_at: Option<String>,
}

impl Member {
    fn name(&self) -> String {
        self.display_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| self.username.clone())
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Detail {
    #[serde(flatten)]
    conversation: ConversationRow,
    members: Vec<Member>,
}

/// The messages loaded so far, oldest first, and the next older page, if any.
#[derive(Clone, Debug, PartialEq)]
struct Thread {
    messages: Vec<Msg>,
    older: Option<i64>,
}

impl Thread {
    /// Adds messages or replaces the ones it has (by id), keeping the order of `seq`.
    fn merge(&mut self, incoming: Vec<Msg>) {
        for message in incoming {
            match self.messages.iter_mut().find(|m| m.id == message.id) {
                Some(known) => *known = message,
                None => self.messages.push(message),
            }
        }
        self.messages.sort_by_key(|m| m.seq);
    }
}

fn messages_path(id: &str, page: i64) -> String {
    api::with_query(&format!("/v1/admin/conversations/{id}/messages"), &[("page", page.to_string()), ("per_page", PER_PAGE.to_string())])
}

/// A size in bytes in words.
fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn scroll_to_end(scroller: NodeRef<Div>) {
    request_animation_frame(move || {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}

fn near_end(scroller: NodeRef<Div>) -> bool {
    scroller.get_untracked().is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 80)
}

#[component]
pub fn ConversationView(id: String, on_back: Callback<()>) -> impl IntoView {
    let auth = Auth::use_context();
    let live = Live::use_context();
    let id = StoredValue::new(id);
    let detail = RwSignal::new(Load::<Detail>::Loading);
    let thread = RwSignal::new(Load::<Thread>::Loading);
    // Events that arrive while the first page is on its way, applied once it is here.
    let pending = StoredValue::new(Vec::<Msg>::new());
    let older_busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let scroller = NodeRef::<Div>::new();
    // Whether the server confirmed that this conversation's events come to this console.
    let watched = RwSignal::new(false);

    let fetch_detail = move || {
        let path = format!("/v1/admin/conversations/{}", id.get_value());
        load_into(auth, detail, move |token| async move { api::get::<Detail>(&token, &path).await });
    };
    let fetch_newest = move || {
        let Some(token) = auth.access_token() else { return };
        let path = messages_path(&id.get_value(), 1);
        spawn_local(async move {
            match api::get_page::<Msg>(&token, &path).await {
                Ok(page) => {
                    let mut messages = page.data;
                    messages.reverse();
                    let mut fresh = Thread { messages, older: (page.pagination.total_pages > 1).then_some(2) };
                    fresh.merge(pending.try_update_value(std::mem::take).unwrap_or_default());
                    thread.set(Load::Ready(fresh));
                    scroll_to_end(scroller);
                }
                Err(error) => {
                    auth.expired(&error);
                    thread.set(Load::Failed(error));
                }
            }
        });
    };
    let load_older = move |_| {
        let Some(page_no) = thread.with_untracked(|t| if let Load::Ready(t) = t { t.older } else { None }) else { return };
        let Some(token) = auth.access_token() else { return };
        let path = messages_path(&id.get_value(), page_no);
        older_busy.set(true);
        spawn_local(async move {
            let result = api::get_page::<Msg>(&token, &path).await;
            older_busy.set(false);
            match result {
                Ok(page) => {
                    let before = scroller.get_untracked().map(|el| el.scroll_height());
                    thread.update(|t| {
                        if let Load::Ready(t) = t {
                            t.merge(page.data);
                            t.older = (page_no < page.pagination.total_pages).then_some(page_no + 1);
                        }
                    });
                    // Keep the message that was at the top in view.
                    request_animation_frame(move || {
                        if let (Some(el), Some(before)) = (scroller.get_untracked(), before) {
                            el.set_scroll_top(el.scroll_top() + el.scroll_height() - before);
                        }
                    });
                }
                Err(error) => {
                    auth.expired(&error);
                    outcome.set(Some(Err(error.message)));
                }
            }
        });
    };

    fetch_detail();
    fetch_newest();
    let watching = id.get_value();
    live.watch(Some(watching.clone()));
    // Not read from `id` there: the component's values may be gone when it is cleaned up.
    on_cleanup(move || live.unwatch(&watching));
    live.subscribe(move |event: &Value| {
        let kind = event["type"].as_str().unwrap_or_default();
        let ours = event["conversation_id"].as_str() == Some(id.get_value().as_str());
        match kind {
            "watching" => watched.set(ours),
            "reconnected" => {
                fetch_detail();
                fetch_newest();
            }
            "new_message" | "message_updated" | "message_deleted" if ours => {
                let Ok(message) = serde_json::from_value::<Msg>(event["message"].clone()) else { return };
                let stranger = message.sender_id.as_ref().is_some_and(|sender| {
                    !detail.with_untracked(|d| matches!(d, Load::Ready(d) if d.members.iter().any(|m| &m.user_id == sender)))
                });
                let follow = kind == "new_message" && near_end(scroller);
                if kind == "new_message" {
                    let (seq, at) = (message.seq, message.created_at.clone());
                    detail.update(|d| {
                        if let Load::Ready(d) = d {
                            d.conversation.last_seq = d.conversation.last_seq.max(seq);
                            d.conversation.updated_at = at;
                        }
                    });
                }
                if thread.with_untracked(|t| matches!(t, Load::Ready(_))) {
                    thread.update(|t| {
                        if let Load::Ready(t) = t {
                            t.merge(vec![message]);
                        }
                    });
                } else {
                    pending.update_value(|p| p.push(message));
                }
                if stranger {
                    fetch_detail();
                }
                if follow {
                    scroll_to_end(scroller);
                }
            }
            "conversation_updated" if ours => fetch_detail(),
            _ => {}
        }
    });

    let title = move || match detail.get() {
        Load::Ready(d) => d.conversation.title(),
        _ => "Conversation".to_owned(),
    };
    let sender_name = move |sender: &Option<String>| -> String {
        let Some(sender) = sender else { return "system".to_owned() };
        detail
            .with(|d| match d {
                Load::Ready(d) => d.members.iter().find(|m| &m.user_id == sender).map(Member::name),
                _ => None,
            })
            .unwrap_or_else(|| format!("user {}", short_id(sender)))
    };
    let messages = move || thread.with(|t| if let Load::Ready(t) = t { t.messages.clone() } else { Vec::new() });

    view! {
        <div class="conversation-nav">
            <button type="button" class="button secondary" on:click=move |_| on_back.run(())>"← All conversations"</button>
        </div>
        <h1 id="screen-title" tabindex="-1">{title}</h1>
        <p class="watch-state" role="status" class:on=move || watched.get() && live.state.get() == LiveState::Open>
            {move || if watched.get() && live.state.get() == LiveState::Open {
                "Live: new messages and changes appear as they happen."
            } else {
                "Connecting for live updates…"
            }}
        </p>
        {move || match detail.get() {
            Load::Loading => view! { <p class="muted">"Loading who is in it…"</p> }.into_any(),
            Load::Failed(error) => view! { <Failed title="This conversation could not be loaded" error=error retry=Callback::new(move |_| fetch_detail()) /> }.into_any(),
            Load::Ready(d) => view! { <Members detail=d /> }.into_any(),
        }}
        <Outcome outcome=outcome />
        <section class="panel thread" aria-label="Messages, oldest first">
            {move || thread.with(|t| match t {
                Load::Loading => view! { <Loading what="Loading messages…" /> }.into_any(),
                Load::Failed(error) => view! {
                    <Failed title="The messages could not be loaded" error=error.clone() retry=Callback::new(move |_| fetch_newest()) />
                }.into_any(),
                Load::Ready(t) if t.older.is_some() => view! {
                    <button type="button" class="button secondary older" prop:disabled=move || older_busy.get() on:click=load_older>
                        {move || if older_busy.get() { "Loading older messages…" } else { "Load older messages" }}
                    </button>
                }.into_any(),
                Load::Ready(t) if t.messages.is_empty() => view! {
                    <p class="muted">"No messages yet. New ones appear here as they are sent."</p>
                }.into_any(),
                Load::Ready(_) => view! { <p class="muted small">"The beginning of the conversation."</p> }.into_any(),
            })}
            <div class="thread-scroll" node_ref=scroller>
                <ol class="messages" aria-label="Messages" aria-live="polite" aria-relevant="additions">
                    <For each=messages key=|m| (m.id.clone(), m.deleted, m.edited_at.clone(), m.body.clone()) let:message>
                        <MessageItem
                            sender=Signal::derive({
                                let sender = message.sender_id.clone();
                                move || sender_name(&sender)
                            })
                            message=message
                            thread=thread
                            outcome=outcome
                        />
                    </For>
                </ol>
            </div>
        </section>
    }
}

#[component]
fn Members(detail: Detail) -> impl IntoView {
    let c = &detail.conversation;
    let (current, former): (Vec<Member>, Vec<Member>) = detail.members.into_iter().partition(|m| m.left_at.is_none());
    let chip = |m: Member| {
        view! {
            <li class="member" title=m.user_id.clone()>
                <span class="member-name">{m.name()}</span>
                <span class="muted small">{format!(" @{}", m.username)}</span>
                {(m.role != "member").then(|| view! { <span class="badge">{m.role.clone()}</span> })}
                {m.left_at.as_deref().map(|at| view! { <span class="muted small">{format!(" left {}", when(at))}</span> })}
            </li>
        }
    };
    view! {
        <p class="muted conversation-facts">
            {format!("{} · {} message{} · started {} · last activity {}",
                kind_words(&c.kind), c.last_seq, if c.last_seq == 1 { "" } else { "s" }, when(&c.created_at), when(&c.updated_at))}
        </p>
        {c.description.clone().filter(|d| !d.trim().is_empty()).map(|d| view! { <p class="conversation-description">{d}</p> })}
        <section class="panel members" aria-label="Members">
            <h2>"Members"</h2>
            {if current.is_empty() {
                view! { <p class="muted">"Nobody is in it any more."</p> }.into_any()
            } else {
                view! { <ul class="member-list">{current.into_iter().map(chip).collect_view()}</ul> }.into_any()
            }}
            {(!former.is_empty()).then(|| view! {
                <h3 class="small">"Former members"</h3>
                <ul class="member-list">{former.into_iter().map(chip).collect_view()}</ul>
            })}
        </section>
    }
}

#[component]
fn MessageItem(
    message: Msg,
    #[prop(into)] sender: Signal<String>,
    thread: RwSignal<Load<Thread>>,
    outcome: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let auth = Auth::use_context();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = message.id.clone();
    let remove = move |_| {
        let path = format!("/v1/admin/messages/{id}");
        let gone = id.clone();
        act(
            auth,
            busy,
            outcome,
            "The message is deleted for everyone.".into(),
            move |token| async move { api::delete(&token, &path).await },
            move |_| {
                thread.update(|t| {
                    if let Load::Ready(t) = t {
                        for m in t.messages.iter_mut().filter(|m| m.id == gone) {
                            m.deleted = true;
                            m.body.clear();
                        }
                    }
                })
            },
        );
    };
    let system = message.sender_id.is_none();
    let web_link = message.file_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let has_file = message.file_url.is_some() || message.file_name.is_some();
    let file_label = message.file_name.clone().unwrap_or_else(|| "attachment".to_owned());
    let is_image = message.file_type.as_deref().is_some_and(|t| t.starts_with("image/"));

    view! {
        <li class="message" class:system=system class:removed=message.deleted data-message-id=message.id.clone()>
            <div class="message-meta">
                <span class="message-sender">{move || sender.get()}</span>
                <span class="muted small">{format!(" · {}", when(&message.created_at))}</span>
                {message.edited_at.is_some().then(|| view! { <span class="muted small">" · edited"</span> })}
            </div>
            {if message.deleted {
                view! { <p class="message-removed">"Message deleted"</p> }.into_any()
            } else {
                view! {
                    {(!message.body.is_empty()).then(|| view! { <p class="message-body">{message.body.clone()}</p> })}
                    {has_file.then(|| view! {
                        <p class="message-file">
                            "Attachment: "
                            {match web_link.clone() {
                                Some(url) => view! { <a href=url target="_blank" rel="noopener noreferrer">{file_label.clone()}</a> }.into_any(),
                                None => view! { <span>{file_label.clone()}</span> }.into_any(),
                            }}
                            {message.file_size.map(|b| format!(" ({})", size_words(b)))}
                        </p>
                        {web_link.clone().filter(|_| is_image).map(|url| view! {
                            <img class="message-image" src=url alt=format!("Preview of {file_label}") loading="lazy" />
                        })}
                    })}
                    <div class="message-actions">
                        {move || if confirming.get() {
                            view! {
                                <button type="button" class="button danger" prop:disabled=move || busy.get() on:click=remove.clone()>"Delete for everyone?"</button>
                                <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            }.into_any()
                        } else {
                            view! { <button type="button" class="button secondary" on:click=move |_| confirming.set(true)>"Delete"</button> }.into_any()
                        }}
                    </div>
                }.into_any()
            }}
        </li>
    }
}
