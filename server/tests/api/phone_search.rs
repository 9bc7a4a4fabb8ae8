//! The directory search never reveals phone numbers it does not show: a part of a number
//! finds nobody, and only callers who see phone numbers (admins and up) find a user by the
//! whole number.

use serde_json::json;

use crate::helpers::{s, spawn_app, TestApp};

/// The usernames a search for `q` (URL-encoded) finds, as `token`'s user.
async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let reply = app.get(&format!("/v1/chat/users/search?q={q}")).bearer(token).send().await.expect(200, None);
    reply.data().as_array().unwrap().iter().map(|u| s(&u["username"]).to_owned()).collect()
}

/// Jane, whose number is +1 555-0100, and a caller of `role` with a chat token.
async fn jane_and_a_caller(app: &TestApp, role: &str) -> String {
    app.create_user_with(&app.secret_key, json!({"external_id": "jane", "username": "jane", "phone": "+1 555-0100"})).await;
    app.create_user_with(&app.secret_key, json!({"external_id": "pat", "username": "pat", "phone": "+1 555 0199"})).await;
    app.user_with_token("caller", role).await.1
}

#[tokio::test]
async fn a_chat_user_cannot_probe_phone_numbers_digit_by_digit() {
    let app = spawn_app().await;
    let token = jane_and_a_caller(&app, "user").await;
    for probe in ["5", "555", "%2B1", "0100", "555-0100", "1555010", "15550100", "%2B1%20555-0100"] {
        assert!(found(&app, &token, probe).await.is_empty(), "a chat user found someone by phone {probe:?}");
    }
    // Names still match.
    assert_eq!(found(&app, &token, "jan").await, ["jane"]);
}

#[tokio::test]
async fn an_admin_finds_a_user_by_the_whole_number_only() {
    let app = spawn_app().await;
    let token = jane_and_a_caller(&app, "admin").await;
    for part in ["5", "555", "0100", "555-0100", "1555010", "155501000", "%2B1%20555"] {
        assert!(found(&app, &token, part).await.is_empty(), "part of a number {part:?} found someone");
    }
    for whole in ["%2B1%20555-0100", "15550100", "1%20(555)%2001.00", "%2B15550100"] {
        assert_eq!(found(&app, &token, whole).await, ["jane"], "whole number {whole:?}");
    }
    assert_eq!(found(&app, &token, "1-555-0199").await, ["pat"]);
}
