//! Media as files in a local directory, the embedded default. Confab serves the signed
//! URLs itself at `/v1/media-blobs/{key}`: each names its method, key and expiry, and an
//! upload also its content type and exact length, all under an HMAC-SHA256 signature, so a
//! URL cannot be stretched to another object, method, time, type or size. An upload streams
//! to a temporary file and takes its place only once exactly the bound length arrived.

use std::path::{Path, PathBuf};
use std::time::Duration;

use poem::http::{header, StatusCode};
use poem::{Body, Request, Response};
use subtle::ConstantTimeEq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{BlobError, BlobResult, BlobStore, Disposition, ObjectInfo, SignedRequest};
use crate::auth::jwt::hmac_sha256;

/// The path the signed URLs live under.
pub const ROUTE: &str = "/v1/media-blobs";

pub struct LocalBlobs {
    dir: PathBuf,
    /// Prepended to every URL: the public URL when configured, else nothing (the URLs are
    /// then relative to this server).
    base: String,
    key: [u8; 32],
}

/// A key is one or more segments of letters, digits, `.`, `_` and `-`, none of them `.` or
/// `..`, so it can never leave the directory.
fn valid_key(key: &str) -> bool {
    key.len() <= 300
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

/// What one signed URL allows.
struct Grant<'a> {
    method: &'a str,
    key: &'a str,
    expires: i64,
    content_type: &'a str,
    /// The exact upload length; empty for downloads.
    length: &'a str,
    /// The download's disposition; empty for uploads.
    disposition: &'a str,
}

impl LocalBlobs {
    pub fn open(dir: PathBuf, base: String, key: [u8; 32]) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(LocalBlobs { dir, base, key })
    }

    fn signature(&self, grant: &Grant<'_>) -> String {
        let text =
            format!("{}\n{}\n{}\n{}\n{}\n{}", grant.method, grant.key, grant.expires, grant.content_type, grant.length, grant.disposition);
        hex::encode(hmac_sha256(&self.key, text.as_bytes()))
    }

    fn url(&self, grant: &Grant<'_>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("expires", &grant.expires.to_string()).append_pair("type", grant.content_type);
        if !grant.length.is_empty() {
            query.append_pair("length", grant.length);
        }
        if !grant.disposition.is_empty() {
            query.append_pair("disposition", grant.disposition);
        }
        query.append_pair("sig", &self.signature(grant));
        format!("{}{ROUTE}/{}?{}", self.base, grant.key, query.finish())
    }

    fn path(&self, key: &str) -> BlobResult<PathBuf> {
        if !valid_key(key) {
            return Err(BlobError::new(format!("invalid key {key:?}")));
        }
        Ok(self.dir.join(key))
    }

    /// The side file that keeps an object's content type.
    fn type_path(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".type");
        PathBuf::from(name)
    }

    fn expiry(ttl: Duration) -> (i64, crate::domain::Timestamp) {
        let at = chrono::Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
        (at.timestamp(), at)
    }
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "success": false, "code": code, "message": message });
    Response::builder().status(status).content_type("application/json").body(body.to_string())
}

fn io_error(e: std::io::Error) -> BlobError {
    BlobError::new(e)
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobs {
    fn kind(&self) -> &'static str {
        "local"
    }

    async fn presign_put(&self, key: &str, content_type: &str, length: i64, ttl: Duration) -> BlobResult<SignedRequest> {
        self.path(key)?;
        let (expires, expires_at) = Self::expiry(ttl);
        let length = length.to_string();
        let grant = Grant { method: "PUT", key, expires, content_type, length: &length, disposition: "" };
        let headers = vec![("content-type".to_owned(), content_type.to_owned()), ("content-length".to_owned(), length.clone())];
        Ok(SignedRequest { url: self.url(&grant), method: "PUT", headers, expires_at })
    }

    async fn presign_get(&self, key: &str, content_type: &str, disposition: Disposition, ttl: Duration) -> BlobResult<String> {
        self.path(key)?;
        let (expires, _) = Self::expiry(ttl);
        Ok(self.url(&Grant { method: "GET", key, expires, content_type, length: "", disposition: disposition.header() }))
    }

    async fn head(&self, key: &str) -> BlobResult<Option<ObjectInfo>> {
        let path = self.path(key)?;
        let meta = match tokio::fs::metadata(&path).await {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(e)),
        };
        let content_type = tokio::fs::read_to_string(Self::type_path(&path)).await.ok();
        Ok(Some(ObjectInfo { size: meta.len() as i64, content_type }))
    }

    async fn read(&self, key: &str, max: u64) -> BlobResult<Vec<u8>> {
        let file = tokio::fs::File::open(self.path(key)?).await.map_err(io_error)?;
        let mut bytes = Vec::new();
        file.take(max).read_to_end(&mut bytes).await.map_err(io_error)?;
        Ok(bytes)
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> BlobResult<()> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        tokio::fs::write(Self::type_path(&path), content_type).await.map_err(io_error)?;
        let partial = path.with_extension(format!("part-{}", ulid::Ulid::new()));
        tokio::fs::write(&partial, bytes).await.map_err(io_error)?;
        tokio::fs::rename(&partial, &path).await.map_err(io_error)
    }

    async fn delete(&self, key: &str) -> BlobResult<()> {
        let path = self.path(key)?;
        for file in [Self::type_path(&path), path] {
            match tokio::fs::remove_file(&file).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }

    async fn ping(&self) -> bool {
        tokio::fs::metadata(&self.dir).await.is_ok_and(|meta| meta.is_dir())
    }

    async fn serve(&self, req: Request) -> Response {
        let key = req.uri().path().trim_start_matches('/').to_owned();
        let query: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()).into_owned().collect();
        let get = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
        let method = req.method().as_str().to_owned();
        let expires: i64 = get("expires").parse().unwrap_or(0);
        let grant = Grant {
            method: &method,
            key: &key,
            expires,
            content_type: get("type"),
            length: get("length"),
            disposition: get("disposition"),
        };
        let signed = valid_key(&key) && bool::from(self.signature(&grant).as_bytes().ct_eq(get("sig").as_bytes()));
        if !signed {
            return refusal(StatusCode::FORBIDDEN, "forbidden", "the signature does not match this request");
        }
        if expires < chrono::Utc::now().timestamp() {
            return refusal(StatusCode::FORBIDDEN, "forbidden", "this URL has expired");
        }
        match method.as_str() {
            "PUT" => self.receive(req, &key, &grant).await,
            "GET" => self.send(&key, &grant).await,
            _ => refusal(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "use the method the URL was signed for"),
        }
    }
}

impl LocalBlobs {
    /// Streams an upload to disk, refusing one whose type or length differs from the
    /// signed ones; never more than the signed length is read.
    async fn receive(&self, mut req: Request, key: &str, grant: &Grant<'_>) -> Response {
        let header_of = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        if header_of(header::CONTENT_TYPE) != grant.content_type {
            return refusal(StatusCode::FORBIDDEN, "forbidden", "the content type differs from the signed one");
        }
        if header_of(header::CONTENT_LENGTH) != grant.length {
            return refusal(StatusCode::FORBIDDEN, "forbidden", "the content length differs from the signed one");
        }
        let Ok(length) = grant.length.parse::<u64>() else {
            return refusal(StatusCode::FORBIDDEN, "forbidden", "the signed length is not a number");
        };
        let Ok(path) = self.path(key) else {
            return refusal(StatusCode::NOT_FOUND, "not_found", "no such object");
        };
        match self.write_stream(&path, req.take_body(), length, grant.content_type).await {
            Ok(true) => Response::builder().status(StatusCode::OK).finish(),
            Ok(false) => refusal(StatusCode::BAD_REQUEST, "bad_request", "the body is not of the signed length"),
            Err(error) => {
                tracing::error!(%error, "storing an upload failed");
                refusal(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error")
            }
        }
    }

    /// False when the body was shorter or longer than `length`; nothing is kept then.
    async fn write_stream(&self, path: &Path, body: Body, length: u64, content_type: &str) -> std::io::Result<bool> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let partial = path.with_extension(format!("part-{}", ulid::Ulid::new()));
        let mut file = tokio::fs::File::create(&partial).await?;
        // One byte past the bound tells a longer body from an exact one.
        let mut reader = body.into_async_read().take(length + 1);
        let copied = tokio::io::copy(&mut reader, &mut file).await;
        let complete = match copied {
            Ok(n) => n == length,
            Err(_) => false,
        };
        if !complete {
            drop(file);
            let _ = tokio::fs::remove_file(&partial).await;
            return copied.map(|_| false);
        }
        file.flush().await?;
        drop(file);
        tokio::fs::write(Self::type_path(path), content_type).await?;
        tokio::fs::rename(&partial, path).await?;
        Ok(true)
    }

    async fn send(&self, key: &str, grant: &Grant<'_>) -> Response {
        let Ok(path) = self.path(key) else {
            return refusal(StatusCode::NOT_FOUND, "not_found", "no such object");
        };
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(_) => return refusal(StatusCode::NOT_FOUND, "not_found", "no such object"),
        };
        let length = file.metadata().await.map(|m| m.len()).unwrap_or_default();
        let disposition = Disposition::parse(grant.disposition).unwrap_or(Disposition::Attachment);
        Response::builder()
            .status(StatusCode::OK)
            .content_type(grant.content_type)
            .header(header::CONTENT_LENGTH, length)
            .header(header::CONTENT_DISPOSITION, disposition.header())
            .header(header::CACHE_CONTROL, "private, max-age=300")
            .header(header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'")
            .body(Body::from_async_read(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_directory() {
        assert!(valid_key("media/01ABC/01DEF.thumb"));
        assert!(!valid_key("media/../etc/passwd"));
        assert!(!valid_key("/etc/passwd"));
        assert!(!valid_key("media//x"));
        assert!(!valid_key("media/a b"));
    }
}
