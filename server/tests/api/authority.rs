//! An admin trying to become the tenant's superadmin by every credential it can get: a chat
//! token minted for the owner or for another admin, or a secret key it issues itself. Each
//! attempt must fail with 403 and change nothing; the owner and the bootstrap key keep
//! every power.

use serde_json::{json, Value};

use crate::helpers::{s, spawn_app, TestApp};

/// The bootstrap superadmin's id.
async fn owner_id(app: &TestApp) -> String {
    s(&app.login_admin().await["user"]["id"]).to_owned()
}

/// Mints a chat token for `user_id` with `credential`, a bearer token or an API key.
async fn mint(app: &TestApp, credential: &Credential<'_>, user_id: &str) -> crate::helpers::Reply {
    credential.apply(app.post("/v1/users/chat-token")).json(json!({"user_id": user_id})).send().await
}

/// Who is calling: a user's bearer token or an API key.
enum Credential<'a> {
    Bearer(&'a str),
    Key(&'a str),
}

impl Credential<'_> {
    fn apply<'c>(&self, call: crate::helpers::Call<'c>) -> crate::helpers::Call<'c> {
        match self {
            Credential::Bearer(token) => call.bearer(token),
            Credential::Key(key) => call.key(key),
        }
    }
}

/// Every way `credential` could lift `self_id` or `other_id` to superadmin, or act on the
/// owner: each must be refused with 403, and the owner must stay an active superadmin.
async fn every_escalation_is_refused(app: &TestApp, credential: &Credential<'_>, self_id: &str, other_id: &str) {
    let owner = owner_id(app).await;
    for id in [self_id, other_id] {
        credential
            .apply(app.patch(&format!("/v1/users/{id}")))
            .json(json!({"role": "superadmin"}))
            .send()
            .await
            .expect(403, Some("forbidden"));
    }
    credential
        .apply(app.post("/v1/users"))
        .json(json!({"external_id": "made-owner", "role": "superadmin"}))
        .send()
        .await
        .expect(403, Some("forbidden"));
    for change in [json!({"status": "suspended"}), json!({"role": "user"}), json!({"email": "mine@evil.test"})] {
        credential.apply(app.patch(&format!("/v1/users/{owner}"))).json(change).send().await.expect(403, Some("forbidden"));
    }
    credential.apply(app.delete(&format!("/v1/users/{owner}"))).send().await.expect(403, Some("forbidden"));
    mint(app, credential, &owner).await.expect(403, Some("forbidden"));

    let me = app.get(&format!("/v1/users/{owner}")).key(&app.secret_key).send().await.expect(200, None);
    assert_eq!((&me.data()["role"], &me.data()["status"]), (&json!("superadmin"), &json!("active")));
    let lifted = app.get(&format!("/v1/users/{self_id}")).key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(lifted.data()["role"], "admin");
}

#[tokio::test]
async fn an_admin_cannot_mint_a_chat_token_for_the_owner_or_another_admin() {
    let app = spawn_app().await;
    let (admin, admin_token) = app.user_with_token("adm", "admin").await;
    let (peer, _) = app.user_with_token("peer", "admin").await;
    let (moderator, _) = app.user_with_token("mod", "moderator").await;
    let owner = owner_id(&app).await;
    let admin_call = Credential::Bearer(&admin_token);

    mint(&app, &admin_call, &owner).await.expect(403, Some("forbidden"));
    mint(&app, &admin_call, s(&peer["id"])).await.expect(403, Some("forbidden"));
    // For itself and for weaker users it still may.
    mint(&app, &admin_call, s(&admin["id"])).await.expect(201, None);
    let minted = mint(&app, &admin_call, s(&moderator["id"])).await.expect(201, None);
    let token = s(&minted.data()["chat_token"]);
    let me = app.get("/v1/auth/me").bearer(token).send().await.expect(200, None);
    assert_eq!(me.data()["user"]["role"], "moderator");
}

#[tokio::test]
async fn an_admin_cannot_become_superadmin_with_its_own_token() {
    let app = spawn_app().await;
    let (admin, admin_token) = app.user_with_token("adm", "admin").await;
    let (other, _) = app.user_with_token("other", "user").await;
    every_escalation_is_refused(&app, &Credential::Bearer(&admin_token), s(&admin["id"]), s(&other["id"])).await;
}

#[tokio::test]
async fn a_secret_key_issued_by_an_admin_is_bounded_to_admin() {
    let app = spawn_app().await;
    let (admin, admin_token) = app.user_with_token("adm", "admin").await;
    let (other, _) = app.user_with_token("other", "user").await;
    let (peer, _) = app.user_with_token("peer", "admin").await;
    let issued = app
        .post("/v1/api-keys")
        .bearer(&admin_token)
        .json(json!({"name": "admin's server", "kind": "secret"}))
        .send()
        .await
        .expect(201, None);
    assert_eq!(issued.data()["authority"], "admin");
    let key = s(&issued.data()["key"]).to_owned();
    let as_key = Credential::Key(&key);

    every_escalation_is_refused(&app, &as_key, s(&admin["id"]), s(&other["id"])).await;
    mint(&app, &as_key, s(&peer["id"])).await.expect(403, Some("forbidden"));
    mint(&app, &as_key, s(&admin["id"])).await.expect(403, Some("forbidden"));

    // A key it issues is bounded the same way, and the owner's keys are out of its reach.
    let second = app.post("/v1/api-keys").key(&key).json(json!({"name": "again", "kind": "secret"})).send().await.expect(201, None);
    assert_eq!(second.data()["authority"], "admin");
    every_escalation_is_refused(&app, &Credential::Key(s(&second.data()["key"])), s(&admin["id"]), s(&other["id"])).await;
    let bootstrap_id = key_id_named(&app, "bootstrap").await;
    app.delete(&format!("/v1/api-keys/{bootstrap_id}")).key(&key).send().await.expect(403, Some("forbidden"));
    app.delete(&format!("/v1/api-keys/{bootstrap_id}")).bearer(&admin_token).send().await.expect(403, Some("forbidden"));
    app.get("/v1/tenant").key(&app.secret_key).send().await.expect(200, None);

    // Within its bound the key works: it manages and mints for weaker users.
    app.patch(&format!("/v1/users/{}", s(&other["id"]))).key(&key).json(json!({"role": "admin"})).send().await.expect(200, None);
    let (weak, _) = app.user_with_token("weak", "staff").await;
    mint(&app, &as_key, s(&weak["id"])).await.expect(201, None);
}

/// The id of the tenant's key labelled `name`, as the bootstrap key lists them.
async fn key_id_named(app: &TestApp, name: &str) -> String {
    let listed = app.get("/v1/api-keys").key(&app.secret_key).send().await.expect(200, None);
    let found: Vec<&Value> = listed.data().as_array().unwrap().iter().filter(|k| k["name"] == name).collect();
    s(&found[0]["id"]).to_owned()
}

#[tokio::test]
async fn the_owner_and_its_keys_keep_every_power() {
    let app = spawn_app().await;
    let owner = app.login_admin().await;
    let owner_token = s(&owner["access_token"]).to_owned();
    let owner_id = s(&owner["user"]["id"]).to_owned();
    let (admin, _) = app.user_with_token("adm", "admin").await;
    let (peer, _) = app.user_with_token("peer", "superadmin").await;

    // The bootstrap key lists as the owner's authority.
    let listed = app.get("/v1/api-keys").key(&app.secret_key).send().await.expect(200, None);
    assert_eq!(listed.data()[0]["authority"], "superadmin");

    let as_owner = Credential::Bearer(&owner_token);
    mint(&app, &as_owner, s(&admin["id"])).await.expect(201, None);
    mint(&app, &as_owner, s(&peer["id"])).await.expect(201, None);
    mint(&app, &Credential::Key(&app.secret_key), &owner_id).await.expect(201, None);

    let issued =
        app.post("/v1/api-keys").bearer(&owner_token).json(json!({"name": "owner's", "kind": "secret"})).send().await.expect(201, None);
    assert_eq!(issued.data()["authority"], "superadmin");
    let key = s(&issued.data()["key"]).to_owned();
    mint(&app, &Credential::Key(&key), &owner_id).await.expect(201, None);
    let promoted =
        app.patch(&format!("/v1/users/{}", s(&admin["id"]))).key(&key).json(json!({"role": "superadmin"})).send().await.expect(200, None);
    assert_eq!(promoted.data()["role"], "superadmin");
    app.patch(&format!("/v1/users/{}", s(&peer["id"])))
        .bearer(&owner_token)
        .json(json!({"status": "suspended"}))
        .send()
        .await
        .expect(200, None);
    app.delete(&format!("/v1/users/{}", s(&peer["id"]))).key(&app.secret_key).send().await.expect(204, None);
}

#[tokio::test]
async fn a_publishable_key_lists_its_bound_but_manages_nobody() {
    let app = spawn_app().await;
    let (user, _) = app.user_with_token("u1", "user").await;
    let issued =
        app.post("/v1/api-keys").key(&app.secret_key).json(json!({"name": "web", "kind": "publishable"})).send().await.expect(201, None);
    assert_eq!(issued.data()["authority"], "superadmin");
    let pk = s(&issued.data()["key"]);
    app.patch(&format!("/v1/users/{}", s(&user["id"]))).key(pk).json(json!({"role": "host"})).send().await.expect(403, Some("forbidden"));
    mint(&app, &Credential::Key(pk), s(&user["id"])).await.expect(403, Some("forbidden"));
}
