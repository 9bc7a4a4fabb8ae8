//! Write rate limits. Each limited write takes a token from every bucket of its writer: the
//! user, the API key presented with the user's token, and the client's address, each sized
//! by the tenant's settings (`RateLimits`); signups, which have no tenant yet, count per
//! address against the server's configuration. Over a limit the write is refused with
//! `rate_limited` before anything is stored. Limiting another kind of write is one call
//! to `take` at the start of its service entry point, with its buckets in `RateLimits`.

use crate::auth::UserCaller;
use crate::domain::{Invalid, Rate, WriteKind};
use crate::error::{AppError, AppResult, Throttled};
use crate::limiter::buckets::Bucket;
use crate::state::AppState;

/// Takes one write of kind `write` from the caller's buckets, or refuses it.
pub async fn take(state: &AppState, caller: &UserCaller, write: WriteKind) -> AppResult<()> {
    check(state, &buckets(state, caller, write).await?, 1).await
}

/// Takes one write of kind `write` per item of the input `field` (`items` of them), all or
/// none. More items than the smallest bucket holds could never pass, so that is refused
/// as invalid input rather than as a rate limit to wait out.
pub async fn take_each(state: &AppState, caller: &UserCaller, write: WriteKind, items: usize, field: &'static str) -> AppResult<()> {
    let buckets = buckets(state, caller, write).await?;
    let most = buckets.iter().map(|b| b.rate.burst).min().unwrap_or(u32::MAX);
    if items > most as usize {
        return Err(Invalid::new(field, format!("at most {most} at once under this tenant's rate limits")).into());
    }
    check(state, &buckets, items).await
}

/// The buckets a write of the caller takes from: the user's, the API key's if one came with
/// the token, the client address's if known.
async fn buckets(state: &AppState, caller: &UserCaller, write: WriteKind) -> AppResult<Vec<Bucket>> {
    let limits = *state.tenant_settings(&caller.tenant_id).await?.rate_limits.of(write);
    let scope = format!("{}:{}", write.name(), caller.tenant_id);
    let mut buckets = vec![Bucket { key: format!("{scope}:user:{}", caller.user.id), rate: limits.per_user }];
    if let Some(key_id) = &caller.api_key_id {
        buckets.push(Bucket { key: format!("{scope}:key:{key_id}"), rate: limits.per_api_key });
    }
    if let Some(addr) = &caller.client_addr {
        buckets.push(Bucket { key: format!("{scope}:addr:{addr}"), rate: limits.per_address });
    }
    Ok(buckets)
}

/// Takes one signup from the buckets of `client_addr`.
pub async fn take_signup(state: &AppState, client_addr: &str) -> AppResult<()> {
    let rate = Rate::new(state.config.signup_per_minute, state.config.signup_burst);
    check(state, &[Bucket { key: format!("signup:addr:{client_addr}"), rate }], 1).await
}

async fn check(state: &AppState, buckets: &[Bucket], n: usize) -> AppResult<()> {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    match state.buckets.take(buckets, n).await {
        Ok(verdict) if verdict.allowed => Ok(()),
        Ok(verdict) => {
            let (limit, remaining) = (verdict.limit.into(), verdict.remaining.into());
            Err(AppError::RateLimited(Throttled::new(limit, remaining, verdict.retry_after, verdict.reset_after)))
        }
        // Writes go on when no counter answers at all: an outage must not stop every
        // conversation. (The Redis buckets count in the process while Redis is gone, so
        // this is the last resort.) Each write let through unchecked is logged.
        Err(error) => {
            tracing::warn!(%error, "write rate limit not checked");
            Ok(())
        }
    }
}
