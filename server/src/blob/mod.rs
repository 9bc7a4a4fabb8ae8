//! The blob store: where uploaded media and their thumbnails live. Clients move the bytes
//! themselves, through short-lived signed URLs that this store hands out; the server only
//! checks, reads (for thumbnails) and removes objects. Production uses an S3-compatible
//! service (`s3`); the embedded default keeps files in a local directory and serves its
//! signed URLs itself (`local`). Chosen once at start by `connect`.

mod local;
mod s3;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

pub use local::{LocalBlobs, ROUTE as SERVED_ROUTE};
pub use s3::S3Blobs;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::domain::Timestamp;

/// A request a client makes on its own: the URL, its method, and the headers it must send
/// exactly as given (the signature covers them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub expires_at: Timestamp,
}

/// What the store knows of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: i64,
    /// The content type the object was stored with, when the store keeps one.
    pub content_type: Option<String>,
}

/// How a download is offered to the browser that opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in place (images).
    Inline,
    /// Saved as a file (everything else), so no upload ever runs as a page of its own.
    Attachment,
}

impl Disposition {
    pub fn header(self) -> &'static str {
        match self {
            Disposition::Inline => "inline",
            Disposition::Attachment => "attachment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "inline" => Some(Disposition::Inline),
            "attachment" => Some(Disposition::Attachment),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("blob store: {0}")]
pub struct BlobError(pub String);

impl BlobError {
    pub fn new(what: impl std::fmt::Display) -> Self {
        BlobError(what.to_string())
    }
}

pub type BlobResult<T> = Result<T, BlobError>;

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// `s3` or `local`, for the readiness report and the logs.
    fn kind(&self) -> &'static str;

    /// A URL that accepts one `PUT` of exactly `length` bytes of `content_type` to `key`
    /// until `ttl` has passed.
    async fn presign_put(&self, key: &str, content_type: &str, length: i64, ttl: Duration) -> BlobResult<SignedRequest>;

    /// A URL that downloads `key` as `content_type` until `ttl` has passed.
    async fn presign_get(&self, key: &str, content_type: &str, disposition: Disposition, ttl: Duration) -> BlobResult<String>;

    /// The object's size and type; `None` when there is no such object.
    async fn head(&self, key: &str) -> BlobResult<Option<ObjectInfo>>;

    /// At most the first `max` bytes of the object.
    async fn read(&self, key: &str, max: u64) -> BlobResult<Vec<u8>>;

    /// Stores a small object the server made itself (a thumbnail).
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> BlobResult<()>;

    /// Removes the object; removing one that is not there succeeds.
    async fn delete(&self, key: &str) -> BlobResult<()>;

    /// True when the store answers.
    async fn ping(&self) -> bool;

    /// Answers a request to `/v1/media-blobs/...`: the signed URLs of a store that Confab
    /// serves itself. Other stores have none there (404).
    async fn serve(&self, _req: poem::Request) -> poem::Response {
        poem::Response::builder().status(poem::http::StatusCode::NOT_FOUND).finish()
    }
}

/// The store the configuration names: S3 when `CONFAB_S3_BUCKET` is set, else files under
/// `CONFAB_MEDIA_DIR` (default `<data dir>/media`) whose URLs are signed with a key derived
/// from the token signing secret.
pub async fn connect(config: &Config, keys: &TokenKeys) -> anyhow::Result<Arc<dyn BlobStore>> {
    if let Some(bucket) = &config.s3_bucket {
        let s3 = S3Blobs::connect(config, bucket).await.context("connecting to the S3 store")?;
        return Ok(Arc::new(s3));
    }
    let dir = config.media_dir.clone().unwrap_or_else(|| config.data_dir().join("media"));
    let base = config.public_url.as_deref().map(|url| url.trim_end_matches('/').to_owned()).unwrap_or_default();
    let local = LocalBlobs::open(dir, base, keys.derived_key("media urls")).context("opening the media directory")?;
    Ok(Arc::new(local))
}
