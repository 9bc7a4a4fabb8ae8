//! Fixtures built through the public API: users and tokens, tenants, conversations,
//! messages, and helpers for races.

use serde_json::{json, Value};

use super::{Reply, TestApp, BOOTSTRAP_PASSWORD};

impl TestApp {
    /// Creates (or updates) a user with the bootstrap secret key; returns the user object.
    pub async fn create_user(&self, external_id: &str, role: &str) -> Value {
        self.create_user_with(&self.secret_key, json!({"external_id": external_id, "role": role})).await
    }

    pub async fn create_user_with(&self, key: &str, body: Value) -> Value {
        let reply = self.post("/v1/users").key(key).json(body).send().await;
        assert!(reply.status.is_success(), "create user: {}", reply.text);
        reply.data().clone()
    }

    /// A chat token for a user, minted with the bootstrap secret key.
    pub async fn chat_token(&self, user_id: &str) -> String {
        let reply =
            self.post("/v1/users/chat-token").key(&self.secret_key).json(json!({"user_id": user_id})).send().await.expect(201, None);
        reply.data()["chat_token"].as_str().unwrap().to_owned()
    }

    /// A user of `role` and a chat token for them.
    pub async fn user_with_token(&self, external_id: &str, role: &str) -> (Value, String) {
        let user = self.create_user(external_id, role).await;
        let token = self.chat_token(user["id"].as_str().unwrap()).await;
        (user, token)
    }

    /// Signs the bootstrap superadmin in; returns the tokens object.
    pub async fn login_admin(&self) -> Value {
        self.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(200, None).data().clone()
    }

    pub async fn login(&self, tenant: &str, email: &str, password: &str) -> Reply {
        self.post("/v1/auth/login").json(json!({"tenant": tenant, "email": email, "password": password})).send().await
    }

    /// Signs up a new tenant; returns the tokens object.
    pub async fn signup(&self, slug: &str, email: &str) -> Value {
        self.post("/v1/auth/signup")
            .json(json!({"tenant_name": format!("Tenant {slug}"), "tenant_slug": slug, "email": email, "password": "password-123"}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// A secret key of the tenant that `admin_token` administers.
    pub async fn secret_key_for(&self, admin_token: &str) -> String {
        self.issue_secret_key(admin_token).await.1
    }

    /// Issues a secret key as the tenant admin of `admin_token`; returns its id and the key.
    pub async fn issue_secret_key(&self, admin_token: &str) -> (String, String) {
        let issued =
            self.post("/v1/api-keys").bearer(admin_token).json(json!({"name": "tests", "kind": "secret"})).send().await.expect(201, None);
        let data = issued.data();
        (data["id"].as_str().unwrap().to_owned(), data["key"].as_str().unwrap().to_owned())
    }
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

impl TestApp {
    /// Opens (or gets) the direct conversation of `token`'s user with `other_id`.
    pub async fn direct(&self, token: &str, other_id: &str) -> Value {
        let reply = self.post("/v1/chat/conversations").bearer(token).json(json!({"user_id": other_id})).send().await;
        assert!(reply.status.is_success(), "open direct: {}", reply.text);
        reply.data().clone()
    }

    /// Creates a group owned by `token`'s user.
    pub async fn group(&self, token: &str, name: &str, members: &[&str]) -> Value {
        self.post("/v1/chat/conversations")
            .bearer(token)
            .json(json!({"kind": "group", "name": name, "participant_ids": members}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// Sends a text message; returns the message.
    pub async fn say(&self, token: &str, conversation_id: &str, body: &str) -> Value {
        self.post(&format!("/v1/chat/conversations/{conversation_id}/messages"))
            .bearer(token)
            .json(json!({"body": body}))
            .send()
            .await
            .expect(201, None)
            .data()
            .clone()
    }

    /// The unread count of one conversation as `token`'s user sees it.
    pub async fn unread_of(&self, token: &str, conversation_id: &str) -> i64 {
        let reply = self.get(&format!("/v1/chat/conversations/{conversation_id}")).bearer(token).send().await.expect(200, None);
        reply.data()["unread_count"].as_i64().unwrap()
    }
}

impl TestApp {
    /// The tenant a user belongs to.
    pub async fn tenant_of(&self, user_id: &str) -> String {
        sqlx::query_scalar("SELECT tenant_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(self.state.db.pool())
            .await
            .expect("user exists")
    }
}

/// Users with chat tokens: `(id, token)` for each external id, all of role `user`.
pub async fn people(app: &TestApp, names: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in names {
        let (user, token) = app.user_with_token(name, "user").await;
        out.push((s(&user["id"]).to_owned(), token));
    }
    out
}

impl TestApp {
    /// A user of `role` in a second tenant `slug` (signed up here), and a chat token for them.
    pub async fn outsider(&self, slug: &str, role: &str) -> (String, String) {
        let admin = self.signup(slug, &format!("admin@{slug}.test")).await;
        let key = self.secret_key_for(s(&admin["access_token"])).await;
        let user = self.create_user_with(&key, json!({"external_id": format!("{slug}-{role}"), "role": role})).await;
        let id = s(&user["id"]).to_owned();
        let reply = self.post("/v1/users/chat-token").key(&key).json(json!({"user_id": id})).send().await.expect(201, None);
        (id, s(&reply.data()["chat_token"]).to_owned())
    }

    /// The messages of a conversation as `token`'s user sees them, oldest first.
    pub async fn history(&self, token: &str, conversation_id: &str) -> Vec<Value> {
        let reply = self
            .get(&format!("/v1/chat/conversations/{conversation_id}/messages?per_page=100"))
            .bearer(token)
            .send()
            .await
            .expect(200, None);
        let mut messages = reply.data().as_array().unwrap().clone();
        messages.reverse();
        messages
    }
}

/// Rows made within one millisecond tie on time; a pause makes "newest first" observable.
pub async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

/// Sends every request at once and waits for all. Each reply must be a 200 or a 201;
/// returns the distinct `data.id`s and how many replies were 201.
pub async fn race(requests: Vec<reqwest::RequestBuilder>) -> (std::collections::HashSet<String>, usize) {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move {
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body["data"]["id"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for h in handles {
        let (status, id) = h.await.unwrap();
        assert!(status == 200 || status == 201, "status {status}");
        created += usize::from(status == 201);
        ids.insert(id.expect("an id"));
    }
    (ids, created)
}
