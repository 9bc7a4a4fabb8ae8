//! `GET /metrics`: HTTP requests by route template, WebSockets, the event bus and the
//! database pool, read from the Prometheus text a real server serves.

use crate::helpers::{people, s, spawn_app};

const REQUESTS: &str = "confab_http_requests_total";
const DURATION: &str = "confab_http_request_duration_seconds";
const MESSAGES: &str = "/v1/chat/conversations/{id}/messages";

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status_and_the_raw_id_is_no_label() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let history = format!("/v1/chat/conversations/{id}/messages");
    let before = app.metrics().await;
    assert!(before.matching(REQUESTS, &[("method", "GET"), ("route", MESSAGES)]).next().is_none(), "{}", before.text);
    for _ in 0..2 {
        app.get(&history).bearer(&p[0].1).send().await.expect(200, None);
    }
    let outsider = app.outsider("elsewhere", "user").await;
    app.get(&history).bearer(&outsider.1).send().await.expect(404, Some("not_found"));

    let after = app.metrics().await;
    assert_eq!(after.value(REQUESTS, &[("method", "GET"), ("route", MESSAGES), ("status", "200")]), 2.0);
    assert_eq!(after.value(REQUESTS, &[("method", "GET"), ("route", MESSAGES), ("status", "404")]), 1.0);
    let opened: f64 = after.matching(REQUESTS, &[("method", "POST"), ("route", "/v1/chat/conversations")]).map(|s| s.value).sum();
    assert_eq!(opened, 1.0, "{}", after.text);
    assert!(!after.text.contains(&id), "the conversation id is a label:\n{}", after.text);
    assert_eq!(after.types.get(REQUESTS).map(String::as_str), Some("counter"));
}

#[tokio::test]
async fn a_path_no_route_takes_is_counted_as_unmatched() {
    let app = spawn_app().await;
    app.get("/v1/no/such/01J0000000000000000000000").send().await.expect(404, Some("not_found"));
    app.get("/nothing-here").send().await.expect(404, Some("not_found"));
    let scrape = app.metrics().await;
    assert_eq!(scrape.value(REQUESTS, &[("method", "GET"), ("route", "unmatched"), ("status", "404")]), 2.0);
    assert!(!scrape.text.contains("/v1/no/such") && !scrape.text.contains("nothing-here"), "{}", scrape.text);
    // Outside the spec, a page that exists is labelled by its route, not as unmatched.
    assert_eq!(app.get("/openapi.json").send().await.status, 200);
    let scrape = app.metrics().await;
    assert_eq!(scrape.value(REQUESTS, &[("method", "GET"), ("route", "/openapi.json"), ("status", "200")]), 1.0);
}

#[tokio::test]
async fn request_durations_are_a_histogram_with_cumulative_buckets_a_sum_and_a_count() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").send().await.status, 200);
    }
    let scrape = app.metrics().await;
    assert_eq!(scrape.types.get(DURATION).map(String::as_str), Some("histogram"));
    let route = [("method", "GET"), ("route", "/healthz")];
    let buckets: Vec<(f64, f64)> = scrape
        .matching(&format!("{DURATION}_bucket"), &route)
        .map(|b| (b.labels["le"].parse::<f64>().expect("a bound"), b.value))
        .collect();
    assert!(buckets.len() >= 10, "{}", scrape.text);
    assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "bounds rise and counts accumulate: {buckets:?}");
    assert_eq!(buckets.last().copied(), Some((f64::INFINITY, 3.0)));
    assert_eq!(scrape.value(&format!("{DURATION}_count"), &route), 3.0);
    let sum = scrape.value(&format!("{DURATION}_sum"), &route);
    assert!(sum > 0.0 && sum < 30.0, "seconds, not milliseconds: {sum}");
}

#[tokio::test]
async fn opening_a_websocket_raises_the_open_sockets_gauge_and_closing_lowers_it() {
    let app = spawn_app().await;
    let p = people(&app, &["ann"]).await;
    assert_eq!(app.metrics().await.value("confab_ws_sockets_open", &[]), 0.0);
    let first = app.ws(&p[0].1).await;
    let second = app.ws(&p[0].1).await;
    app.metrics_until("two sockets open", |m| m.value("confab_ws_sockets_open", &[]) == 2.0).await;
    first.close().await;
    app.metrics_until("one socket open", |m| m.value("confab_ws_sockets_open", &[]) == 1.0).await;
    second.close().await;
    app.metrics_until("no socket open", |m| m.value("confab_ws_sockets_open", &[]) == 0.0).await;
}

#[tokio::test]
async fn a_message_to_a_connected_socket_counts_an_event_sent() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let id = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob = app.ws(&p[1].1).await;
    let events = |m: &crate::helpers::Scrape| m.value("confab_ws_frames_sent_total", &[("kind", "event")]);
    let before = events(&app.metrics().await);
    app.say(&p[0].1, &id, "hello").await;
    bob.next_of("new_message").await;
    app.metrics_until("the event counted", |m| events(m) >= before + 1.0).await;
    bob.send(serde_json::json!({"type": "ping"})).await;
    bob.next_of("pong").await;
    app.metrics_until("the reply counted", |m| m.value("confab_ws_frames_sent_total", &[("kind", "reply")]) >= 1.0).await;
}

#[tokio::test]
async fn pool_gauges_are_present_and_within_the_maximum() {
    let app = spawn_app().await;
    let scrape = app.metrics().await;
    let max = scrape.value("confab_db_pool_connections_max", &[]);
    let in_use = scrape.value("confab_db_pool_connections_in_use", &[]);
    let idle = scrape.value("confab_db_pool_connections_idle", &[]);
    assert!(max >= 1.0, "{}", scrape.text);
    assert!(in_use >= 0.0 && idle >= 0.0 && in_use + idle <= max, "in use {in_use}, idle {idle}, max {max}");
    for name in ["confab_db_pool_connections_max", "confab_db_pool_connections_in_use", "confab_db_pool_connections_idle"] {
        assert_eq!(scrape.types.get(name).map(String::as_str), Some("gauge"));
    }
}

#[tokio::test]
async fn bus_publish_failures_start_at_zero_and_every_family_has_help_and_type() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").send().await.status, 200);
    let scrape = app.metrics().await;
    assert_eq!(scrape.value("confab_bus_publish_failures_total", &[]), 0.0);
    assert_eq!(scrape.types.get("confab_bus_publish_failures_total").map(String::as_str), Some("counter"));
    for sample in &scrape.samples {
        let family = [DURATION].iter().find(|h| sample.name.starts_with(*h)).map_or(sample.name.as_str(), |h| *h);
        assert!(scrape.helped.contains(family), "{family} has no HELP");
        assert!(scrape.types.contains_key(family), "{family} has no TYPE");
    }
    for kept in [
        "confab_search_outbox_depth",
        "confab_search_relay_failures_total",
        "confab_search_relay_delivered_total",
        "confab_media_bytes_stored",
    ] {
        assert!(scrape.types.contains_key(kept), "{kept} is gone");
    }
}
