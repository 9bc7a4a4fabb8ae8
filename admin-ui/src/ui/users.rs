//! The Users screen: the tenant's users with search and role/status filters, and for the one
//! selected its role, permissions and standing (suspend with an end time, ban, lift).
//! Role and permission changes are for admins and up; the server decides, and its refusal
//! is shown in words.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::api::{self, Page};
use super::common::{act, load_into, short_id, when, Empty, Failed, Load, Loading, Outcome, Pager, ScreenTitle};
use super::routes::Screen;
use super::session::Auth;

pub const ROLES: [&str; 6] = ["user", "host", "staff", "moderator", "admin", "superadmin"];
const STATUSES: [&str; 3] = ["active", "suspended", "banned"];
const PERMISSIONS: [(&str, &str); 5] = [
    ("can_send_message", "Send messages"),
    ("can_receive_message", "Receive messages"),
    ("can_delete_message", "Delete own messages"),
    ("can_edit_message", "Edit own messages"),
    ("can_archive_conversation", "Archive conversations"),
];

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub status: String,
    pub suspended_until: Option<String>,
    pub last_seen_at: Option<String>,
    pub permissions: serde_json::Map<String, serde_json::Value>,
    pub conversation_count: i64,
    pub message_count: i64,
}

impl AdminUser {
    pub fn name(&self) -> String {
        self.display_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.username.clone())
    }

    fn standing(&self) -> String {
        match (self.status.as_str(), &self.suspended_until) {
            ("suspended", Some(until)) => format!("suspended until {}", when(until)),
            (status, _) => status.to_owned(),
        }
    }
}

/// A change to a user through `PATCH /v1/admin/users/{id}`; absent fields stay as they are.
#[derive(Clone, Debug, Default, Serialize)]
struct Change {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suspended_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// A `datetime-local` value (the reader's clock) as an RFC 3339 time, if it is one.
fn local_to_rfc3339(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
    (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
}

#[component]
pub fn Users() -> impl IntoView {
    let auth = Auth::use_context();
    let q = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let list = RwSignal::new(Load::<Page<AdminUser>>::Loading);
    let selected = RwSignal::new(None::<AdminUser>);
    // Lives here, not in the panel: the panel is drawn again with the changed user.
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let fetch = move || {
        let path = api::with_query(
            "/v1/admin/users",
            &[
                ("q", q.get_untracked()),
                ("role", role.get_untracked()),
                ("status", status.get_untracked()),
                ("page", page.get_untracked().to_string()),
            ],
        );
        load_into(auth, list, move |token| async move { api::get_page::<AdminUser>(&token, &path).await });
    };
    // Filters and the page number load the list again; typing in the search box waits for
    // the form to be sent.
    Effect::new(move |_| {
        role.track();
        status.track();
        page.track();
        fetch();
    });
    let changed = move |user: AdminUser| {
        list.update(|l| {
            if let Load::Ready(p) = l {
                for row in p.data.iter_mut().filter(|r| r.id == user.id) {
                    *row = user.clone();
                }
            }
        });
        selected.set(Some(user));
    };

    view! {
        <ScreenTitle title=Screen::Users.title() />
        <form class="panel filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            if page.get_untracked() == 1 { fetch() } else { page.set(1) }
        }>
            <div class="field grow">
                <label for="users-q">"Search"</label>
                <input id="users-q" type="search" placeholder="Username, name or email"
                    prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="users-role">"Role"</label>
                <select id="users-role" on:change=move |ev| { role.set(event_target_value(&ev)); page.set(1); }>
                    <option value="">"Any role"</option>
                    {ROLES.into_iter().map(|r| view! { <option value=r>{r}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="users-status">"Status"</label>
                <select id="users-status" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(1); }>
                    <option value="">"Any status"</option>
                    {STATUSES.into_iter().map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">"Search"</button>
        </form>
        <div class="split">
            <div class="split-main">
                {move || match list.get() {
                    Load::Loading => view! { <Loading what="Loading users…" /> }.into_any(),
                    Load::Failed(error) => view! { <Failed title="The users could not be loaded" error=error retry=Callback::new(move |_| fetch()) /> }.into_any(),
                    Load::Ready(p) if p.data.is_empty() => view! { <Empty what="No users match these filters." /> }.into_any(),
                    Load::Ready(p) => view! { <UserTable users=p.data.clone() selected=selected outcome=outcome /> <Pager pagination=p.pagination page=page /> }.into_any(),
                }}
            </div>
            {move || selected.get().map(|user| view! {
                <UserPanel user=user outcome=outcome on_change=Callback::new(changed) on_close=Callback::new(move |_| selected.set(None)) />
            })}
        </div>
    }
}

/// Moves focus to the opened user's panel: on a phone it sits below the list, out of sight.
fn focus_panel() {
    request_animation_frame(|| {
        let title = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("user-panel-title"))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        if let Some(title) = title {
            let _ = title.focus();
        }
    });
}

#[component]
fn UserTable(
    users: Vec<AdminUser>,
    selected: RwSignal<Option<AdminUser>>,
    outcome: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <table class="table">
                <caption class="sr-only">"Users"</caption>
                <thead>
                    <tr><th scope="col">"User"</th><th scope="col">"Role"</th><th scope="col">"Status"</th>
                        <th scope="col" class="num">"Conversations"</th><th scope="col" class="num">"Messages"</th><th scope="col">"Last seen"</th></tr>
                </thead>
                <tbody>
                    {users.into_iter().map(|user| {
                        let id = user.id.clone();
                        let open = user.clone();
                        let is_selected = move || selected.with(|s| s.as_ref().map(|s| s.id == id).unwrap_or(false));
                        view! {
                            <tr class:selected=is_selected>
                                <td>
                                    <button type="button" class="link-button" on:click=move |_| {
                                        outcome.set(None);
                                        selected.set(Some(open.clone()));
                                        focus_panel();
                                    }>{user.name()}</button>
                                    <div class="muted small">{format!("@{}", user.username)}{user.email.clone().map(|e| format!(" · {e}"))}</div>
                                </td>
                                <td><span class="badge">{user.role.clone()}</span></td>
                                <td>
                                    <span class=format!("badge status-{}", user.status)>{user.status.clone()}</span>
                                    {user.suspended_until.as_deref().map(|until| view! { <div class="muted small">{format!("until {}", when(until))}</div> })}
                                </td>
                                <td class="num">{user.conversation_count}</td>
                                <td class="num">{user.message_count}</td>
                                <td>{user.last_seen_at.as_deref().map(when).unwrap_or_else(|| "never".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserPanel(
    user: AdminUser,
    outcome: RwSignal<Option<Result<String, String>>>,
    on_change: Callback<AdminUser>,
    on_close: Callback<()>,
) -> impl IntoView {
    let auth = Auth::use_context();
    let busy = RwSignal::new(false);
    let new_role = RwSignal::new(user.role.clone());
    let permissions = RwSignal::new(user.permissions.clone());
    let until = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let id = user.id.clone();
    let name = user.name();

    let send = move |change: Change, done: String| {
        let path = format!("/v1/admin/users/{id}");
        let change = Change { reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()), ..change };
        act(
            auth,
            busy,
            outcome,
            done,
            move |token| async move { api::patch::<_, AdminUser>(&token, &path, &change).await },
            move |u| on_change.run(u),
        );
    };
    let send = StoredValue::new(send);
    let who = name.clone();
    let change_role = move |_| {
        let role = new_role.get_untracked();
        send.with_value(|s| s(Change { role: Some(role.clone()), ..Change::default() }, format!("{who} is now {role}.")));
    };
    let who = name.clone();
    let save_permissions = move |_| {
        send.with_value(|s| {
            s(Change { permissions: Some(permissions.get_untracked()), ..Change::default() }, format!("Permissions of {who} saved."))
        })
    };
    let who = name.clone();
    let suspend = move |_| {
        let raw = until.get_untracked();
        let end = local_to_rfc3339(&raw);
        if !raw.trim().is_empty() && end.is_none() {
            outcome.set(Some(Err("The end time is not a date and time.".into())));
            return;
        }
        let words = match &end {
            Some(e) => format!("{who} is suspended until {}.", when(e)),
            None => format!("{who} is suspended until lifted."),
        };
        send.with_value(|s| {
            s(Change { status: Some("suspended".into()), suspended_until: end.clone(), ..Change::default() }, words.clone())
        })
    };
    let who = name.clone();
    let ban = move |_| send.with_value(|s| s(Change { status: Some("banned".into()), ..Change::default() }, format!("{who} is banned.")));
    let who = name.clone();
    let lift =
        move |_| send.with_value(|s| s(Change { status: Some("active".into()), ..Change::default() }, format!("{who} is active again.")));
    let restricted = user.status != "active";

    view! {
        <aside class="panel side-panel" aria-labelledby="user-panel-title">
            <div class="side-head">
                <h2 id="user-panel-title" tabindex="-1">{name.clone()}</h2>
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <p class="muted small">{format!("@{} · ", user.username)}<span title=user.id.clone()>{short_id(&user.id)}</span></p>
            <p>"Status: " <strong>{user.standing()}</strong></p>
            <Outcome outcome=outcome />

            <section class="side-section">
                <h3>"Standing"</h3>
                <label for="suspend-until">"Suspend until (empty: until lifted)"</label>
                <input id="suspend-until" type="datetime-local" prop:value=move || until.get() on:input=move |ev| until.set(event_target_value(&ev)) />
                <label for="moderation-reason">"Reason (kept in the audit log)"</label>
                <input id="moderation-reason" type="text" maxlength="500" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=suspend>"Suspend"</button>
                    <button type="button" class="button danger" prop:disabled=move || busy.get() on:click=ban>"Ban"</button>
                    {restricted.then(|| view! {
                        <button type="button" class="button secondary" prop:disabled=move || busy.get() on:click=lift>"Lift"</button>
                    })}
                </div>
            </section>

            <section class="side-section">
                <h3>"Role"</h3>
                <label for="user-role">"Role"</label>
                <select id="user-role" on:change=move |ev| new_role.set(event_target_value(&ev))>
                    {ROLES.into_iter().map(|r| view! { <option value=r selected=r == user.role>{r}</option> }).collect_view()}
                </select>
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=change_role>"Change role"</button>
                </div>
            </section>

            <section class="side-section">
                <h3>"Permissions"</h3>
                {PERMISSIONS.into_iter().map(|(key, words)| {
                    let checked = move || permissions.with(|p| p.get(key).and_then(|v| v.as_bool()).unwrap_or(false));
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=checked on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                permissions.update(|p| { p.insert(key.to_owned(), on.into()); });
                            } />
                            {words}
                        </label>
                    }
                }).collect_view()}
                <div class="actions">
                    <button type="button" class="button" prop:disabled=move || busy.get() on:click=save_permissions>"Save permissions"</button>
                </div>
            </section>
            <p class="muted small">"Roles and permissions are changed by admins and up; nobody changes their own account or a stronger role."</p>
        </aside>
    }
}
