//! Webhook receivers and endpoints for the tests: a receiver on loopback that records what it
//! gets and answers as scripted, and servers and endpoints set up to reach it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use poem::http::{HeaderMap, StatusCode};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Request, Response, Server};
use serde_json::{json, Value};
use sha2::Sha256;

use confab_server::Config;

use super::{people, s, spawn_app_with, TestApp};

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Ok,
    Fail,
    Hang,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// The `v1=` signatures it carries, in order.
    pub fn signatures(&self) -> Vec<String> {
        self.header("confab-signature").split(',').map(|s| s.trim().strip_prefix("v1=").expect("v1= entries").to_owned()).collect()
    }
}

/// A webhook receiver on 127.0.0.1 that records every request and answers as scripted
/// (200 once the script runs out).
pub struct Receiver {
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(script: &[Answer]) -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind the receiver");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("a socket address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let (log, answers) = (seen.clone(), script);
        let endpoint = poem::endpoint::make(move |req: Request| {
            let (log, answers) = (log.clone(), answers.clone());
            async move {
                let headers = req.headers().clone();
                let body = req.into_body().into_string().await.unwrap_or_default();
                log.lock().unwrap().push(Received { headers, body });
                let answer = answers.lock().unwrap().pop_front().unwrap_or(Answer::Ok);
                match answer {
                    Answer::Ok => Response::builder().status(StatusCode::OK).body("thanks"),
                    Answer::Fail => Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body("boom"),
                    Answer::Hang => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        Response::builder().status(StatusCode::OK).body("late")
                    }
                }
            }
        });
        tokio::spawn(Server::new_with_acceptor(acceptor).run(endpoint));
        Receiver { url: format!("http://127.0.0.1:{port}/hook"), seen }
    }

    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            let seen = self.received();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the receiver got {} requests, not {n}", self.received().len());
    }
}

/// A server whose webhooks may reach loopback (where the receivers run) and retry fast.
pub async fn webhook_app() -> TestApp {
    webhook_app_with(|_| {}).await
}

/// The same, with `customize` applied after.
pub async fn webhook_app_with(customize: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with(|c| {
        c.webhook_allow_private = true;
        c.webhook_backoff_base_ms = 50;
        c.webhook_backoff_max_ms = 200;
        c.webhook_idle_ms = 20;
        c.webhook_timeout_ms = 1_000;
        customize(c);
    })
    .await
}

/// Registers an endpoint with the bootstrap secret key; returns its id and secret.
pub async fn register(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let reply = app.post("/v1/webhooks").key(&app.secret_key).json(json!({"url": url, "events": events})).send().await.expect(201, None);
    (s(&reply.data()["id"]).to_owned(), s(&reply.data()["secret"]).to_owned())
}

pub async fn deliveries(app: &TestApp, webhook_id: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/webhooks/{webhook_id}/deliveries")).key(&app.secret_key).send().await.expect(200, None);
    reply.data().as_array().unwrap().clone()
}

/// Waits until the endpoint has `n` deliveries; returns them.
pub async fn deliveries_counting(app: &TestApp, webhook_id: &str, n: usize) -> Vec<Value> {
    for _ in 0..500 {
        let listed = deliveries(app, webhook_id).await;
        if listed.len() >= n {
            assert_eq!(listed.len(), n, "{listed:?}");
            return listed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the endpoint never had {n} deliveries: {:?}", deliveries(app, webhook_id).await);
}

/// Waits until the endpoint's newest delivery has `status`; returns it.
pub async fn delivery_with_status(app: &TestApp, webhook_id: &str, status: &str) -> Value {
    delivery_where(app, webhook_id, |d| d["status"] == status).await
}

/// Waits until the endpoint's newest delivery is as `wanted`; returns it.
pub async fn delivery_where(app: &TestApp, webhook_id: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        if let Some(newest) = deliveries(app, webhook_id).await.into_iter().next() {
            if wanted(&newest) {
                return newest;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no delivery became as wanted: {:?}", deliveries(app, webhook_id).await);
}

pub fn hmac_hex(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Two users of the default tenant in a direct conversation: the first one's token and the
/// conversation's id.
pub async fn chat(app: &TestApp) -> (String, String) {
    let people = people(app, &["wh-ann", "wh-bob"]).await;
    let conversation = app.direct(&people[0].1, &people[1].0).await;
    (people[0].1.clone(), s(&conversation["id"]).to_owned())
}
