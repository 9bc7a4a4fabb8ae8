use serde_json::json;

use crate::helpers::{s, spawn_app, spawn_app_with, BOOTSTRAP_PASSWORD};

#[tokio::test]
async fn signup_creates_a_tenant_and_signs_its_superadmin_in() {
    let app = spawn_app().await;
    let reply = app
        .post("/v1/auth/signup")
        .json(json!({"tenant_name": "Acme Shop", "email": "Owner@Acme.test", "password": "password-123", "display_name": "Owner"}))
        .send()
        .await
        .expect(201, None);
    let data = reply.data();
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["tenant"]["slug"], "acme-shop");
    assert_eq!(data["tenant"]["settings"]["max_message_length"], 4000);
    assert_eq!(data["user"]["role"], "superadmin");
    assert_eq!(data["user"]["display_name"], "Owner");
    assert_eq!(data["user"]["permissions"]["can_send_message"], true);
    assert!(data["expires_in"].as_i64().unwrap() > 0);

    let me = app.get("/v1/auth/me").bearer(s(&data["access_token"])).send().await.expect(200, None);
    assert_eq!(me.data()["user"]["email"], "Owner@Acme.test");
    assert_eq!(me.data()["tenant"]["name"], "Acme Shop");

    // Email is matched without regard to case.
    app.login("acme-shop", "owner@acme.test", "password-123").await.expect(200, None);
}

#[tokio::test]
async fn signup_with_a_taken_slug_is_a_conflict() {
    let app = spawn_app().await;
    app.signup("taken", "a@x.test").await;
    app.post("/v1/auth/signup")
        .json(json!({"tenant_name": "Other", "tenant_slug": "taken", "email": "b@x.test", "password": "password-123"}))
        .send()
        .await
        .expect(409, Some("conflict"));
}

#[tokio::test]
async fn signup_rejects_bad_fields_with_validation_failed() {
    let app = spawn_app().await;
    let reply = app
        .post("/v1/auth/signup")
        .json(json!({"tenant_name": "T", "email": "not-an-email", "password": "password-123"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    assert!(reply.body["fields"]["email"].is_string());
    let reply = app
        .post("/v1/auth/signup")
        .json(json!({"tenant_name": "T", "email": "a@b.test", "password": "short"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    assert!(reply.body["fields"]["password"].is_string());
    app.post("/v1/auth/signup")
        .json(json!({"tenant_name": "T", "tenant_slug": "Not A Slug", "email": "a@b.test", "password": "password-123"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn signup_can_be_switched_off_by_configuration() {
    let app = spawn_app_with(|c| c.allow_signup = false).await;
    app.post("/v1/auth/signup")
        .json(json!({"tenant_name": "T", "email": "a@b.test", "password": "password-123"}))
        .send()
        .await
        .expect(403, Some("signup_disabled"));
}

#[tokio::test]
async fn login_with_a_wrong_password_or_unknown_account_is_unauthorized() {
    let app = spawn_app().await;
    app.login("default", "admin@localhost", "wrong-password").await.expect(401, Some("unauthorized"));
    app.login("default", "nobody@localhost", BOOTSTRAP_PASSWORD).await.expect(401, Some("unauthorized"));
    app.login("no-such-tenant", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn login_failures_are_limited_per_account_with_retry_after() {
    let app = spawn_app_with(|c| c.login_limit_per_account = 3).await;
    for _ in 0..3 {
        app.login("default", "admin@localhost", "wrong-password").await.expect(401, Some("unauthorized"));
    }
    let reply = app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(429, Some("rate_limited"));
    let retry: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "retry-after {retry}");
    // Another account from the same address is not locked by this one.
    app.signup("other", "other@x.test").await;
    app.login("other", "other@x.test", "password-123").await.expect(200, None);
}

#[tokio::test]
async fn twenty_racing_guesses_on_one_account_get_five_evaluations_and_the_rest_are_refused() {
    let app = spawn_app().await;
    assert_eq!(app.config.login_limit_per_account, 5);
    let guesses = (0..20).map(|i| {
        app.post("/v1/auth/login").json(json!({"tenant": "default", "email": "admin@localhost", "password": format!("guess-{i}")})).send()
    });
    let statuses: Vec<u16> = futures::future::join_all(guesses).await.iter().map(|reply| reply.status.as_u16()).collect();
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((evaluated, refused), (5, 15), "statuses {statuses:?}");
    // The limit holds for the right password too until the window passes.
    app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(429, Some("rate_limited"));
}

#[tokio::test]
async fn login_attempts_are_limited_per_client_address() {
    let app = spawn_app_with(|c| c.login_limit_per_address = 4).await;
    for i in 0..4 {
        app.login("default", &format!("u{i}@x.test"), "whatever-pass").await.expect(401, Some("unauthorized"));
    }
    let reply = app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(429, Some("rate_limited"));
    assert!(reply.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_family() {
    let app = spawn_app().await;
    let first = app.login_admin().await;
    let r1 = s(&first["refresh_token"]).to_owned();

    let second = app.post("/v1/auth/refresh").json(json!({"refresh_token": r1})).send().await.expect(200, None);
    let r2 = s(&second.data()["refresh_token"]).to_owned();
    let a2 = s(&second.data()["access_token"]).to_owned();
    assert_ne!(r1, r2);
    app.get("/v1/auth/me").bearer(&a2).send().await.expect(200, None);

    // r1 again: a thief's replay. The family dies, r2 and its access token with it.
    app.post("/v1/auth/refresh").json(json!({"refresh_token": r1})).send().await.expect(401, Some("unauthorized"));
    app.post("/v1/auth/refresh").json(json!({"refresh_token": r2})).send().await.expect(401, Some("unauthorized"));
    app.get("/v1/auth/me").bearer(&a2).send().await.expect(401, Some("unauthorized"));

    // Another login is a new family and works.
    let other = app.login_admin().await;
    app.get("/v1/auth/me").bearer(s(&other["access_token"])).send().await.expect(200, None);
}

#[tokio::test]
async fn a_chat_token_is_refused_where_a_refresh_token_is_expected_and_the_reverse() {
    let app = spawn_app().await;
    let (_, chat) = app.user_with_token("u1", "user").await;
    app.post("/v1/auth/refresh").json(json!({"refresh_token": chat})).send().await.expect(401, Some("unauthorized"));

    let tokens = app.login_admin().await;
    let refresh = s(&tokens["refresh_token"]);
    app.get("/v1/auth/me").bearer(refresh).send().await.expect(401, Some("unauthorized"));
    // An access token is no refresh token either.
    app.post("/v1/auth/refresh").json(json!({"refresh_token": tokens["access_token"]})).send().await.expect(401, Some("unauthorized"));
    // A WebSocket ticket is no bearer token.
    let ticket = app.get("/v1/messaging/token").bearer(&chat).send().await.expect(200, None);
    app.get("/v1/auth/me").bearer(s(&ticket.data()["ws_token"])).send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn logout_revokes_the_session_of_the_refresh_token() {
    let app = spawn_app().await;
    let tokens = app.login_admin().await;
    let access = s(&tokens["access_token"]);
    let refresh = s(&tokens["refresh_token"]);
    app.post("/v1/auth/logout").bearer(access).json(json!({"refresh_token": refresh})).send().await.expect(204, None);
    app.post("/v1/auth/refresh").json(json!({"refresh_token": refresh})).send().await.expect(401, Some("unauthorized"));
    app.get("/v1/auth/me").bearer(access).send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn logout_refuses_someone_elses_refresh_token() {
    let app = spawn_app().await;
    let admin = app.login_admin().await;
    let other = app.signup("other", "o@x.test").await;
    app.post("/v1/auth/logout")
        .bearer(s(&other["access_token"]))
        .json(json!({"refresh_token": admin["refresh_token"]}))
        .send()
        .await
        .expect(401, Some("unauthorized"));
    app.post("/v1/auth/refresh").json(json!({"refresh_token": admin["refresh_token"]})).send().await.expect(200, None);
}

#[tokio::test]
async fn profile_updates_and_clears_fields() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    let reply = app
        .patch("/v1/auth/profile")
        .bearer(&token)
        .json(json!({"display_name": "Jane", "avatar_url": "https://cdn.test/a.png", "timezone": "Europe/Berlin"}))
        .send()
        .await
        .expect(200, None);
    assert_eq!(reply.data()["display_name"], "Jane");
    assert_eq!(reply.data()["timezone"], "Europe/Berlin");
    let reply = app.patch("/v1/auth/profile").bearer(&token).json(json!({"avatar_url": null})).send().await.expect(200, None);
    assert_eq!(reply.data()["avatar_url"], serde_json::Value::Null);
    assert_eq!(reply.data()["display_name"], "Jane");
    app.patch("/v1/auth/profile").bearer(&token).json(json!({"display_name": "  "})).send().await.expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = spawn_app().await;
    let here = app.login_admin().await;
    let elsewhere = app.login_admin().await;
    app.post("/v1/auth/change-password")
        .bearer(s(&here["access_token"]))
        .json(json!({"current_password": "wrong-one", "new_password": "new-password-1"}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
    app.post("/v1/auth/change-password")
        .bearer(s(&here["access_token"]))
        .json(json!({"current_password": BOOTSTRAP_PASSWORD, "new_password": "new-password-1"}))
        .send()
        .await
        .expect(204, None);
    app.get("/v1/auth/me").bearer(s(&elsewhere["access_token"])).send().await.expect(401, Some("unauthorized"));
    app.post("/v1/auth/refresh").json(json!({"refresh_token": elsewhere["refresh_token"]})).send().await.expect(401, Some("unauthorized"));
    app.get("/v1/auth/me").bearer(s(&here["access_token"])).send().await.expect(200, None);
    app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(401, Some("unauthorized"));
    app.login("default", "admin@localhost", "new-password-1").await.expect(200, None);
}

#[tokio::test]
async fn a_websocket_ticket_is_issued_for_sixty_seconds_and_spends_once() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    let reply = app.get("/v1/messaging/token").bearer(&token).send().await.expect(200, None);
    assert_eq!(reply.data()["expires_in"], 60);
    let ticket = s(&reply.data()["ws_token"]);
    let claims = app.state.keys.verify(ticket, &[confab_server::auth::Purpose::Ws]).unwrap();
    assert_eq!(claims.exp - claims.iat, 60);
    assert!(confab_server::store::sessions::spend_ws_ticket(&app.state.db, &claims.jti).await.unwrap());
    assert!(!confab_server::store::sessions::spend_ws_ticket(&app.state.db, &claims.jti).await.unwrap());
    app.get("/v1/messaging/token").send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn tokens_signed_with_a_rotated_out_key_verify_until_the_key_is_removed() {
    use confab_server::config::Secret;
    let app = spawn_app().await;
    let (user, old_token) = app.user_with_token("u1", "user").await;
    let new_key = format!("k2:{}", "n".repeat(40));

    let rotated = app.restart_with(|c| c.jwt_keys = Some(Secret::new(format!("{new_key},{}", crate::helpers::JWT_KEYS)))).await;
    rotated.get("/v1/auth/me").bearer(&old_token).send().await.expect(200, None);
    let new_token = rotated.chat_token(s(&user["id"])).await;
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!(header.kid.as_deref(), Some("k2"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);

    let removed = app.restart_with(|c| c.jwt_keys = Some(Secret::new(new_key.clone()))).await;
    removed.get("/v1/auth/me").bearer(&old_token).send().await.expect(401, Some("unauthorized"));
    removed.get("/v1/auth/me").bearer(&new_token).send().await.expect(200, None);
}

#[tokio::test]
async fn a_token_with_another_algorithm_or_no_key_id_is_refused() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("u1", "user").await;
    let claims = app.state.keys.verify(&token, &[confab_server::auth::Purpose::Chat]).unwrap();
    let secret = crate::helpers::JWT_KEYS.split_once(':').unwrap().1;
    // Same secret, but HS512 and then no kid: both must fail.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
    header.kid = Some("test1".into());
    let forged = jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())).unwrap();
    app.get("/v1/auth/me").bearer(&forged).send().await.expect(401, Some("unauthorized"));
    let no_kid = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    app.get("/v1/auth/me").bearer(&no_kid).send().await.expect(401, Some("unauthorized"));
}

#[tokio::test]
async fn login_counters_are_shared_by_server_processes_when_redis_is_configured() {
    let app = spawn_app_with(|c| c.login_limit_per_account = 2).await;
    let twin = app.restart_with(|_| {}).await;
    for _ in 0..2 {
        app.login("default", "admin@localhost", "wrong-password").await.expect(401, Some("unauthorized"));
    }
    let on_twin = twin.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await;
    if app.config.redis_url.is_some() {
        // One Redis: the twin process sees the failures counted by the first.
        on_twin.expect(429, Some("rate_limited"));
    } else {
        // In-process counters: each process counts alone.
        on_twin.expect(200, None);
        app.login("default", "admin@localhost", BOOTSTRAP_PASSWORD).await.expect(429, Some("rate_limited"));
    }
}
