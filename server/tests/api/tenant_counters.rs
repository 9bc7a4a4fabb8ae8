//! The admin stats' kept tenant figures (conversations by kind, users by status and role,
//! the unread total, active users by the hour of their last activity; migrations
//! `tenant_counters` and `active_user_counts`) equal a recount of the rows they count
//! after every kind of change, with the writes racing each other and the folds, and
//! whether the appended rows were folded or not.

use serde_json::json;

use crate::helpers::*;

/// The kept figures of every tenant equal a recount.
async fn assert_figures_hold(app: &TestApp, when: &str) {
    let drift = confab_server::store::counts::drift(&app.state.db).await.unwrap();
    assert!(drift.is_empty(), "{when}: kept figures differ from a recount (tenant, figure, key1, key2, kept, counted): {drift:?}");
}

/// As `assert_figures_hold`, then again after folding the appended rows.
async fn assert_figures_hold_through_a_fold(app: &TestApp) {
    assert_figures_hold(app, "before folding").await;
    confab_server::store::counts::fold(&app.state.db).await.unwrap();
    assert_figures_hold(app, "after folding").await;
}

async fn unread_total(app: &TestApp, token: &str) -> i64 {
    let figures = app.get("/v1/admin/stats").bearer(token).send().await.expect(200, None);
    figures.data()["unread_total"].as_i64().unwrap()
}

#[tokio::test]
async fn kept_figures_match_a_recount_through_deletions_role_changes_leaving_and_folds() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat", "dan"]).await;
    let (ann, bob, cat, dan) = (&p[0], &p[1], &p[2], &p[3]);
    let (_, moderator) = app.user_with_token("counting-mod", "moderator").await;
    let group = app.group(&ann.1, "Doomed", &[&bob.0, &cat.0]).await;
    let group_id = s(&group["id"]).to_owned();
    let kept = app.group(&ann.1, "Kept", &[&bob.0, &dan.0]).await;
    let kept_id = s(&kept["id"]).to_owned();
    for i in 0..4 {
        app.say(&ann.1, &group_id, &format!("doomed {i}")).await;
        app.say(&ann.1, &kept_id, &format!("kept {i}")).await;
    }
    assert_figures_hold_through_a_fold(&app).await;
    let before = unread_total(&app, &moderator).await;

    // Deleting a conversation for everyone takes its members' unread out of the total, though
    // their memberships and counts stay as they were.
    let doomed_unread = app.unread_of(&bob.1, &group_id).await + app.unread_of(&cat.1, &group_id).await;
    assert!(doomed_unread > 0);
    app.delete(&format!("/v1/chat/conversations/{group_id}?scope=for_everyone")).bearer(&ann.1).send().await.expect(204, None);
    assert_eq!(unread_total(&app, &moderator).await, before - doomed_unread);
    assert_figures_hold(&app, "after the deletion").await;

    // Roles and statuses move users between the counts; leaving, rejoining and hiding move
    // unread in and out.
    app.patch(&format!("/v1/users/{}", cat.0)).key(&app.secret_key).json(json!({"role": "staff"})).send().await.expect(200, None);
    let members = format!("/v1/chat/conversations/{kept_id}/participants");
    app.delete(&format!("{members}/{}", bob.0)).bearer(&bob.1).send().await.expect(204, None);
    assert_figures_hold(&app, "after bob left").await;
    app.say(&ann.1, &kept_id, "while bob is away").await;
    app.post(&members).bearer(&ann.1).json(json!({"user_ids": [bob.0]})).send().await.expect(201, None);
    app.delete(&format!("/v1/chat/conversations/{kept_id}?scope=for_me")).bearer(&dan.1).send().await.expect(204, None);
    app.patch(&format!("/v1/users/{}", dan.0)).key(&app.secret_key).json(json!({"status": "suspended"})).send().await.expect(200, None);
    app.delete(&format!("/v1/users/{}", dan.0)).key(&app.secret_key).send().await.expect(204, None);
    assert_figures_hold_through_a_fold(&app).await;

    // Reading everything leaves only what the hidden and deleted memberships hold: nothing.
    for member in [ann, bob] {
        app.post(&format!("/v1/chat/conversations/{kept_id}/read")).bearer(&member.1).send().await.expect(204, None);
    }
    assert_eq!(unread_total(&app, &moderator).await, 0);
    assert_figures_hold_through_a_fold(&app).await;
}

async fn active_users(app: &TestApp, token: &str) -> i64 {
    let figures = app.get("/v1/admin/stats").bearer(token).send().await.expect(200, None);
    figures.data()["active_users_24h"].as_i64().unwrap()
}

/// Sets when `user_id` was last active, as activity would have left it.
async fn last_active(app: &TestApp, user_id: &str, at: Option<i64>) {
    sqlx::query("UPDATE users SET last_active_at = $1 WHERE id = $2").bind(at).bind(user_id).execute(app.state.db.pool()).await.unwrap();
}

#[tokio::test]
async fn active_users_are_those_active_in_the_last_24_hours_as_their_activity_moves_between_hours() {
    let app = spawn_app().await;
    let p = people(&app, &["ann", "bob", "cat", "dan", "eve"]).await;
    let (ann, bob, cat, dan, eve) = (&p[0], &p[1], &p[2], &p[3], &p[4]);
    let (moderator_user, moderator) = app.user_with_token("active-mod", "moderator").await;
    let moderator_id = s(&moderator_user["id"]).to_owned();
    let tenant_id = app.tenant_of(&ann.0).await;
    sqlx::query("UPDATE users SET last_active_at = NULL WHERE tenant_id = $1").bind(&tenant_id).execute(app.state.db.pool()).await.unwrap();
    assert_eq!(active_users(&app, &moderator).await, 0);

    // A minute either side of the window's start, in the hour the window starts in or the
    // one before: the reading counts that hour's users one by one.
    let day_ago = chrono::Utc::now().timestamp_millis() - 86_400_000;
    last_active(&app, &bob.0, Some(day_ago - 3_600_000)).await;
    last_active(&app, &cat.0, Some(day_ago - 60_000)).await;
    last_active(&app, &dan.0, Some(day_ago + 60_000)).await;
    last_active(&app, &eve.0, Some(day_ago + 22 * 3_600_000)).await;
    last_active(&app, &moderator_id, Some(day_ago + 2 * 3_600_000)).await;
    assert_eq!(active_users(&app, &moderator).await, 3, "dan, eve and the moderator");
    assert_figures_hold_through_a_fold(&app).await;

    // Sending moves the sender into the current hour: ann from never, bob from 25 hours ago.
    let group = app.group(&ann.1, "Lively", &[&bob.0, &cat.0]).await;
    let group_id = s(&group["id"]).to_owned();
    app.say(&ann.1, &group_id, "hello").await;
    app.say(&bob.1, &group_id, "back again").await;
    assert_eq!(active_users(&app, &moderator).await, 5, "ann and bob joined them");
    assert_figures_hold(&app, "after the sends").await;

    // Moving back in time and out of the window, as an import might, moves the count too.
    last_active(&app, &eve.0, Some(day_ago - 5 * 3_600_000)).await;
    last_active(&app, &dan.0, None).await;
    assert_eq!(active_users(&app, &moderator).await, 3);
    assert_figures_hold_through_a_fold(&app).await;
}

#[tokio::test]
async fn concurrent_writes_of_one_tenant_racing_the_folds_leave_every_kept_figure_exact() {
    let app = spawn_app().await;
    app.lift_message_limits().await;
    let p = people(&app, &["ann", "bob", "cat", "dan", "eve", "fay"]).await;
    let ids: Vec<String> = p.iter().map(|(id, _)| id.clone()).collect();
    let mut groups = Vec::new();
    for i in 0..4 {
        let others: Vec<&str> = ids[1..4].iter().map(String::as_str).collect();
        groups.push(s(&app.group(&p[0].1, &format!("Race {i}"), &others).await["id"]).to_owned());
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let folder = {
        let (db, stop) = (app.state.db.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                confab_server::store::counts::fold(&db).await.unwrap();
                // Folding is instant where there is nothing to fold (SQLite): let the writers run.
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for (g, group_id) in groups.iter().enumerate() {
        // A sender, a reader, a member added and a member leaving in each group; once the
        // group is deleted their calls are refused, never failed.
        let (client, base) = (app.client.clone(), format!("{}/v1/chat/conversations/{group_id}", app.address));
        let (owner, sender, reader) = (p[0].1.clone(), p[g % 3].1.clone(), p[1 + g % 3].1.clone());
        let (joiner, leaver) = (ids[4 + g % 2].clone(), p[3].clone());
        writers.push(tokio::spawn(async move {
            let status = |r: reqwest::Result<reqwest::Response>| r.unwrap().status().as_u16();
            for i in 0..12 {
                let sent = client.post(format!("{base}/messages")).bearer_auth(&sender).json(&json!({"body": format!("race {i}")}));
                assert!([201, 404].contains(&status(sent.send().await)));
                let read = client.post(format!("{base}/read")).bearer_auth(&reader);
                // The reader may be the member who left (403).
                assert!([204, 403, 404].contains(&status(read.send().await)));
                if i == 3 {
                    let added = client.post(format!("{base}/participants")).bearer_auth(&owner).json(&json!({"user_ids": [joiner]}));
                    let added = status(added.send().await);
                    assert!([201, 404].contains(&added), "adding a member: {added}");
                }
                if i == 6 {
                    let left = client.delete(format!("{base}/participants/{}", leaver.0)).bearer_auth(&leaver.1);
                    assert!([204, 404].contains(&status(left.send().await)));
                }
            }
        }));
    }
    // Two of the groups are deleted while their members write and read.
    for group_id in &groups[..2] {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        app.delete(&format!("/v1/chat/conversations/{group_id}?scope=for_everyone")).bearer(&p[0].1).send().await.expect(204, None);
    }
    for writer in writers {
        writer.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    folder.await.unwrap();
    assert_figures_hold_through_a_fold(&app).await;
}
