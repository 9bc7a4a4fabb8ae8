//! The tenant's users as chat users see each other: the directory, its search, the support
//! agents; and each user's blocks and follows. Nothing reaches outside the caller's tenant:
//! users of another tenant are answered as unknown. Every list is one page plus the size
//! of the whole list.

use crate::auth::UserCaller;
use crate::domain::parse_id;
use crate::domain::{phone_digits, Invalid, User};
use crate::error::{AppError, AppResult};
use crate::policy;
use crate::state::AppState;
use crate::store;

/// Longest search text, in characters.
const MAX_SEARCH_CHARS: usize = 100;

/// A page of users and the size of the whole list.
pub type UserPage = (Vec<User>, i64);

/// The search text, trimmed; blank text is a 422 rather than a match-all, and so is text
/// longer than any name the directory holds.
fn search_term(raw: &str) -> Result<&str, Invalid> {
    let term = raw.trim();
    if term.is_empty() {
        return Err(Invalid::new("q", "must not be empty"));
    }
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(Invalid::new("q", format!("must be at most {MAX_SEARCH_CHARS} characters")));
    }
    Ok(term)
}

/// The other end of a block or follow: a well-formed id (else 400) of someone other than
/// the caller (else 422; `action` names what was refused) who is a live user of the
/// caller's tenant (else 404).
async fn other_user(state: &AppState, caller: &UserCaller, raw: &str, action: &str) -> AppResult<String> {
    let id = parse_id(raw)?;
    if id == caller.user.id {
        return Err(Invalid::new("id", format!("you cannot {action} yourself")).into());
    }
    store::users::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("user"))?;
    Ok(id)
}

/// The users of the caller's tenant, by username.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn directory(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<UserPage> {
    Ok(store::directory::list(&state.db, &caller.tenant_id, limit, offset).await?)
}

/// Users whose username or display name contains `query`, ignoring case, or (for callers
/// who may see phone numbers) whose phone number is exactly `query`'s digits, by username;
/// `query` is 1 to 100 characters once trimmed (422 otherwise).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn search(state: &AppState, caller: &UserCaller, query: &str, limit: i64, offset: i64) -> AppResult<UserPage> {
    let term = search_term(query)?;
    let phone = policy::may_search_by_phone(caller).then(|| phone_digits(term)).flatten();
    Ok(store::directory::search(&state.db, &caller.tenant_id, term, phone.as_deref(), limit, offset).await?)
}

/// The support agents of the caller's tenant (staff and up), by username.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn agents(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<UserPage> {
    Ok(store::directory::agents(&state.db, &caller.tenant_id, limit, offset).await?)
}

/// The caller blocks user `raw_id`; blocking someone already blocked changes nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, other_id = %raw_id))]
pub async fn block(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<()> {
    let other = other_user(state, caller, raw_id, "block").await?;
    Ok(store::social::block(&state.db, &caller.tenant_id, &caller.user.id, &other).await?)
}

/// The caller unblocks user `raw_id`; unblocking someone not blocked changes nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, other_id = %raw_id))]
pub async fn unblock(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<()> {
    let other = other_user(state, caller, raw_id, "unblock").await?;
    Ok(store::social::unblock(&state.db, &caller.tenant_id, &caller.user.id, &other).await?)
}

/// The users the caller blocked, most recently blocked first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn blocked(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<UserPage> {
    Ok(store::social::list_blocked(&state.db, &caller.tenant_id, &caller.user.id, limit, offset).await?)
}

/// The caller follows user `raw_id`; following someone already followed changes nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, other_id = %raw_id))]
pub async fn follow(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<()> {
    let other = other_user(state, caller, raw_id, "follow").await?;
    Ok(store::social::follow(&state.db, &caller.tenant_id, &caller.user.id, &other).await?)
}

/// The caller stops following user `raw_id`; unfollowing someone not followed changes
/// nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, other_id = %raw_id))]
pub async fn unfollow(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<()> {
    let other = other_user(state, caller, raw_id, "unfollow").await?;
    Ok(store::social::unfollow(&state.db, &caller.tenant_id, &caller.user.id, &other).await?)
}

/// The users who follow the caller, most recent follower first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn followers(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<UserPage> {
    Ok(store::social::followers(&state.db, &caller.tenant_id, &caller.user.id, limit, offset).await?)
}

/// The users the caller follows, most recently followed first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn following(state: &AppState, caller: &UserCaller, limit: i64, offset: i64) -> AppResult<UserPage> {
    Ok(store::social::following(&state.db, &caller.tenant_id, &caller.user.id, limit, offset).await?)
}

#[cfg(test)]
mod tests {
    use super::search_term;

    #[test]
    fn a_search_term_is_trimmed_and_must_be_one_to_a_hundred_characters() {
        assert_eq!(search_term("  jane ").unwrap(), "jane");
        assert!(search_term("   ").is_err());
        assert!(search_term(&"é".repeat(100)).is_ok());
        assert!(search_term(&"é".repeat(101)).is_err());
    }
}
