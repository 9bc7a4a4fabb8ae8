use confab_server::Application;

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_report_a_ready_server() {
    let app = spawn_app().await;
    let reply = app.get("/healthz").send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
    let reply = app.get("/readyz").send().await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["database"], true);
    assert_eq!(reply.body["limiter"], true);
}

#[tokio::test]
async fn bootstrap_happens_exactly_once() {
    let app = spawn_app().await;
    // The first start (in spawn_app) bootstrapped; the bootstrap key works.
    app.get("/v1/tenant").key(&app.secret_key).send().await.expect(200, None);
    for _ in 0..2 {
        let mut again = Application::build(app.config.clone()).await.expect("second start");
        assert!(again.take_bootstrap_report().is_none());
    }
    let tenants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants").fetch_one(app.state.db.pool()).await.unwrap();
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!((tenants, keys), (1, 1));
}

#[tokio::test]
async fn the_suite_runs_on_the_backend_it_was_asked_for() {
    let app = spawn_app().await;
    let expected = match crate::helpers::backend() {
        "postgres" => confab_server::store::Backend::Postgres,
        _ => confab_server::store::Backend::Sqlite,
    };
    assert_eq!(app.state.db.backend(), expected);
    assert_eq!(app.config.redis_url.is_some(), std::env::var("CONFAB_TEST_REDIS_URL").is_ok());
}

#[tokio::test]
async fn readyz_names_the_search_index_and_metrics_show_the_outbox_drained() {
    let app = spawn_app().await;
    let p = crate::helpers::people(&app, &["ann", "bob"]).await;
    let id = crate::helpers::s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    app.say(&p[0].1, &id, "counted once").await;
    let ready = app.get("/readyz").send().await;
    assert_eq!(ready.body["search"], true);
    assert_eq!(ready.body["search_backend"], "database");
    let start = std::time::Instant::now();
    loop {
        let metrics = app.get("/metrics").send().await;
        assert_eq!(metrics.status, 200);
        assert!(metrics.text.contains("# TYPE confab_search_outbox_depth gauge"), "{}", metrics.text);
        assert!(metrics.text.contains("confab_media_bytes_stored 0"), "{}", metrics.text);
        if metrics.text.contains("confab_search_outbox_depth 0\n") {
            break;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the outbox never drained: {}", metrics.text);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
