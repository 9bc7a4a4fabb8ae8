//! Media: upload URLs within the tenant's rules, uploads from a plain HTTP client through
//! the signed URLs (local directory or S3, whichever the suite runs on), confirmation with
//! thumbnails, who may fetch media, and its removal.

use image::ImageFormat;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_uploaded_image_gets_a_thumbnail_and_is_sent_with_its_file_fields_everywhere() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let mut bob_ws = app.ws(&p[1].1).await;
    let png = image_bytes(800, 400, ImageFormat::Png);
    let upload = app.upload_url(&p[0].1, "cat.png", "image/png", png.len()).await;
    assert_eq!(app.put_bytes(&upload, png.clone()).await, 200);

    let confirmed = app.confirm(&p[0].1, &upload.media_id, json!({"conversation_id": convo, "body": "look"})).await.expect(200, None);
    let message = &confirmed.data()["message"];
    assert_eq!(confirmed.data()["media"]["has_thumbnail"], true);
    let expected = json!({"type": "image", "body": "look", "media_id": upload.media_id, "file_name": "cat.png",
        "file_size": png.len(), "file_type": "image/png", "file_url": null});
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&message[field], value, "{field} in {message}");
    }
    // History, sync and the socket render the same fields.
    let event = bob_ws.next_of("new_message").await;
    let in_history = app.history(&p[1].1, &convo).await.pop().unwrap();
    let sync = json!({"conversations": [{"conversation_id": convo, "last_seq": 0}]});
    let synced = app.post("/v1/chat/messages/sync").bearer(&p[1].1).json(sync).send().await.expect(200, None);
    let in_sync = &synced.data()["conversations"][0]["messages"][0];
    for field in ["type", "media_id", "file_name", "file_size", "file_type", "file_url"] {
        assert_eq!(event["message"][field], message[field], "socket {field}");
        assert_eq!(in_history[field], message[field], "history {field}");
        assert_eq!(in_sync[field], message[field], "sync {field}");
    }

    // Bob, a participant, fetches the original and the thumbnail (longest side 320).
    let got = app.get(&format!("/v1/chat/media/{}", upload.media_id)).bearer(&p[1].1).send().await.expect(200, None);
    let data = got.data();
    assert_eq!((data["file_name"].clone(), data["file_type"].clone()), (json!("cat.png"), json!("image/png")));
    let (status, original) = app.fetch(s(&data["cdn_url"])).await;
    assert_eq!((status, original == png), (200, true));
    let (status, thumbnail) = app.fetch(s(&data["thumbnail_url"])).await;
    assert_eq!(status, 200);
    assert_eq!(dimensions(&thumbnail), (320, 160));
}

#[tokio::test]
async fn the_thumbnail_follows_the_exif_orientation() {
    let app = spawn_app().await;
    let (ann, token) = app.user_with_token("ann", "user").await;
    let id = app.upload(&token, "photo.jpg", "image/jpeg", rotated_jpeg(400, 200)).await;
    let got = app.get(&format!("/v1/chat/media/{id}")).bearer(&token).send().await.expect(200, None);
    let (_, thumbnail) = app.fetch(s(&got.data()["thumbnail_url"])).await;
    assert_eq!(dimensions(&thumbnail), (160, 320), "turned upright for {}", s(&ann["id"]));
}

#[tokio::test]
async fn upload_urls_hold_to_the_tenants_types_and_size() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("ann", "user").await;
    app.ask_upload(&token, "a.exe", "application/x-msdownload", 10).await.expect(422, Some("validation_failed"));
    app.ask_upload(&token, "a.svg", "image/svg+xml", 10).await.expect(422, Some("validation_failed"));
    app.ask_upload(&token, "big.pdf", "application/pdf", 25 * 1024 * 1024 + 1).await.expect(422, Some("validation_failed"));
    app.ask_upload(&token, "a\nb.pdf", "application/pdf", 10).await.expect(422, Some("validation_failed"));
    app.ask_upload(&token, "ok.pdf", "application/pdf", 25 * 1024 * 1024).await.expect(201, None);

    let settings = json!({"settings": {"allowed_media_types": ["application/pdf", "Audio/*"], "max_media_bytes": 1000}});
    let tenant = app.patch("/v1/tenant").key(&app.secret_key).json(settings).send().await.expect(200, None);
    assert_eq!(tenant.data()["settings"]["allowed_media_types"], json!(["application/pdf", "audio/*"]));
    app.ask_upload(&token, "song.ogg", "audio/ogg", 1000).await.expect(201, None);
    app.ask_upload(&token, "cat.png", "image/png", 10).await.expect(422, Some("validation_failed"));
    app.ask_upload(&token, "a.pdf", "application/pdf", 1001).await.expect(422, Some("validation_failed"));
    for bad in [json!({"allowed_media_types": ["not a type"]}), json!({"max_media_bytes": 0})] {
        app.patch("/v1/tenant").key(&app.secret_key).json(json!({"settings": bad})).send().await.expect(422, Some("validation_failed"));
    }
}

#[tokio::test]
async fn tampered_and_expired_upload_urls_are_refused() {
    let app = spawn_app_with(|c| c.media_upload_ttl_seconds = 1).await;
    let (_, token) = app.user_with_token("ann", "user").await;
    let body = b"hello".to_vec();
    let mut upload = app.upload_url(&token, "a.txt", "text/plain", body.len()).await;
    let signed = upload.url.clone();
    // Another object under the same signature.
    upload.url = signed.replacen(&upload.media_id, &ulid::Ulid::new().to_string(), 1);
    assert_eq!(app.put_bytes(&upload, body.clone()).await, 403);
    // Another content type than the signed one.
    upload.url = signed;
    let honest_headers = upload.headers.clone();
    upload.headers.retain(|(name, _)| name != "content-type");
    upload.headers.push(("content-type".into(), "text/html".into()));
    assert_eq!(app.put_bytes(&upload, body.clone()).await, 403);
    upload.headers = honest_headers;
    // Too late.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(app.put_bytes(&upload, body).await, 403);
    app.confirm(&token, &upload.media_id, json!({})).await.expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn a_size_or_type_lie_is_refused_and_the_object_removed() {
    let app = spawn_app().await;
    let (ann, token) = app.user_with_token("ann", "user").await;
    // Declared 10 bytes, sent 12: the signed length refuses the upload (S3 signs
    // content-length; the local store checks it).
    let upload = app.upload_url(&token, "a.txt", "text/plain", 10).await;
    let key = app.media_key(s(&ann["id"]), &upload.media_id).await;
    assert_eq!(app.put_bytes(&upload, b"twelve bytes".to_vec()).await, 403);
    app.confirm(&token, &upload.media_id, json!({})).await.expect(422, Some("validation_failed"));
    // A store that let it through anyway: the confirmation refuses it and removes it.
    app.state.blobs.put(&key, b"twelve bytes".to_vec(), "text/plain").await.unwrap();
    let refused = app.confirm(&token, &upload.media_id, json!({})).await.expect(422, Some("validation_failed"));
    assert!(refused.text.contains("12 bytes"), "{}", refused.text);
    assert!(!app.blob_exists(&key).await);

    // Declared PNG, sent JPEG bytes under the PNG type.
    let jpeg = image_bytes(10, 10, ImageFormat::Jpeg);
    let upload = app.upload_url(&token, "a.png", "image/png", jpeg.len()).await;
    assert_eq!(app.put_bytes(&upload, jpeg).await, 200);
    let refused = app.confirm(&token, &upload.media_id, json!({})).await.expect(422, Some("validation_failed"));
    assert!(refused.text.contains("image/png"), "{}", refused.text);
    assert!(!app.blob_exists(&app.media_key(s(&ann["id"]), &upload.media_id).await).await);
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_without_decoding_it() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("ann", "user").await;
    let bomb = png_claiming(100_000);
    let upload = app.upload_url(&token, "bomb.png", "image/png", bomb.len()).await;
    assert_eq!(app.put_bytes(&upload, bomb).await, 200);
    let refused = app.confirm(&token, &upload.media_id, json!({})).await.expect(422, Some("validation_failed"));
    assert!(refused.text.contains("pixels"), "{}", refused.text);
    app.get(&format!("/v1/chat/media/{}", upload.media_id)).bearer(&token).send().await.expect(404, Some("not_found"));
}

#[tokio::test]
async fn only_the_uploader_and_participants_see_media_and_only_the_uploader_sends_it() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cid"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let other = s(&app.direct(&p[1].1, &p[2].0).await["id"]).to_owned();
    let id = app.upload(&p[0].1, "notes.pdf", "application/pdf", b"%PDF-1.4 notes".to_vec()).await;
    let path = format!("/v1/chat/media/{id}");
    // Not sent anywhere yet: only Ann sees it.
    app.get(&path).bearer(&p[0].1).send().await.expect(200, None);
    app.get(&path).bearer(&p[1].1).send().await.expect(404, Some("not_found"));
    // Bob may not send Ann's media, nor confirm it.
    let send = |token: &str, conversation: &str| {
        app.post(&format!("/v1/chat/conversations/{conversation}/messages"))
            .bearer(token)
            .json(json!({"body": "", "type": "file", "media_id": id, "file_name": "lie.exe", "file_size": 1}))
    };
    send(&p[1].1, &other).send().await.expect(422, Some("validation_failed"));
    app.confirm(&p[1].1, &id, json!({})).await.expect(404, Some("not_found"));
    // Ann sends it with a plain send: the file fields come from the upload.
    let sent = send(&p[0].1, &convo).send().await.expect(201, None);
    assert_eq!((sent.data()["file_name"].clone(), sent.data()["file_size"].clone()), (json!("notes.pdf"), json!(14)));
    let got = app.get(&path).bearer(&p[1].1).send().await.expect(200, None);
    assert_eq!(got.data()["thumbnail_url"], json!(null));
    let cdn_url = s(&got.data()["cdn_url"]);
    let (status, bytes) = app.fetch(cdn_url).await;
    assert_eq!((status, bytes), (200, b"%PDF-1.4 notes".to_vec()));
    // Both stores end the URL with its signature: one changed hex digit breaks it.
    let last = if cdn_url.ends_with('0') { "1" } else { "0" };
    assert_eq!(app.fetch(&format!("{}{last}", &cdn_url[..cdn_url.len() - 1])).await.0, 403);
    // Cid is no participant; another tenant's user does not even find it.
    app.get(&path).bearer(&p[2].1).send().await.expect(404, Some("not_found"));
    let (_, outsider) = app.outsider("elsewhere", "user").await;
    app.get(&path).bearer(&outsider).send().await.expect(404, Some("not_found"));
    // Unconfirmed media cannot be sent.
    let pending = app.upload_url(&p[0].1, "later.pdf", "application/pdf", 3).await;
    app.post(&format!("/v1/chat/conversations/{convo}/messages"))
        .bearer(&p[0].1)
        .json(json!({"body": "", "type": "file", "media_id": pending.media_id}))
        .send()
        .await
        .expect(422, Some("validation_failed"));
}

#[tokio::test]
async fn uploads_never_confirmed_are_swept_after_their_time() {
    let app = spawn_app_with(|c| {
        c.media_unconfirmed_ttl_seconds = 1;
        c.media_sweep_interval_ms = 200;
    })
    .await;
    let (ann, token) = app.user_with_token("ann", "user").await;
    let upload = app.upload_url(&token, "a.txt", "text/plain", 5).await;
    assert_eq!(app.put_bytes(&upload, b"hello".to_vec()).await, 200);
    let kept = app.upload(&token, "b.txt", "text/plain", b"kept".to_vec()).await;
    let key = app.media_key(s(&ann["id"]), &upload.media_id).await;
    assert!(app.blob_exists(&key).await);
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    assert!(!app.blob_exists(&key).await, "the unconfirmed object is gone");
    app.confirm(&token, &upload.media_id, json!({})).await.expect(404, Some("not_found"));
    app.get(&format!("/v1/chat/media/{kept}")).bearer(&token).send().await.expect(200, None);
}

#[tokio::test]
async fn media_goes_with_the_last_message_deleted_for_everyone_and_with_its_uploader() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cid"]).await;
    let convo = s(&app.direct(&p[0].1, &p[1].0).await["id"]).to_owned();
    let elsewhere = s(&app.direct(&p[0].1, &p[2].0).await["id"]).to_owned();
    let png = image_bytes(20, 20, ImageFormat::Png);
    let upload = app.upload_url(&p[0].1, "a.png", "image/png", png.len()).await;
    app.put_bytes(&upload, png).await;
    let sent = app.confirm(&p[0].1, &upload.media_id, json!({"conversation_id": convo})).await.expect(200, None);
    let original = s(&sent.data()["message"]["id"]).to_owned();
    let forward = json!({"message_id": original, "conversation_ids": [elsewhere]});
    let copies = app.post("/v1/chat/messages/forward").bearer(&p[0].1).json(forward).send().await.expect(201, None);
    let copy = s(&copies.data()[0]["id"]).to_owned();
    let key = app.media_key(&p[0].0, &upload.media_id).await;
    let path = format!("/v1/chat/media/{}", upload.media_id);

    app.delete(&format!("/v1/chat/messages/{original}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    assert!(app.blob_exists(&key).await, "the forwarded copy still carries it");
    app.get(&path).bearer(&p[2].1).send().await.expect(200, None);
    app.get(&path).bearer(&p[1].1).send().await.expect(404, Some("not_found"));
    app.delete(&format!("/v1/chat/messages/{copy}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    assert!(!app.blob_exists(&key).await);
    app.get(&path).bearer(&p[0].1).send().await.expect(404, Some("not_found"));

    // Deleting a user removes what they uploaded, and takes it off their messages.
    let id = app.upload(&p[1].1, "b.txt", "text/plain", b"bye".to_vec()).await;
    app.post(&format!("/v1/chat/conversations/{convo}/messages"))
        .bearer(&p[1].1)
        .json(json!({"body": "", "type": "file", "media_id": id}))
        .send()
        .await
        .expect(201, None);
    let key = app.media_key(&p[1].0, &id).await;
    app.delete(&format!("/v1/users/{}", p[1].0)).key(&app.secret_key).send().await.expect(204, None);
    assert!(!app.blob_exists(&key).await);
    let last = app.history(&p[0].1, &convo).await.pop().unwrap();
    assert_eq!((last["media_id"].clone(), last["file_name"].clone()), (json!(null), json!(null)));
}

#[tokio::test]
async fn readiness_reports_the_blob_store() {
    let app = spawn_app().await;
    let ready = app.get("/readyz").send().await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.body["blobs"], true);
    assert_eq!(ready.body["blob_store"], blob_store());
}
