//! The Audit log screen: who did which privileged action, when, from where, and what it
//! changed, newest first; filtered by action, actor and target. Actions are in words (with
//! the raw name beside them) and the values before and after as a list of the fields that
//! changed, never as raw JSON.

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::api::{self, Page};
use super::common::{load_latest, short_id, when, Empty, Failed, Load, Loading, Pager, ScreenTitle};
use super::people::{load_people, name_these, People};
use super::routes::Screen;
use super::session::Auth;

/// Every action the server records, with its words.
const ACTIONS: [(&str, &str); 16] = [
    ("user.create", "Created a user"),
    ("user.update", "Updated a user"),
    ("user.role", "Changed a user's role"),
    ("user.permissions", "Changed a user's permissions"),
    ("user.suspend", "Suspended a user"),
    ("user.ban", "Banned a user"),
    ("user.lift", "Lifted a user's suspension or ban"),
    ("user.delete", "Deleted a user"),
    ("message.remove", "Removed a message"),
    ("report.dismiss", "Dismissed reports"),
    ("report.delete_message", "Deleted a reported message"),
    ("report.suspend", "Suspended a reported author"),
    ("report.ban", "Banned a reported author"),
    ("api_key.create", "Created an API key"),
    ("api_key.revoke", "Revoked an API key"),
    ("tenant.update", "Changed the tenant's settings"),
];

fn action_words(action: &str) -> String {
    ACTIONS.iter().find(|(a, _)| *a == action).map(|(_, w)| (*w).to_owned()).unwrap_or_else(|| action.replace(['.', '_'], " "))
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Entry {
    id: String,
    actor: String,
    action: String,
    target: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
    client_addr: Option<String>,
    created_at: String,
}

/// One line of the changes: a field at some depth (nested values are indented under their
/// field) and its value in words, empty for a field whose parts follow.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    depth: usize,
    field: String,
    value: String,
}

fn field_words(key: &str) -> String {
    key.replace('_', " ")
}

/// A single value in words; times in the reader's clock.
fn value_words(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "empty".into(),
        Value::String(s) if s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') => when(s),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map.iter().map(|(k, v)| format!("{} {}", field_words(k), value_words(v))).collect::<Vec<_>>().join("; "),
    }
}

/// Every field of `value`, nested objects as indented lines.
fn listing(value: &Value, depth: usize, out: &mut Vec<Line>) {
    let Value::Object(map) = value else {
        out.push(Line { depth, field: String::new(), value: value_words(value) });
        return;
    };
    for (key, v) in map {
        if let Value::Object(_) = v {
            out.push(Line { depth, field: field_words(key), value: String::new() });
            listing(v, depth + 1, out);
        } else {
            out.push(Line { depth, field: field_words(key), value: value_words(v) });
        }
    }
}

/// The fields that differ between `before` and `after` (objects both), as `old → new`; a
/// field on one side only shows its one value.
fn differences(before: &serde_json::Map<String, Value>, after: &serde_json::Map<String, Value>, depth: usize, out: &mut Vec<Line>) {
    let keys = before.keys().chain(after.keys().filter(|k| !before.contains_key(*k)));
    for key in keys {
        match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) if b == a => {}
            (Some(Value::Object(b)), Some(Value::Object(a))) => {
                out.push(Line { depth, field: field_words(key), value: String::new() });
                differences(b, a, depth + 1, out);
            }
            (Some(b), Some(a)) => {
                out.push(Line { depth, field: field_words(key), value: format!("{} → {}", value_words(b), value_words(a)) })
            }
            (None, Some(v)) | (Some(v), None) => {
                let mut one = serde_json::Map::new();
                one.insert(key.clone(), v.clone());
                listing(&Value::Object(one), depth, out);
            }
            (None, None) => {}
        }
    }
}

/// What an entry changed, with a heading for the list.
fn changes(entry: &Entry) -> (&'static str, Vec<Line>) {
    let mut out = Vec::new();
    match (&entry.before, &entry.after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            differences(b, a, 0, &mut out);
            ("Changed", out)
        }
        (Some(b), Some(a)) => {
            out.push(Line { depth: 0, field: String::new(), value: format!("{} → {}", value_words(b), value_words(a)) });
            ("Changed", out)
        }
        (None, Some(a)) => {
            listing(a, 0, &mut out);
            ("Set", out)
        }
        (Some(b), None) => {
            listing(b, 0, &mut out);
            ("Was", out)
        }
        (None, None) => ("", out),
    }
}

/// The actor (`user:<id>` or `api_key:<id>`) in words.
fn actor_words(actor: &str, people: &People) -> String {
    match actor.split_once(':') {
        Some(("user", id)) => people.name_or_id(id),
        Some(("api_key", id)) => format!("API key {}", short_id(id)),
        _ => actor.to_owned(),
    }
}

/// An actor filter as the API takes it: a bare id is a user's.
fn actor_filter(raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() || raw.contains(':') {
        raw.to_owned()
    } else {
        format!("user:{raw}")
    }
}

#[component]
pub fn AuditLog() -> impl IntoView {
    let auth = Auth::use_context();
    let people = load_people(auth);
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let list = RwSignal::new(Load::<Page<Entry>>::Loading);
    let latest = StoredValue::new(0u64);

    let fetch = move || {
        let path = api::with_query(
            "/v1/admin/audit-log",
            &[
                ("action", action.get_untracked()),
                ("actor", actor_filter(&actor.get_untracked())),
                ("target", target.get_untracked()),
                ("page", page.get_untracked().to_string()),
            ],
        );
        load_latest(auth, list, latest, move |token| async move { api::get_page::<Entry>(&token, &path).await });
    };
    // Name the actors and targets of the page on show.
    Effect::new(move |_| {
        list.with(|l| {
            if let Load::Ready(p) = l {
                let actors = p.data.iter().filter_map(|e| e.actor.strip_prefix("user:").map(str::to_owned));
                let targets = p.data.iter().filter_map(|e| e.target.clone());
                name_these(auth, people, actors.chain(targets).collect::<Vec<_>>());
            }
        })
    });
    // The action and the page load the log again; typed ids wait for the form.
    Effect::new(move |_| {
        action.track();
        page.track();
        fetch();
    });

    view! {
        <ScreenTitle title=Screen::AuditLog.title() />
        <form class="panel filters" role="search" aria-label="Audit log filters" on:submit=move |ev| {
            ev.prevent_default();
            if page.get_untracked() == 1 { fetch() } else { page.set(1) }
        }>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" on:change=move |ev| { action.set(event_target_value(&ev)); page.set(1); }>
                    <option value="">"Any action"</option>
                    {ACTIONS.into_iter().map(|(a, words)| view! { <option value=a>{words}</option> }).collect_view()}
                </select>
            </div>
            <div class="field grow">
                <label for="audit-actor">"Actor id"</label>
                <input id="audit-actor" type="search" maxlength="100" placeholder="User id, or api_key:key id"
                    prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev)) />
            </div>
            <div class="field grow">
                <label for="audit-target">"Target id"</label>
                <input id="audit-target" type="search" maxlength="100" placeholder="The id acted on"
                    prop:value=move || target.get() on:input=move |ev| target.set(event_target_value(&ev)) />
            </div>
            <button type="submit" class="button">"Apply"</button>
        </form>
        {move || match list.get() {
            Load::Loading => view! { <Loading what="Loading the audit log…" /> }.into_any(),
            Load::Failed(error) => view! { <Failed title="The audit log could not be loaded" error=error retry=Callback::new(move |_| fetch()) /> }.into_any(),
            Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No entries match these filters." /> }.into_any(),
            Load::Ready(p) => view! { <AuditTable entries=p.data.clone() people=people /> <Pager pagination=p.pagination page=page /> }.into_any(),
        }}
    }
}

#[component]
fn AuditTable(entries: Vec<Entry>, people: RwSignal<People>) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <table class="table audit-table">
                <caption class="sr-only">"Audit log, newest first"</caption>
                <thead>
                    <tr><th scope="col">"Time"</th><th scope="col">"Actor"</th><th scope="col">"Action"</th><th scope="col">"Target"</th>
                        <th scope="col">"Client address"</th><th scope="col">"Changes"</th></tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| {
                        let (heading, lines) = changes(&entry);
                        let actor = entry.actor.clone();
                        let target = entry.target.clone();
                        view! {
                            <tr data-id=entry.id.clone()>
                                <td data-label="Time" class="nowrap">{when(&entry.created_at)}</td>
                                <td data-label="Actor" title=entry.actor.clone()>{move || people.with(|p| actor_words(&actor, p))}</td>
                                <td data-label="Action">
                                    <span class="action-words">{action_words(&entry.action)}</span>
                                    " "<code>{entry.action.clone()}</code>
                                </td>
                                <td data-label="Target" title=entry.target.clone().unwrap_or_default()>
                                    {move || match target.as_deref() {
                                        Some(id) => people.with(|p| p.name(id).unwrap_or_else(|| short_id(id))),
                                        None => "None".into(),
                                    }}
                                </td>
                                <td data-label="Client address">{entry.client_addr.clone().unwrap_or_else(|| "Unknown".into())}</td>
                                <td data-label="Changes" class="changes">
                                    {if lines.is_empty() {
                                        view! { <span class="muted">"No values recorded"</span> }.into_any()
                                    } else {
                                        view! {
                                            <span class="change-kind">{heading}</span>
                                            <ul class="change-list">
                                                {lines.into_iter().map(|line| view! {
                                                    <li class=format!("depth-{}", line.depth.min(3))>
                                                        {(!line.field.is_empty()).then(|| view! { <span class="field-name">{format!("{}:", line.field)}</span> })}
                                                        " "{line.value}
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
