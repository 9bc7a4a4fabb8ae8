//! The tenant and its settings as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::Object;

use super::rate_limits::{RateLimitsDto, RateLimitsPatch};
use crate::domain::{SettingsChange, Tenant, TenantSettings};

/// Settings of a tenant.
#[derive(Object, Debug, Clone)]
pub struct TenantSettingsDto {
    /// Whether people may create password accounts for themselves.
    pub allow_user_signup: bool,
    /// Longest message body in characters (default 4000).
    pub max_message_length: i64,
    /// Days messages are kept; `null` keeps them forever.
    pub retention_days: Option<i64>,
    /// Lifetime of a chat token when none is asked for, in seconds (default 30 days).
    pub chat_token_default_ttl_seconds: i64,
    /// Longest lifetime a chat token may be minted with, in seconds.
    pub chat_token_max_ttl_seconds: i64,
    /// Origins (`https://host[:port]`) a message's `file_url` may point at besides this
    /// server's own media (default none).
    pub allowed_file_origins: Vec<String>,
    /// How fast users, API keys and client addresses may send messages and open
    /// conversations.
    pub rate_limits: RateLimitsDto,
    /// MIME types users may upload (`type/subtype`, or `type/*` for a whole family);
    /// default: common images, PDF, office documents, plain text, audio and video.
    pub allowed_media_types: Vec<String>,
    /// Largest upload in bytes (default 26214400, 25 MiB).
    pub max_media_bytes: i64,
}

impl From<&TenantSettings> for TenantSettingsDto {
    fn from(s: &TenantSettings) -> Self {
        TenantSettingsDto {
            allow_user_signup: s.allow_user_signup,
            max_message_length: s.max_message_length,
            retention_days: s.retention_days,
            chat_token_default_ttl_seconds: s.chat_token_default_ttl_seconds,
            chat_token_max_ttl_seconds: s.chat_token_max_ttl_seconds,
            allowed_file_origins: s.allowed_file_origins.clone(),
            rate_limits: (&s.rate_limits).into(),
            allowed_media_types: s.allowed_media_types.clone(),
            max_media_bytes: s.max_media_bytes,
        }
    }
}

/// One integrating website or workspace.
#[derive(Object, Debug, Clone)]
pub struct TenantDto {
    /// The tenant's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL-safe handle, used to sign in.
    pub slug: String,
    /// Settings.
    pub settings: TenantSettingsDto,
    /// When the tenant was created.
    pub created_at: DateTime<Utc>,
}

impl From<&Tenant> for TenantDto {
    fn from(t: &Tenant) -> Self {
        TenantDto { id: t.id.clone(), name: t.name.clone(), slug: t.slug.clone(), settings: (&t.settings).into(), created_at: t.created_at }
    }
}

/// Settings to change; absent fields stay as they are.
#[derive(Object, Debug, Default)]
pub struct TenantSettingsPatch {
    /// Whether people may create password accounts for themselves.
    pub allow_user_signup: Option<bool>,
    /// Longest message body in characters.
    pub max_message_length: Option<i64>,
    /// Days messages are kept; `null` keeps them forever.
    pub retention_days: MaybeUndefined<i64>,
    /// Default chat token lifetime in seconds.
    pub chat_token_default_ttl_seconds: Option<i64>,
    /// Longest chat token lifetime in seconds.
    pub chat_token_max_ttl_seconds: Option<i64>,
    /// Origins (`https://host[:port]`, at most 20) a message's `file_url` may point at
    /// besides this server's own media; replaces the whole list.
    #[oai(validator(max_items = 20))]
    pub allowed_file_origins: Option<Vec<String>>,
    /// Rate limit buckets to replace.
    pub rate_limits: Option<RateLimitsPatch>,
    /// MIME types users may upload (at most 100; `type/*` allows a whole family);
    /// replaces the whole list.
    #[oai(validator(max_items = 100))]
    pub allowed_media_types: Option<Vec<String>>,
    /// Largest upload in bytes, 1 to 5368709120 (5 GiB).
    pub max_media_bytes: Option<i64>,
}

impl From<&TenantSettingsPatch> for SettingsChange {
    fn from(p: &TenantSettingsPatch) -> Self {
        SettingsChange {
            allow_user_signup: p.allow_user_signup,
            max_message_length: p.max_message_length,
            retention_days: match p.retention_days {
                MaybeUndefined::Value(days) => Some(Some(days)),
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Undefined => None,
            },
            chat_token_default_ttl_seconds: p.chat_token_default_ttl_seconds,
            chat_token_max_ttl_seconds: p.chat_token_max_ttl_seconds,
            allowed_file_origins: p.allowed_file_origins.clone(),
            rate_limits: p.rate_limits.as_ref().map(RateLimitsPatch::changes).unwrap_or_default(),
            allowed_media_types: p.allowed_media_types.clone(),
            max_media_bytes: p.max_media_bytes,
        }
    }
}

/// Changes to the tenant.
#[derive(Object, Debug, Default)]
pub struct UpdateTenantRequest {
    /// New display name.
    #[oai(validator(max_length = 100))]
    pub name: Option<String>,
    /// Settings to change.
    pub settings: Option<TenantSettingsPatch>,
}
