//! Partial updates write only what they change: a profile save or an admin's edit racing a
//! suspension, a role change or another permission flag never undoes it.

use serde_json::json;

use crate::helpers::{s, spawn_app};

#[tokio::test]
async fn racing_profile_saves_never_undo_a_suspension() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_token("racer", "user").await;
    let id = s(&user["id"]).to_owned();
    for round in 0..5 {
        app.patch(&format!("/v1/users/{id}")).key(&app.secret_key).json(json!({"status": "active"})).send().await.expect(200, None);
        let saves = (0..20)
            .map(|i| app.patch("/v1/auth/profile").bearer(&token).json(json!({"display_name": format!("Racer {round}-{i}")})).send());
        let suspend = app.patch(&format!("/v1/users/{id}")).key(&app.secret_key).json(json!({"status": "suspended"})).send();
        let (saves, suspended) = tokio::join!(futures::future::join_all(saves), suspend);
        suspended.expect(200, None);
        for save in saves {
            assert!(matches!(save.status.as_u16(), 200 | 403), "profile save answered {}", save.text);
        }
        let now = app.get(&format!("/v1/users/{id}")).key(&app.secret_key).send().await.expect(200, None);
        assert_eq!(now.data()["status"], "suspended", "round {round}: a profile save undid the suspension");
    }
}

#[tokio::test]
async fn racing_admin_edits_of_different_fields_all_land() {
    let app = spawn_app().await;
    let user = app.create_user("target", "user").await;
    let id = s(&user["id"]).to_owned();
    let path = format!("/v1/users/{id}");
    let edits = [
        json!({"permissions": {"can_send_message": false}}),
        json!({"permissions": {"can_edit_message": false}}),
        json!({"role": "host"}),
        json!({"display_name": "Target"}),
        json!({"phone": "+15550100"}),
        json!({"status": "suspended"}),
    ];
    let replies = futures::future::join_all(edits.iter().map(|edit| app.patch(&path).key(&app.secret_key).json(edit.clone()).send())).await;
    for reply in replies {
        reply.expect(200, None);
    }
    let now = app.get(&path).key(&app.secret_key).send().await.expect(200, None);
    let user = now.data();
    assert_eq!(user["permissions"]["can_send_message"], false);
    assert_eq!(user["permissions"]["can_edit_message"], false);
    assert_eq!(user["permissions"]["can_delete_message"], true);
    assert_eq!(user["role"], "host");
    assert_eq!(user["display_name"], "Target");
    assert_eq!(user["phone"], "+15550100");
    assert_eq!(user["status"], "suspended");
}
