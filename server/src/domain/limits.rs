//! Write rate limits: token buckets per kind of write and per who writes, part of a
//! tenant's settings.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// Largest refill rate a bucket may have: 10,000 writes a second.
pub const MAX_PER_MINUTE: u32 = 600_000;
/// Largest bucket: writes that may be saved up for one burst.
pub const MAX_BURST: u32 = 10_000;

/// One token bucket: it holds at most `burst` tokens and refills `per_minute` of them
/// evenly over each minute; each write takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const fn new(per_minute: u32, burst: u32) -> Self {
        Rate { per_minute, burst }
    }

    fn validate(&self, field: &'static str) -> Result<(), Invalid> {
        if !(1..=MAX_PER_MINUTE).contains(&self.per_minute) || !(1..=MAX_BURST).contains(&self.burst) {
            return Err(Invalid::new(field, format!("per_minute must be 1 to {MAX_PER_MINUTE} and burst 1 to {MAX_BURST}")));
        }
        Ok(())
    }
}

/// The writes that are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// A message sent over REST or the WebSocket; a forward takes one per copy.
    Message,
    /// Opening a direct conversation or shop thread, creating a group, opening a ticket.
    Conversation,
    /// Reporting a message or a user to the moderators.
    Report,
    /// Asking for a media upload URL.
    Upload,
}

impl WriteKind {
    /// The name the write's buckets are stored under.
    pub fn name(self) -> &'static str {
        match self {
            WriteKind::Message => "message",
            WriteKind::Conversation => "conversation",
            WriteKind::Report => "report",
            WriteKind::Upload => "upload",
        }
    }
}

/// Whose bucket a write is taken from: every write takes one token from each that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// The signed-in user.
    User,
    /// The API key presented with the user's token.
    ApiKey,
    /// The client's network address.
    Address,
}

/// The buckets of one kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteLimits {
    pub per_user: Rate,
    pub per_api_key: Rate,
    pub per_address: Rate,
}

impl WriteLimits {
    pub fn get(&self, per: Per) -> Rate {
        match per {
            Per::User => self.per_user,
            Per::ApiKey => self.per_api_key,
            Per::Address => self.per_address,
        }
    }

    fn get_mut(&mut self, per: Per) -> &mut Rate {
        match per {
            Per::User => &mut self.per_user,
            Per::ApiKey => &mut self.per_api_key,
            Per::Address => &mut self.per_address,
        }
    }
}

/// A tenant's write rate limits. A key and an address stand for many users, so their
/// buckets are larger than a user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    pub messages: WriteLimits,
    pub conversations: WriteLimits,
    pub reports: WriteLimits,
    pub uploads: WriteLimits,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            // A person types far slower than 10 messages a second; 20 at once covers a paste
            // split into lines or a client flushing its outbox after a reconnect.
            messages: WriteLimits {
                per_user: Rate::new(600, 20),
                per_api_key: Rate::new(30_000, 1_000),
                per_address: Rate::new(3_000, 100),
            },
            conversations: WriteLimits { per_user: Rate::new(60, 20), per_api_key: Rate::new(3_000, 300), per_address: Rate::new(300, 60) },
            // Someone reporting a flood of spam flags a few messages a minute; more than
            // that is a flood of reports itself.
            reports: WriteLimits { per_user: Rate::new(20, 10), per_api_key: Rate::new(1_200, 200), per_address: Rate::new(120, 40) },
            // Each upload URL may bring up to the tenant's maximum size into storage; 20 at
            // once covers an album picked in one go.
            uploads: WriteLimits { per_user: Rate::new(60, 20), per_api_key: Rate::new(3_000, 300), per_address: Rate::new(300, 60) },
        }
    }
}

impl RateLimits {
    pub fn of(&self, write: WriteKind) -> &WriteLimits {
        match write {
            WriteKind::Message => &self.messages,
            WriteKind::Conversation => &self.conversations,
            WriteKind::Report => &self.reports,
            WriteKind::Upload => &self.uploads,
        }
    }

    fn of_mut(&mut self, write: WriteKind) -> &mut WriteLimits {
        match write {
            WriteKind::Message => &mut self.messages,
            WriteKind::Conversation => &mut self.conversations,
            WriteKind::Report => &mut self.reports,
            WriteKind::Upload => &mut self.uploads,
        }
    }

    /// Replaces one bucket's rate.
    pub fn set(&mut self, write: WriteKind, per: Per, rate: Rate) {
        *self.of_mut(write).get_mut(per) = rate;
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        for (write, field) in [
            (WriteKind::Message, "settings.rate_limits.messages"),
            (WriteKind::Conversation, "settings.rate_limits.conversations"),
            (WriteKind::Report, "settings.rate_limits.reports"),
            (WriteKind::Upload, "settings.rate_limits.uploads"),
        ] {
            for per in [Per::User, Per::ApiKey, Per::Address] {
                self.of(write).get(per).validate(field)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_hold_and_stop_a_flood() {
        let limits = RateLimits::default();
        assert!(limits.validate().is_ok());
        assert!(limits.messages.per_user.per_minute / 60 <= 10, "nobody sends 300 messages a second");
    }

    #[test]
    fn a_bucket_outside_the_bounds_is_refused() {
        let mut limits = RateLimits::default();
        limits.set(WriteKind::Message, Per::User, Rate::new(0, 5));
        assert_eq!(limits.validate().unwrap_err().field, "settings.rate_limits.messages");
        limits.set(WriteKind::Message, Per::User, Rate::new(60, MAX_BURST + 1));
        assert!(limits.validate().is_err());
        limits.set(WriteKind::Message, Per::User, Rate::new(60, 5));
        limits.set(WriteKind::Conversation, Per::Address, Rate::new(MAX_PER_MINUTE + 1, 5));
        assert_eq!(limits.validate().unwrap_err().field, "settings.rate_limits.conversations");
    }
}
