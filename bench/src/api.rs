//! The few REST calls the benchmarks make: users, chat tokens, conversations.

use anyhow::{bail, Context, Result};
use futures::StreamExt;
use serde_json::{json, Value};

/// A server's REST API, called with its secret key or a user's token.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    key: String,
}

/// Users are made this many at a time.
const CREATING_AT_ONCE: usize = 32;

impl Api {
    pub fn new(port: u16, key: String) -> Self {
        Api { http: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}"), key }
    }

    /// POSTs `body` with `auth` (a bearer token) or else the secret key; `data` of the reply.
    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> Result<Value> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        request = match auth {
            Some(token) => request.bearer_auth(token),
            None => request.header("x-api-key", &self.key),
        };
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body["data"].clone())
    }

    /// PATCHes `path` with the secret key; `data` of the reply.
    pub async fn patch(&self, path: &str, body: Value) -> Result<Value> {
        let response = self.http.patch(format!("{}{path}", self.base)).header("x-api-key", &self.key).json(&body).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body["data"].clone())
    }

    /// PATCHes the tenant with the secret key.
    pub async fn patch_tenant(&self, body: Value) -> Result<Value> {
        self.patch("/v1/tenant", body).await
    }

    /// Lifts the tenant's write rate limits as far as they go: a load generator opens
    /// conversations and sends from one address far faster than people may.
    pub async fn lift_write_limits(&self) -> Result<()> {
        let max = json!({"per_minute": 600_000, "burst": 10_000});
        let each = json!({"per_user": max, "per_api_key": max, "per_address": max});
        let limits = json!({"messages": each, "conversations": each});
        self.patch_tenant(json!({"settings": {"rate_limits": limits}})).await.map(drop)
    }

    /// A new user and a chat token for them.
    pub async fn user(&self, name: &str) -> Result<(String, String)> {
        let user = self.post("/v1/users", None, json!({"external_id": name})).await?;
        let id = user["id"].as_str().context("user id")?.to_owned();
        let token = self.post("/v1/users/chat-token", None, json!({"user_id": id})).await?;
        Ok((id, token["chat_token"].as_str().context("token")?.to_owned()))
    }

    /// Chat tokens of `count` new users named `prefix-<n>`.
    pub async fn tokens(&self, prefix: &str, count: usize) -> Result<Vec<String>> {
        let made: Vec<Result<(String, String)>> =
            futures::stream::iter((0..count).map(|i| async move { self.user(&format!("{prefix}-{i}")).await }))
                .buffer_unordered(CREATING_AT_ONCE)
                .collect()
                .await;
        made.into_iter().map(|user| user.map(|(_, token)| token)).collect()
    }

    /// A direct conversation from the holder of `token` to `user_id`; its id.
    pub async fn direct(&self, token: &str, user_id: &str) -> Result<String> {
        let convo = self.post("/v1/chat/conversations", Some(token), json!({"user_id": user_id})).await?;
        Ok(convo["id"].as_str().context("conversation id")?.to_owned())
    }
}
