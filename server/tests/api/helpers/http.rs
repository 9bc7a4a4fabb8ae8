//! Requests to the app under test and their replies, read whole.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::TestApp;

/// One request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// `data` of a success envelope.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// Asserts the status and, for errors, the envelope and its code.
    pub fn expect(self, status: u16, code: Option<&str>) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        if let Some(code) = code {
            assert_eq!(self.body["success"], json!(false), "error envelope: {}", self.text);
            assert_eq!(self.body["code"], json!(code), "error code: {}", self.text);
            assert!(self.body["message"].is_string(), "error message: {}", self.text);
        } else if status != 204 {
            assert_eq!(self.body["success"], json!(true), "success envelope: {}", self.text);
        }
        self
    }
}

impl Call<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn key(mut self, key: &str) -> Self {
        self.builder = self.builder.header("x-api-key", key);
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.builder = self.builder.json(&body);
        self
    }

    /// A raw body sent as JSON, for malformed input.
    pub fn raw(mut self, body: impl Into<String>) -> Self {
        self.builder = self.builder.header("content-type", "application/json").body(body.into());
        self
    }

    pub async fn send(self) -> Reply {
        let request = self.builder.build().expect("a request");
        let (method, path) = (request.method().to_string(), request.url().path().to_owned());
        let response = self.app.client.execute(request).await.expect("request sent");
        let status = response.status();
        super::declared::check(&method, &path, status.as_u16());
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }
}

impl TestApp {
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call { app: self, builder: self.client.request(method, format!("{}{path}", self.address)) }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }
}
