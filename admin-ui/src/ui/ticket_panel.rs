//! One ticket opened from the queue: its details, its conversation, and what an agent does
//! with it: assign (to themselves or another agent) or unassign, move its status along the
//! moves the API allows, change its priority, and reply in its conversation (an agent's
//! first message there makes them a participant). The server decides; a refusal is shown
//! in words.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasm_bindgen::JsCast;

use super::api::{self, Page};
use super::common::{act, load_latest, short_id, when, Failed, Load, Loading, MessageText, Outcome};
use super::people::People;
use super::session::Auth;
use super::tickets::{assignee_words, capital, Ticket, PRIORITIES};

/// How many of the newest messages the panel shows.
const MESSAGES: i64 = 50;

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Message {
    id: String,
    sender_id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    body: String,
    file_name: Option<String>,
    deleted: bool,
    created_at: String,
}

/// A change through `PATCH /v1/tickets/{id}`; absent fields stay, `assignee_id: null`
/// unassigns.
#[derive(Clone, Debug, Default, Serialize)]
struct Change {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee_id: Option<Value>,
}

/// Where a ticket in `status` may go: `open` → `pending` → `resolved` → `closed`, a
/// resolved or closed ticket reopened (the rule the API applies).
fn moves(status: &str) -> &'static [&'static str] {
    match status {
        "open" => &["pending", "resolved", "closed"],
        "pending" => &["open", "resolved", "closed"],
        "resolved" => &["open", "closed"],
        "closed" => &["open"],
        _ => &[],
    }
}

fn move_words(to: &str) -> &'static str {
    match to {
        "open" => "Open (reopen)",
        "pending" => "Pending (waiting for the requester)",
        "resolved" => "Resolved",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

/// Moves keyboard focus to the panel's heading once it is drawn: on a narrow screen the
/// panel sits below the queue.
fn focus_panel() {
    request_animation_frame(|| {
        let heading = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("ticket-panel-title"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.focus();
        }
    });
}

#[component]
pub fn TicketPanel(
    ticket: RwSignal<Option<Ticket>>,
    people: RwSignal<People>,
    /// Bumped when the ticket's conversation has news.
    refresh: RwSignal<u64>,
    on_change: Callback<Ticket>,
    on_close: Callback<()>,
) -> impl IntoView {
    let auth = Auth::use_context();
    let me = auth.session.with_untracked(|s| s.as_ref().map(|s| s.account.id.clone())).unwrap_or_default();
    let Some(first) = ticket.get_untracked() else { return ().into_any() };
    let id = first.id.clone();
    let conversation = first.conversation_id.clone();
    let requester = first.requester_id.clone();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let messages = RwSignal::new(Load::<Page<Message>>::Loading);
    let latest = StoredValue::new(0u64);
    let agent = RwSignal::new(String::new());
    let next_status = RwSignal::new(String::new());
    let next_priority = RwSignal::new(first.priority.clone());
    let reply = RwSignal::new(String::new());
    let fallback = StoredValue::new(first.clone());
    let current = move || ticket.get().unwrap_or_else(|| fallback.get_value());
    focus_panel();

    let path = format!("/v1/admin/conversations/{conversation}/messages?per_page={MESSAGES}");
    let fetch_messages = move || {
        let path = path.clone();
        load_latest(auth, messages, latest, move |token| async move { api::get_page::<Message>(&token, &path).await });
    };
    let fetch_messages = StoredValue::new(fetch_messages);
    // The conversation is read again when the ticket changes (each change posts a system
    // message) and when a message arrives.
    let stamp = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| (t.updated_at.clone(), t.message_count))));
    Effect::new(move |_| {
        // Read, not only tracked: a memo nobody reads is never computed, so never changes.
        let _ = stamp.get();
        refresh.track();
        fetch_messages.with_value(|f| f());
    });

    let ticket_path = format!("/v1/tickets/{id}");
    let send = move |change: Change, done: String| {
        let path = ticket_path.clone();
        act(
            auth,
            busy,
            outcome,
            done,
            move |token| async move { api::patch::<_, Ticket>(&token, &path, &change).await },
            move |t| on_change.run(t),
        );
    };
    let send = StoredValue::new(send);
    let my_id = me.clone();
    let assign_me = move |_| {
        let change = Change { assignee_id: Some(Value::String(my_id.clone())), ..Change::default() };
        send.with_value(|s| s(change, "The ticket is assigned to you.".into()));
    };
    let assign_agent = move |_| {
        let chosen = agent.get_untracked();
        if chosen.is_empty() {
            outcome.set(Some(Err("Choose an agent to assign the ticket to.".into())));
            return;
        }
        let name = people.with_untracked(|p| p.name_or_id(&chosen));
        let change = Change { assignee_id: Some(Value::String(chosen)), ..Change::default() };
        send.with_value(|s| s(change, format!("The ticket is assigned to {name}.")));
    };
    let unassign = move |_| {
        let change = Change { assignee_id: Some(Value::Null), ..Change::default() };
        send.with_value(|s| s(change, "The ticket is unassigned.".into()));
    };
    let change_status = move |_| {
        // The options follow the ticket's status; a choice it no longer allows falls back
        // to the first move offered.
        let allowed = moves(&current().status);
        let chosen = next_status.get_untracked();
        let Some(to) = allowed.iter().find(|s| **s == chosen).or(allowed.first()).map(|s| s.to_string()) else { return };
        let words = format!("The ticket is now {to}.");
        send.with_value(|s| s(Change { status: Some(to), ..Change::default() }, words));
        next_status.set(String::new());
    };
    let change_priority = move |_| {
        let to = next_priority.get_untracked();
        let words = format!("The priority is now {to}.");
        send.with_value(|s| s(Change { priority: Some(to), ..Change::default() }, words));
    };
    let send_reply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reply.get_untracked();
        if text.trim().is_empty() {
            outcome.set(Some(Err("Write a reply first.".into())));
            return;
        }
        let post_path = format!("/v1/chat/conversations/{}/messages", current().conversation_id);
        let ticket_path = format!("/v1/tickets/{}", current().id);
        act(
            auth,
            busy,
            outcome,
            "Your reply is sent.".into(),
            move |token| async move {
                api::post::<_, Value>(&token, &post_path, &json!({ "body": text })).await?;
                api::get::<Ticket>(&token, &ticket_path).await
            },
            move |t| {
                reply.set(String::new());
                on_change.run(t);
            },
        );
    };

    let me_for_assignee = me.clone();
    let me_for_sender = me.clone();
    let sender_words = move |sender: &Option<String>| match sender.as_deref() {
        None => "System".to_owned(),
        Some(s) if s == me_for_sender => "You".to_owned(),
        Some(s) if s == requester => {
            format!("{} (requester)", people.with(|p| p.name(s).unwrap_or_else(|| format!("user {}", short_id(s)))))
        }
        Some(s) => people.with(|p| p.name_or_id(s)),
    };
    let sender_words = StoredValue::new(sender_words);

    view! {
        <aside class="panel side-panel ticket-panel" aria-labelledby="ticket-panel-title">
            <div class="side-head">
                <h2 id="ticket-panel-title" tabindex="-1">{move || current().subject}</h2>
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            {move || {
                let t = current();
                let requester_name = people.with(|p| p.name(&t.requester_id).unwrap_or_else(|| format!("user {}", short_id(&t.requester_id))));
                let assignee = people.with(|p| assignee_words(&t, p, Some(me_for_assignee.as_str())));
                view! {
                    <dl class="ticket-facts">
                        <dt>"Status"</dt><dd><span class=format!("badge ticket-status-{}", t.status)>{capital(&t.status)}</span></dd>
                        <dt>"Priority"</dt><dd><span class=format!("badge priority-{}", t.priority)>{capital(&t.priority)}</span></dd>
                        <dt>"Requester"</dt><dd title=t.requester_id.clone()>{requester_name}</dd>
                        <dt>"Assignee"</dt><dd>{assignee}</dd>
                        <dt>"Category"</dt><dd>{t.category.clone().unwrap_or_else(|| "None".into())}</dd>
                        <dt>"Opened"</dt><dd>{when(&t.created_at)}</dd>
                        <dt>"First answer"</dt><dd>{t.first_response_at.as_deref().map(when).unwrap_or_else(|| "Not yet".into())}</dd>
                        <dt>"Messages"</dt><dd>{t.message_count}</dd>
                    </dl>
                }
            }}
            <Outcome outcome=outcome />

            <section class="side-section" aria-label="Assignment">
                <h3>"Assignment"</h3>
                <label for="ticket-agent">"Agent"</label>
                <select id="ticket-agent" on:change=move |ev| agent.set(event_target_value(&ev))>
                    <option value="">"Choose an agent"</option>
                    {move || people.get().agents.into_iter().map(|a| {
                        let words = format!("{} (@{}, {})", a.name(), a.username, a.role);
                        view! { <option value=a.id.clone()>{words}</option> }
                    }).collect_view()}
                </select>
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=assign_agent>"Assign"</button>
                    <button type="button" class="button secondary" prop:disabled=move || busy.get() on:click=assign_me>"Assign to me"</button>
                    {move || current().assignee_id.is_some().then(|| view! {
                        <button type="button" class="button secondary" prop:disabled=move || busy.get() on:click=unassign>"Unassign"</button>
                    })}
                </div>
            </section>

            <section class="side-section" aria-label="Status and priority">
                <h3>"Status and priority"</h3>
                <label for="ticket-status">"Move to"</label>
                <select id="ticket-status" on:change=move |ev| next_status.set(event_target_value(&ev))>
                    {move || moves(&current().status).iter().map(|s| view! { <option value=*s>{move_words(s)}</option> }).collect_view()}
                </select>
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=change_status>"Change status"</button>
                </div>
                <label for="ticket-priority">"Priority"</label>
                <select id="ticket-priority" on:change=move |ev| next_priority.set(event_target_value(&ev))>
                    {move || {
                        let now = current().priority;
                        PRIORITIES.into_iter().map(|p| view! { <option value=p selected=p == now>{capital(p)}</option> }).collect_view()
                    }}
                </select>
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=change_priority>"Change priority"</button>
                </div>
            </section>

            <section class="side-section" aria-label="Conversation">
                <h3>"Conversation"</h3>
                {move || match messages.get() {
                    Load::Loading => view! { <Loading what="Loading the conversation…" /> }.into_any(),
                    Load::Failed(error) => view! {
                        <Failed title="The conversation could not be loaded" error=error retry=Callback::new(move |_| fetch_messages.with_value(|f| f())) />
                    }.into_any(),
                    Load::Ready(p) if p.data.is_empty() => view! { <p class="muted">"No messages yet."</p> }.into_any(),
                    Load::Ready(p) => {
                        let more = (p.pagination.total > MESSAGES).then(|| format!("The latest {MESSAGES} of {} messages.", p.pagination.total));
                        view! {
                            {more.map(|m| view! { <p class="muted small">{m}</p> })}
                            <ol class="ticket-messages" aria-label="Messages, oldest first">
                                {p.data.into_iter().rev().map(|m| {
                                    let system = m.kind == "system";
                                    let who = sender_words.with_value(|w| w(&m.sender_id));
                                    view! {
                                        <li class:system=system data-id=m.id.clone()>
                                            <span class="context-meta">{who}" · "{when(&m.created_at)}</span>
                                            <MessageText body=m.body.clone() deleted=m.deleted file_name=m.file_name.clone() />
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }}
                <form class="reply" on:submit=send_reply>
                    <label for="ticket-reply">"Reply to the requester"</label>
                    <textarea id="ticket-reply" rows="3" maxlength="10000" prop:value=move || reply.get()
                        on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                    <div class="actions">
                        <button type="submit" class="button" prop:disabled=move || busy.get()>"Send reply"</button>
                    </div>
                </form>
            </section>
        </aside>
    }
    .into_any()
}
