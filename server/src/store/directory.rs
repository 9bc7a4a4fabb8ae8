//! The user directory as chat users see it: live users of one tenant, listed, searched, or
//! narrowed to support agents. Every list comes with its total so the API can page it.

use super::sql::contains_pattern;
use super::users::COLUMNS;
use super::{Db, StoreResult};
use crate::domain::phone::PHONE_SEPARATORS;
use crate::domain::{Named, Role, User};

/// Live users of the tenant (`$1`); the base of every directory query.
const LIVE: &str = "users WHERE tenant_id = $1 AND deleted_at IS NULL";

/// The directory's stable order: case-folded username, then id.
const BY_NAME: &str = "username_key, id";

/// One page of users from `source`, a `FROM` clause (a table or derived table with a
/// `WHERE`) whose placeholders `$1..` are `binds`, in `order`, plus the size of the whole
/// list. The clauses are this layer's own constants, never input.
pub(crate) async fn page_of_users(
    db: &Db,
    source: &str,
    binds: &[&str],
    order: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<User>, i64)> {
    let (limit_at, offset_at) = (binds.len() + 1, binds.len() + 2);
    let sql = format!("SELECT {COLUMNS} FROM {source} ORDER BY {order} LIMIT ${limit_at} OFFSET ${offset_at}");
    let mut rows = sqlx::query_as::<_, User>(&sql);
    for value in binds {
        rows = rows.bind(*value);
    }
    let rows = rows.bind(limit).bind(offset).fetch_all(db.reads()).await?;
    let sql = format!("SELECT COUNT(*) FROM {source}");
    let mut total = sqlx::query_scalar::<_, i64>(&sql);
    for value in binds {
        total = total.bind(*value);
    }
    Ok((rows, total.fetch_one(db.reads()).await?))
}

/// Every live user of the tenant, by username.
pub async fn list(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    page_of_users(db, LIVE, &[tenant_id], BY_NAME, limit, offset).await
}

/// Live users whose username or display name contains `term`, ignoring case (ASCII case on
/// SQLite, whose `LOWER` folds nothing else), or, when `phone` is given, whose phone number
/// has exactly those digits; by username. A phone never matches a part of the number, so
/// the search cannot be used to guess numbers digit by digit.
pub async fn search(db: &Db, tenant_id: &str, term: &str, phone: Option<&str>, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    let by_name = "username_key LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\'";
    let pattern = contains_pattern(term);
    match phone {
        Some(digits) => {
            let source = format!("{LIVE} AND ({by_name} OR {} = $3)", digits_of("phone"));
            page_of_users(db, &source, &[tenant_id, &pattern, digits], BY_NAME, limit, offset).await
        }
        None => page_of_users(db, &format!("{LIVE} AND ({by_name})"), &[tenant_id, &pattern], BY_NAME, limit, offset).await,
    }
}

/// SQL for the digits of `column`: the separators of `domain::phone` removed (the same
/// `REPLACE` on both databases).
fn digits_of(column: &str) -> String {
    PHONE_SEPARATORS.iter().fold(column.to_owned(), |sql, c| format!("REPLACE({sql}, '{c}', '')"))
}

/// Live support agents (staff and up), by username.
pub async fn agents(db: &Db, tenant_id: &str, limit: i64, offset: i64) -> StoreResult<(Vec<User>, i64)> {
    let roles: Vec<String> = Role::ALL.iter().filter(|role| role.is_agent()).map(|role| format!("'{}'", role.as_str())).collect();
    let source = format!("{LIVE} AND role IN ({})", roles.join(", "));
    page_of_users(db, &source, &[tenant_id], BY_NAME, limit, offset).await
}
