//! The Tickets screen: the tenant's support queue, most urgent first as the API orders it,
//! with filters by status, priority, category and "assigned to me"; the ticket opened shows
//! its conversation and the agent's controls (see `ticket_panel`). It updates live: a
//! `ticket_updated` event reloads the queue.

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::api::{self, Page};
use super::common::{load_latest, short_id, when, Empty, Failed, Load, Loading, Pager, ScreenTitle};
use super::live::Live;
use super::people::{load_people, name_these, People};
use super::routes::Screen;
use super::session::Auth;
use super::ticket_panel::TicketPanel;

pub const STATUSES: [&str; 4] = ["open", "pending", "resolved", "closed"];
/// Most urgent first, the queue's order.
pub const PRIORITIES: [&str; 4] = ["urgent", "high", "medium", "low"];

/// A support ticket as `/v1/tickets` shows it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub conversation_id: String,
    pub requester_id: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
    pub message_count: i64,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A word with a capital first letter, for badges.
pub fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Who handles the ticket, in words.
pub fn assignee_words(ticket: &Ticket, people: &People, me: Option<&str>) -> String {
    match ticket.assignee_id.as_deref() {
        None => "Unassigned".into(),
        Some(id) if Some(id) == me => "You".into(),
        Some(id) => people.name_or_id(id),
    }
}

#[component]
pub fn Tickets() -> impl IntoView {
    let auth = Auth::use_context();
    let live = Live::use_context();
    let me = auth.session.with_untracked(|s| s.as_ref().map(|s| s.account.id.clone()));
    let people = load_people(auth);
    let status = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let mine = RwSignal::new(false);
    let category = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let list = RwSignal::new(Load::<Page<Ticket>>::Loading);
    let latest = StoredValue::new(0u64);
    let selected = RwSignal::new(None::<Ticket>);
    let refresh = RwSignal::new(0u64);

    let my_id = me.clone().unwrap_or_default();
    let fetch = move || {
        let assignee = if mine.get_untracked() { my_id.clone() } else { String::new() };
        let path = api::with_query(
            "/v1/tickets",
            &[
                ("status", status.get_untracked()),
                ("priority", priority.get_untracked()),
                ("assignee_id", assignee),
                ("category", category.get_untracked()),
                ("page", page.get_untracked().to_string()),
            ],
        );
        load_latest(auth, list, latest, move |token| async move { api::get_page::<Ticket>(&token, &path).await });
    };
    let fetch = StoredValue::new(fetch);
    let reload = move || fetch.with_value(|f| f());
    // Name the requesters and assignees of the page on show.
    Effect::new(move |_| {
        list.with(|l| {
            if let Load::Ready(p) = l {
                let ids = p.data.iter().flat_map(|t| std::iter::once(t.requester_id.clone()).chain(t.assignee_id.clone()));
                name_these(auth, people, ids.collect::<Vec<_>>());
            }
        })
    });
    // Filters and the page number load the queue again; the category waits for the form.
    Effect::new(move |_| {
        status.track();
        priority.track();
        mine.track();
        page.track();
        reload();
    });
    // The open ticket's conversation is watched, so its messages arrive as they are sent.
    let watched = Memo::new(move |_| selected.with(|s| s.as_ref().map(|t| t.conversation_id.clone())));
    let last_watched = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let remember = last_watched.clone();
    Effect::new(move |_| {
        let id = watched.get();
        if let Ok(mut last) = remember.lock() {
            last.clone_from(&id);
        }
        live.watch(id);
    });
    // Leaving the screen stops only this screen's watch.
    on_cleanup(move || {
        if let Some(id) = last_watched.lock().ok().and_then(|last| last.clone()) {
            live.unwatch(&id);
        }
    });
    live.subscribe(move |event: &Value| match event["type"].as_str() {
        Some("ticket_updated") => reload(),
        Some("reconnected") => {
            reload();
            refresh.update(|n| *n += 1);
        }
        Some("new_message" | "message_updated" | "message_deleted")
            if watched.with_untracked(|w| w.as_deref() == event["conversation_id"].as_str()) =>
        {
            refresh.update(|n| *n += 1)
        }
        _ => {}
    });
    // A reloaded queue brings the open ticket up to date too.
    Effect::new(move |_| {
        list.with(|l| {
            let Load::Ready(p) = l else { return };
            let fresh = selected.with_untracked(|s| {
                s.as_ref().and_then(|s| p.data.iter().find(|r| r.id == s.id && **r != *s && r.updated_at >= s.updated_at).cloned())
            });
            if let Some(row) = fresh {
                selected.set(Some(row));
            }
        })
    });
    // A changed ticket replaces its row at once, before the queue is read again.
    let changed = move |ticket: Ticket| {
        list.update(|l| {
            if let Load::Ready(p) = l {
                for row in p.data.iter_mut().filter(|r| r.id == ticket.id) {
                    *row = ticket.clone();
                }
            }
        });
        selected.set(Some(ticket));
    };
    let open_id = Memo::new(move |_| selected.with(|s| s.as_ref().map(|t| t.id.clone())));
    let on_filter = move || {
        if page.get_untracked() == 1 {
            reload()
        } else {
            page.set(1)
        }
    };

    view! {
        <ScreenTitle title=Screen::Tickets.title() />
        <form class="panel filters" role="search" aria-label="Ticket filters" on:submit=move |ev| { ev.prevent_default(); on_filter(); }>
            <div class="field">
                <label for="tickets-status">"Status"</label>
                <select id="tickets-status" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(1); }>
                    <option value="">"Any status"</option>
                    {STATUSES.into_iter().map(|s| view! { <option value=s>{capital(s)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="tickets-priority">"Priority"</label>
                <select id="tickets-priority" on:change=move |ev| { priority.set(event_target_value(&ev)); page.set(1); }>
                    <option value="">"Any priority"</option>
                    {PRIORITIES.into_iter().map(|p| view! { <option value=p>{capital(p)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field grow">
                <label for="tickets-category">"Category"</label>
                <input id="tickets-category" type="search" maxlength="50" placeholder="Such as billing"
                    prop:value=move || category.get() on:input=move |ev| category.set(event_target_value(&ev)) />
            </div>
            <label class="check mine">
                <input type="checkbox" prop:checked=move || mine.get() on:change=move |ev| { mine.set(event_target_checked(&ev)); page.set(1); } />
                "Assigned to me"
            </label>
            <button type="submit" class="button">"Apply"</button>
        </form>
        <div class="split">
            <div class="split-main">
                {move || match list.get() {
                    Load::Loading => view! { <Loading what="Loading the ticket queue…" /> }.into_any(),
                    Load::Failed(error) => view! { <Failed title="The tickets could not be loaded" error=error retry=Callback::new(move |_| reload()) /> }.into_any(),
                    Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No tickets match these filters." /> }.into_any(),
                    Load::Ready(p) => view! {
                        <TicketTable tickets=p.data.clone() selected=selected people=people me=me.clone() />
                        <Pager pagination=p.pagination page=page />
                    }.into_any(),
                }}
            </div>
            {move || open_id.get().map(|_| view! {
                <TicketPanel ticket=selected people=people refresh=refresh on_change=Callback::new(changed) on_close=Callback::new(move |_| selected.set(None)) />
            })}
        </div>
    }
}

#[component]
fn TicketTable(tickets: Vec<Ticket>, selected: RwSignal<Option<Ticket>>, people: RwSignal<People>, me: Option<String>) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <table class="table tickets-table">
                <caption class="sr-only">"Tickets, most urgent first"</caption>
                <thead>
                    <tr><th scope="col">"Subject"</th><th scope="col">"Requester"</th><th scope="col">"Status"</th><th scope="col">"Priority"</th>
                        <th scope="col">"Assignee"</th><th scope="col">"Opened"</th><th scope="col">"Updated"</th><th scope="col" class="num">"Messages"</th></tr>
                </thead>
                <tbody>
                    {tickets.into_iter().map(|ticket| {
                        let id = ticket.id.clone();
                        let open = ticket.clone();
                        let is_selected = move || selected.with(|s| s.as_ref().map(|s| s.id == id).unwrap_or(false));
                        let requester = ticket.requester_id.clone();
                        let shown = ticket.clone();
                        let me = me.clone();
                        view! {
                            <tr class:selected=is_selected>
                                <td class="subject">
                                    <button type="button" class="link-button" on:click=move |_| selected.set(Some(open.clone()))>{ticket.subject.clone()}</button>
                                    {ticket.category.clone().map(|c| view! { <div class="muted small">{c}</div> })}
                                </td>
                                <td title=ticket.requester_id.clone()>{move || people.with(|p| p.name(&requester).unwrap_or_else(|| short_id(&requester)))}</td>
                                <td><span class=format!("badge ticket-status-{}", ticket.status)>{capital(&ticket.status)}</span></td>
                                <td><span class=format!("badge priority-{}", ticket.priority)>{capital(&ticket.priority)}</span></td>
                                <td>{move || people.with(|p| assignee_words(&shown, p, me.as_deref()))}</td>
                                <td class="nowrap">{when(&ticket.created_at)}</td>
                                <td class="nowrap">{when(&ticket.updated_at)}</td>
                                <td class="num">{ticket.message_count}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
