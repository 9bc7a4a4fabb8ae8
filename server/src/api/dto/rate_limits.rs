//! A tenant's write rate limits as the API shows and changes them.

use poem_openapi::Object;

use crate::domain::{Per, Rate, RateLimits, WriteKind};

/// A token bucket: it holds at most `burst` writes and refills `per_minute` of them evenly
/// over each minute. Each write takes one; a write finding the bucket empty is refused
/// with 429 `rate_limited`.
#[derive(Object, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDto {
    /// Writes the bucket refills per minute (1 to 600000).
    #[oai(validator(minimum(value = "1"), maximum(value = "600000")))]
    pub per_minute: u32,
    /// Writes the bucket holds: how many may come at once (1 to 10000).
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub burst: u32,
}

impl From<Rate> for RateDto {
    fn from(r: Rate) -> Self {
        RateDto { per_minute: r.per_minute, burst: r.burst }
    }
}

impl From<RateDto> for Rate {
    fn from(r: RateDto) -> Self {
        Rate::new(r.per_minute, r.burst)
    }
}

/// The buckets of one kind of write: every write takes from each that applies.
#[derive(Object, Debug, Clone)]
pub struct WriteLimitsDto {
    /// One per user.
    pub per_user: RateDto,
    /// One per API key presented (`x-api-key`) with the user's token, shared by every user
    /// writing through it.
    pub per_api_key: RateDto,
    /// One per client network address, shared by every user writing from it.
    pub per_address: RateDto,
}

/// How fast the tenant's users may write. Defaults: messages 600 a minute with bursts of 20
/// per user, 30000/1000 per API key, 3000/100 per address; conversations 60/20 per user,
/// 3000/300 per API key, 300/60 per address; reports 20/10 per user, 1200/200 per API key,
/// 120/40 per address; uploads 60/20 per user, 3000/300 per API key, 300/60 per address.
#[derive(Object, Debug, Clone)]
pub struct RateLimitsDto {
    /// Messages sent over REST or the WebSocket; a forward takes one per copy.
    pub messages: WriteLimitsDto,
    /// Direct conversations and shop threads opened, groups created, tickets opened (their
    /// first message included).
    pub conversations: WriteLimitsDto,
    /// Reports of messages and users to the moderators.
    pub reports: WriteLimitsDto,
    /// Media upload URLs issued (`POST /v1/chat/media/upload-url`).
    pub uploads: WriteLimitsDto,
}

impl From<&RateLimits> for RateLimitsDto {
    fn from(l: &RateLimits) -> Self {
        let of = |write| {
            let w = l.of(write);
            WriteLimitsDto { per_user: w.per_user.into(), per_api_key: w.per_api_key.into(), per_address: w.per_address.into() }
        };
        RateLimitsDto {
            messages: of(WriteKind::Message),
            conversations: of(WriteKind::Conversation),
            reports: of(WriteKind::Report),
            uploads: of(WriteKind::Upload),
        }
    }
}

/// Buckets of one kind of write to replace; absent ones stay as they are.
#[derive(Object, Debug, Clone, Default)]
pub struct WriteLimitsPatch {
    /// The per-user bucket.
    pub per_user: Option<RateDto>,
    /// The per-API-key bucket.
    pub per_api_key: Option<RateDto>,
    /// The per-address bucket.
    pub per_address: Option<RateDto>,
}

/// Rate limits to change; absent ones stay as they are.
#[derive(Object, Debug, Clone, Default)]
pub struct RateLimitsPatch {
    /// Buckets of message sends.
    pub messages: Option<WriteLimitsPatch>,
    /// Buckets of conversation creation.
    pub conversations: Option<WriteLimitsPatch>,
    /// Buckets of reports.
    pub reports: Option<WriteLimitsPatch>,
    /// Buckets of media upload URLs.
    pub uploads: Option<WriteLimitsPatch>,
}

impl RateLimitsPatch {
    /// Each bucket this patch names, with its new rate.
    pub fn changes(&self) -> Vec<(WriteKind, Per, Rate)> {
        let mut changes = Vec::new();
        for (write, patch) in [
            (WriteKind::Message, &self.messages),
            (WriteKind::Conversation, &self.conversations),
            (WriteKind::Report, &self.reports),
            (WriteKind::Upload, &self.uploads),
        ] {
            let Some(patch) = patch else { continue };
            for (per, rate) in [(Per::User, patch.per_user), (Per::ApiKey, patch.per_api_key), (Per::Address, patch.per_address)] {
                if let Some(rate) = rate {
                    changes.push((write, per, rate.into()));
                }
            }
        }
        changes
    }
}
