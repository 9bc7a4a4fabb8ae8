//! The sign-in form: tenant, email and password, answered by `POST /v1/auth/login`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::Auth;

#[component]
pub fn SignIn() -> impl IntoView {
    let auth = Auth::use_context();
    let tenant = RwSignal::new("default".to_owned());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (t, e, p) = (tenant.get_untracked(), email.get_untracked(), password.get_untracked());
        if t.trim().is_empty() || e.trim().is_empty() || p.is_empty() {
            error.set(Some("Fill in the tenant, your email and your password.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = auth.sign_in(t.trim(), e.trim(), &p).await;
            busy.set(false);
            if let Err(failure) = result {
                let words = if failure.status == 401 { "The tenant, email or password is not right.".to_owned() } else { failure.message };
                error.set(Some(words));
            }
        });
    };

    view! {
        <main id="main" class="center-page">
            <form class="panel card-narrow signin" on:submit=submit novalidate>
                <h1 id="screen-title">"Confab admin console"</h1>
                <p class="muted">"Sign in with your Confab account. Moderators, admins and superadmins have access."</p>
                {move || auth.notice.get().map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
                <label for="tenant">"Tenant"</label>
                <input
                    id="tenant"
                    name="tenant"
                    type="text"
                    autocomplete="organization"
                    prop:value=move || tenant.get()
                    on:input=move |ev| tenant.set(event_target_value(&ev))
                />
                <label for="email">"Email"</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="username"
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || error.get().map(|words| view! { <p class="error" role="alert">{words}</p> })}
                <button type="submit" class="button" prop:disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
