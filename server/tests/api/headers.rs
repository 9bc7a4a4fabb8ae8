//! Response headers that protect browsers: nosniff everywhere, and a content security policy
//! that forbids framing on the pages Confab serves.

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_response_says_nosniff_errors_included() {
    let app = spawn_app().await;
    let replies = [
        app.get("/healthz").send().await,
        app.get("/openapi.json").send().await,
        app.get("/v1/tenant").key(&app.secret_key).send().await.expect(200, None),
        app.get("/v1/auth/me").send().await.expect(401, Some("unauthorized")),
        app.get("/no/such/route").send().await.expect(404, Some("not_found")),
        app.post("/v1/users").key(&app.secret_key).raw("{not json").send().await.expect(400, Some("bad_request")),
    ];
    for reply in replies {
        assert_eq!(reply.headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{}", reply.text);
    }
}

#[tokio::test]
async fn the_docs_page_may_not_be_framed_and_runs_only_its_own_code() {
    let app = spawn_app().await;
    let docs = app.client.get(format!("{}/docs", app.address)).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert_eq!(docs.headers()["x-content-type-options"], "nosniff");
    let csp = docs.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
}
