//! Per-tenant settings, stored as one JSON document on the tenant row.

use serde::{Deserialize, Serialize};

use super::limits::{Per, Rate, RateLimits, WriteKind};
use super::media::{default_media_types, mime_type, DEFAULT_MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_CEILING, MAX_MEDIA_TYPES};
use super::web_url::{file_origin, MAX_FILE_ORIGINS};
use super::Invalid;

/// Thirty days, the default lifetime of a chat token.
pub const DEFAULT_CHAT_TOKEN_TTL: i64 = 30 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    /// Whether users may create password accounts for themselves in this tenant.
    pub allow_user_signup: bool,
    /// Longest message body, in characters.
    pub max_message_length: i64,
    /// Days a message is kept; `None` keeps them forever.
    pub retention_days: Option<i64>,
    /// Lifetime of a chat token when the request names none, in seconds.
    pub chat_token_default_ttl_seconds: i64,
    /// Longest lifetime a chat token may be minted with, in seconds.
    pub chat_token_max_ttl_seconds: i64,
    /// Origins (`https://host[:port]`) besides the server's own media that a message's
    /// `file_url` may point at.
    pub allowed_file_origins: Vec<String>,
    /// How fast users, API keys and client addresses may write.
    pub rate_limits: RateLimits,
    /// MIME types users may upload (`type/subtype`, or `type/*` for a whole family).
    pub allowed_media_types: Vec<String>,
    /// Largest upload, in bytes.
    pub max_media_bytes: i64,
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            allow_user_signup: false,
            max_message_length: 4000,
            retention_days: None,
            chat_token_default_ttl_seconds: DEFAULT_CHAT_TOKEN_TTL,
            chat_token_max_ttl_seconds: 90 * 24 * 3600,
            allowed_file_origins: Vec::new(),
            rate_limits: RateLimits::default(),
            allowed_media_types: default_media_types(),
            max_media_bytes: DEFAULT_MAX_MEDIA_BYTES,
        }
    }
}

impl TenantSettings {
    /// Checks the bounds that keep the rest of the system sane.
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(1..=100_000).contains(&self.max_message_length) {
            return Err(Invalid::new("settings.max_message_length", "must be between 1 and 100000"));
        }
        if let Some(days) = self.retention_days {
            if !(1..=36_500).contains(&days) {
                return Err(Invalid::new("settings.retention_days", "must be between 1 and 36500"));
            }
        }
        if !(60..=365 * 24 * 3600).contains(&self.chat_token_max_ttl_seconds) {
            return Err(Invalid::new("settings.chat_token_max_ttl_seconds", "must be between 60 seconds and one year"));
        }
        if self.chat_token_default_ttl_seconds < 60 || self.chat_token_default_ttl_seconds > self.chat_token_max_ttl_seconds {
            return Err(Invalid::new(
                "settings.chat_token_default_ttl_seconds",
                "must be at least 60 and at most chat_token_max_ttl_seconds",
            ));
        }
        if self.allowed_file_origins.len() > MAX_FILE_ORIGINS {
            return Err(Invalid::new("settings.allowed_file_origins", format!("at most {MAX_FILE_ORIGINS} origins")));
        }
        for origin in &self.allowed_file_origins {
            // `apply` normalized every valid origin, so anything else was never one.
            if file_origin(origin)? != *origin {
                return Err(Invalid::new("settings.allowed_file_origins", "each must be an origin: scheme://host[:port]"));
            }
        }
        if self.allowed_media_types.len() > MAX_MEDIA_TYPES {
            return Err(Invalid::new("settings.allowed_media_types", format!("at most {MAX_MEDIA_TYPES} types")));
        }
        for file_type in &self.allowed_media_types {
            // `apply` normalized every valid type, so anything else was never one.
            if mime_type("settings.allowed_media_types", file_type, true)? != *file_type {
                return Err(Invalid::new("settings.allowed_media_types", "each must be a MIME type such as image/png or audio/*"));
            }
        }
        if !(1..=MAX_MEDIA_BYTES_CEILING).contains(&self.max_media_bytes) {
            return Err(Invalid::new("settings.max_media_bytes", format!("must be between 1 and {MAX_MEDIA_BYTES_CEILING}")));
        }
        self.rate_limits.validate()
    }

    /// Parses the stored JSON, falling back to defaults for fields it lacks.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("settings serialize")
    }
}

/// Settings to change; `None` leaves a setting as it is, and `Some(None)` makes the
/// retention unlimited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsChange {
    pub allow_user_signup: Option<bool>,
    pub max_message_length: Option<i64>,
    pub retention_days: Option<Option<i64>>,
    pub chat_token_default_ttl_seconds: Option<i64>,
    pub chat_token_max_ttl_seconds: Option<i64>,
    pub allowed_file_origins: Option<Vec<String>>,
    /// Buckets to replace, each whole.
    pub rate_limits: Vec<(WriteKind, Per, Rate)>,
    pub allowed_media_types: Option<Vec<String>>,
    pub max_media_bytes: Option<i64>,
}

impl SettingsChange {
    /// `current` with the settings this change names set; not yet validated.
    pub fn apply(&self, mut current: TenantSettings) -> TenantSettings {
        if let Some(v) = self.allow_user_signup {
            current.allow_user_signup = v;
        }
        if let Some(v) = self.max_message_length {
            current.max_message_length = v;
        }
        if let Some(v) = self.retention_days {
            current.retention_days = v;
        }
        if let Some(v) = self.chat_token_default_ttl_seconds {
            current.chat_token_default_ttl_seconds = v;
        }
        if let Some(v) = self.chat_token_max_ttl_seconds {
            current.chat_token_max_ttl_seconds = v;
        }
        if let Some(origins) = &self.allowed_file_origins {
            // Written the way `validate` expects; one that does not parse is kept as given
            // for `validate` to refuse.
            let mut normalized: Vec<String> = Vec::with_capacity(origins.len());
            for origin in origins.iter().map(|o| file_origin(o).unwrap_or_else(|_| o.clone())) {
                if !normalized.contains(&origin) {
                    normalized.push(origin);
                }
            }
            current.allowed_file_origins = normalized;
        }
        if let Some(types) = &self.allowed_media_types {
            let mut normalized: Vec<String> = Vec::with_capacity(types.len());
            for file_type in types.iter().map(|t| mime_type("settings.allowed_media_types", t, true).unwrap_or_else(|_| t.clone())) {
                if !normalized.contains(&file_type) {
                    normalized.push(file_type);
                }
            }
            current.allowed_media_types = normalized;
        }
        if let Some(v) = self.max_media_bytes {
            current.max_media_bytes = v;
        }
        for &(write, per, rate) in &self.rate_limits {
            current.rate_limits.set(write, per, rate);
        }
        current
    }
}
