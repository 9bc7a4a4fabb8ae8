//! Blocks and follows between users of one tenant. Both are edges from one user to another;
//! creating one that exists, or removing one that does not, changes nothing, so the API
//! can answer such repeats with plain success.

use super::directory::page_of_users;
use super::{now_ms, Db, StoreResult};
use crate::domain::User;

/// One kind of edge, seen from one end: rows of `table` whose `from` column is the user,
/// naming the other user in `to`. Only the constants below exist; none comes from input.
struct Edge {
    table: &'static str,
    from: &'static str,
    to: &'static str,
}

/// The users someone blocked.
const BLOCKED: Edge = Edge { table: "blocks", from: "blocker_id", to: "blocked_id" };
/// The users someone follows.
const FOLLOWING: Edge = Edge { table: "follows", from: "follower_id", to: "followee_id" };
/// The users who follow someone.
const FOLLOWERS: Edge = Edge { table: "follows", from: "followee_id", to: "follower_id" };

/// Adds the edge `from -> to`; an existing one stays as it was, with its first time.
async fn link(db: &Db, edge: &Edge, tenant_id: &str, from: &str, to: &str) -> StoreResult<()> {
    let Edge { table, from: from_col, to: to_col } = edge;
    sqlx::query(&format!(
        "INSERT INTO {table} (tenant_id, {from_col}, {to_col}, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT ({from_col}, {to_col}) DO NOTHING"
    ))
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes the edge `from -> to` of this tenant, if there is one.
async fn unlink(db: &Db, edge: &Edge, tenant_id: &str, from: &str, to: &str) -> StoreResult<()> {
    let Edge { table, from: from_col, to: to_col } = edge;
    sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1 AND {from_col} = $2 AND {to_col} = $3"))
        .bind(tenant_id)
        .bind(from)
        .bind(to)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The live users at the other end of `user`'s edges, newest edge first, and their count.
async fn linked_users(db: &Db, edge: &Edge, tenant_id: &str, user_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    let Edge { table, from, to } = edge;
    // A derived table, so the users' columns keep their plain names beside the edge's time.
    let source = format!(
        "(SELECT u.*, e.created_at AS linked_at FROM {table} e JOIN users u ON u.id = e.{to}
          WHERE e.tenant_id = $1 AND e.{from} = $2 AND u.deleted_at IS NULL) AS linked"
    );
    page_of_users(db, &source, &[tenant_id, user_id], "linked_at DESC, id DESC", limit, offset).await
}

/// `blocker` blocks `blocked`.
pub async fn block(db: &Db, tenant_id: &str, blocker_id: &str, blocked_id: &str) -> StoreResult<()> {
    link(db, &BLOCKED, tenant_id, blocker_id, blocked_id).await
}

pub async fn unblock(db: &Db, tenant_id: &str, blocker_id: &str, blocked_id: &str) -> StoreResult<()> {
    unlink(db, &BLOCKED, tenant_id, blocker_id, blocked_id).await
}

/// Whether `blocker` has blocked `blocked` (one direction only; ask both ways to learn
/// whether two users may talk). Ids are unique across tenants, so no tenant is needed.
pub async fn is_blocked(db: &Db, blocker_id: &str, blocked_id: &str) -> StoreResult<bool> {
    // COUNT, because it decodes as i64 on both databases where a bare `1` may not.
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker_id)
        .bind(blocked_id)
        .fetch_one(db.reads())
        .await?;
    Ok(found > 0)
}

/// The users `user` blocked, most recently blocked first.
pub async fn list_blocked(db: &Db, tenant_id: &str, user_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    linked_users(db, &BLOCKED, tenant_id, user_id, limit, offset).await
}

/// `follower` follows `followee`.
pub async fn follow(db: &Db, tenant_id: &str, follower_id: &str, followee_id: &str) -> StoreResult<()> {
    link(db, &FOLLOWING, tenant_id, follower_id, followee_id).await
}

pub async fn unfollow(db: &Db, tenant_id: &str, follower_id: &str, followee_id: &str) -> StoreResult<()> {
    unlink(db, &FOLLOWING, tenant_id, follower_id, followee_id).await
}

/// Who follows `user`, most recent follower first.
pub async fn followers(db: &Db, tenant_id: &str, user_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    linked_users(db, &FOLLOWERS, tenant_id, user_id, limit, offset).await
}

/// Whom `user` follows, most recently followed first.
pub async fn following(db: &Db, tenant_id: &str, user_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    linked_users(db, &FOLLOWING, tenant_id, user_id, limit, offset).await
}

/// The ids of every live follower of `followee`, unpaged, for fanning out a broadcast.
pub async fn follower_ids(db: &Db, tenant_id: &str, followee_id: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT f.follower_id FROM follows f JOIN users u ON u.id = f.follower_id
         WHERE f.tenant_id = $1 AND f.followee_id = $2 AND u.deleted_at IS NULL ORDER BY f.follower_id",
    )
    .bind(tenant_id)
    .bind(followee_id)
    .fetch_all(db.reads())
    .await?)
}
