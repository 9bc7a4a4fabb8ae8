//! The Reports screen: the moderation queue, each reported message or user with its open
//! reports, what was reported in context, and one-click resolutions. It updates live: a new
//! report reloads the queue, a target resolved elsewhere leaves it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::{self, Page};
use super::common::{act, load_into, when, Empty, Failed, Load, Loading, MessageText, Outcome, Pager, ScreenTitle};
use super::live::Live;
use super::people::{name_these, People};
use super::routes::Screen;
use super::session::Auth;

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Reported {
    id: String,
    reason: String,
    note: Option<String>,
    created_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueuedMessage {
    pub id: String,
    pub sender_id: Option<String>,
    pub body: String,
    pub deleted: bool,
    pub file_name: Option<String>,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Person {
    id: String,
    username: String,
    display_name: Option<String>,
    role: String,
    status: String,
}

impl Person {
    fn name(&self) -> String {
        self.display_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.username.clone())
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Entry {
    target_kind: String,
    target_id: String,
    report_id: String,
    count: i64,
    reasons: Vec<String>,
    first_reported_at: String,
    reports: Vec<Reported>,
    message: Option<QueuedMessage>,
    context: Vec<QueuedMessage>,
    user: Option<Person>,
}

#[derive(Serialize)]
struct Resolve {
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

/// How long a suspension from the queue lasts, in days; `None` until lifted.
const SUSPENSIONS: [(&str, Option<i64>); 4] = [("until lifted", None), ("1 day", Some(1)), ("7 days", Some(7)), ("30 days", Some(30))];

fn days_from_now(days: i64) -> String {
    let date = js_sys::Date::new_0();
    date.set_time(date.get_time() + days as f64 * 86_400_000.0);
    String::from(date.to_iso_string())
}

fn reason_words(reason: &str) -> &str {
    match reason {
        "spam" => "Spam",
        "harassment" => "Harassment",
        "inappropriate" => "Inappropriate",
        _ => "Other",
    }
}

#[component]
pub fn Reports() -> impl IntoView {
    let auth = Auth::use_context();
    let live = Live::use_context();
    let page = RwSignal::new(1i64);
    let queue = RwSignal::new(Load::<Page<Entry>>::Loading);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let people = RwSignal::new(People::default());
    // Name the other senders of the messages shown in context.
    Effect::new(move |_| {
        queue.with(|q| {
            if let Load::Ready(p) = q {
                let senders = p.data.iter().flat_map(|e| e.context.iter().filter_map(|m| m.sender_id.clone()));
                name_these(auth, people, senders.collect::<Vec<_>>());
            }
        })
    });
    let fetch = move || {
        let path = api::with_query("/v1/admin/reports", &[("page", page.get_untracked().to_string())]);
        load_into(auth, queue, move |token| async move { api::get_page::<Entry>(&token, &path).await });
    };
    Effect::new(move |_| {
        page.track();
        fetch();
    });
    live.subscribe(move |event: &Value| match event["type"].as_str() {
        Some("report_created") | Some("reconnected") => fetch(),
        Some("reports_resolved") => {
            let target = event["target_id"].as_str().unwrap_or_default().to_owned();
            queue.update(|q| {
                if let Load::Ready(p) = q {
                    p.data.retain(|e| e.target_id != target);
                }
            });
        }
        _ => {}
    });

    view! {
        <ScreenTitle title=Screen::Reports.title() />
        <p class="muted">"Open reports, the one waiting longest first. Resolving a target resolves every report that names it; reporters are not told who resolved them."</p>
        <Outcome outcome=outcome />
        {move || match queue.get() {
            Load::Loading => view! { <Loading what="Loading the moderation queue…" /> }.into_any(),
            Load::Failed(error) => view! { <Failed title="The reports could not be loaded" error=error retry=Callback::new(move |_| fetch()) /> }.into_any(),
            Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No open reports: the queue is clear." /> }.into_any(),
            Load::Ready(p) => view! {
                <ul class="queue" aria-label="Reported content">
                    {p.data.into_iter().map(|entry| view! { <QueueEntry entry=entry outcome=outcome people=people /> }).collect_view()}
                </ul>
                <Pager pagination=p.pagination page=page />
            }.into_any(),
        }}
    }
}

#[component]
fn QueueEntry(entry: Entry, outcome: RwSignal<Option<Result<String, String>>>, people: RwSignal<People>) -> impl IntoView {
    let auth = Auth::use_context();
    let busy = RwSignal::new(false);
    let suspension = RwSignal::new(0usize);
    let resolved = RwSignal::new(false);
    let report_id = entry.report_id.clone();
    let author = entry.user.as_ref().map(Person::name).unwrap_or_else(|| "a system message".into());
    let is_message = entry.target_kind == "message";
    let heading = if is_message { format!("Message by {author}") } else { format!("User {author}") };
    let resolve = move |action: &'static str, done: String| {
        let until = (action == "suspend").then(|| SUSPENSIONS[suspension.get_untracked()].1.map(days_from_now)).flatten();
        let path = format!("/v1/admin/reports/{report_id}/resolve");
        act(
            auth,
            busy,
            outcome,
            done,
            move |token| async move { api::post::<_, Value>(&token, &path, &Resolve { action, until }).await },
            move |_| resolved.set(true),
        );
    };
    let resolve = StoredValue::new(resolve);
    let who = author.clone();
    let suspend_words = move || match SUSPENSIONS[suspension.get_untracked()] {
        (words, Some(_)) => format!("{who} is suspended for {words}."),
        (words, None) => format!("{who} is suspended {words}."),
    };
    let who = author.clone();
    let reported_id = entry.message.as_ref().map(|m| m.id.clone());
    let author_id = entry.user.as_ref().map(|u| u.id.clone());
    let context = if entry.context.is_empty() { entry.message.clone().into_iter().collect() } else { entry.context.clone() };

    view! {
        <li class="panel queue-entry" class:resolved=move || resolved.get()>
            <div class="queue-head">
                <h2>{heading}</h2>
                <span class="badge">{format!("{} report{}", entry.count, if entry.count == 1 { "" } else { "s" })}</span>
                {entry.reasons.iter().map(|r| view! { <span class="badge reason">{reason_words(r).to_owned()}</span> }).collect_view()}
            </div>
            <p class="muted small">{format!("First reported {}", when(&entry.first_reported_at))}
                {entry.user.as_ref().map(|u| format!(" · @{} ({}, {})", u.username, u.role, u.status))}</p>
            {is_message.then(|| view! {
                <ol class="context" aria-label="The reported message in context">
                    {context.into_iter().map(|m| {
                        let reported = Some(&m.id) == reported_id.as_ref();
                        let (sender_id, author_id, author) = (m.sender_id.clone(), author_id.clone(), author.clone());
                        let sender = move || match (&sender_id, &author_id) {
                            (None, _) => "system".to_owned(),
                            (Some(s), Some(a)) if s == a => author.clone(),
                            (Some(s), _) => people.with(|p| p.name_or_id(s)),
                        };
                        view! {
                            <li class:reported=reported>
                                <span class="context-meta">{sender}" · "{when(&m.created_at)}</span>
                                <MessageText body=m.body.clone() deleted=m.deleted file_name=m.file_name.clone() />
                            </li>
                        }
                    }).collect_view()}
                </ol>
            })}
            <ul class="report-notes">
                {entry.reports.iter().map(|r| view! {
                    <li><strong>{reason_words(&r.reason).to_owned()}</strong>" · "{when(&r.created_at)}
                        {r.note.clone().map(|n| view! { <span class="note">" — “"{n}"”"</span> })}</li>
                }).collect_view()}
            </ul>
            {move || if resolved.get() {
                view! { <p class="notice">"Resolved."</p> }.into_any()
            } else {
                let who = who.clone();
                let suspend_words = suspend_words.clone();
                view! {
                    <div class="actions resolve">
                        <button type="button" class="button secondary" prop:disabled=move || busy.get()
                            on:click=move |_| resolve.with_value(|r| r("dismiss", "Dismissed.".into()))>"Dismiss"</button>
                        {is_message.then(|| view! {
                            <button type="button" class="button" prop:disabled=move || busy.get()
                                on:click=move |_| resolve.with_value(|r| r("delete_message", "The message is deleted for everyone.".into()))>"Delete message"</button>
                        })}
                        <span class="suspend-group">
                            <label class="sr-only" for=format!("suspend-{}", entry.report_id)>"Suspension length"</label>
                            <select id=format!("suspend-{}", entry.report_id) on:change=move |ev| suspension.set(event_target_value(&ev).parse().unwrap_or(0))>
                                {SUSPENSIONS.iter().enumerate().map(|(i, (words, _))| view! { <option value=i.to_string()>{*words}</option> }).collect_view()}
                            </select>
                            <button type="button" class="button" prop:disabled=move || busy.get()
                                on:click=move |_| { let words = suspend_words(); resolve.with_value(|r| r("suspend", words)) }>"Suspend author"</button>
                        </span>
                        <button type="button" class="button danger" prop:disabled=move || busy.get()
                            on:click=move |_| { let words = format!("{who} is banned."); resolve.with_value(|r| r("ban", words)) }>"Ban author"</button>
                    </div>
                }.into_any()
            }}
        </li>
    }
}
