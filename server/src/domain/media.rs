//! Uploaded media: what a tenant accepts (types and size), the record of one upload, and
//! the rules an upload is checked against before and after its bytes arrive.

use super::named::Named;
use super::text::check_line;
use super::{Invalid, Timestamp};

/// The default largest upload: 25 MiB.
pub const DEFAULT_MAX_MEDIA_BYTES: i64 = 25 * 1024 * 1024;

/// The largest limit a tenant may set: 5 GiB, the most one S3 `PUT` may carry.
pub const MAX_MEDIA_BYTES_CEILING: i64 = 5 * 1024 * 1024 * 1024;

/// Most entries of a tenant's allowed media types.
pub const MAX_MEDIA_TYPES: usize = 100;

/// Longest file name kept, in characters.
pub const MAX_FILE_NAME: usize = 255;

/// The types a tenant accepts unless it says otherwise: common images, PDF, office
/// documents, plain text, audio and video. SVG is left out on purpose: it can carry script.
pub const DEFAULT_MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "text/plain",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "video/mp4",
    "video/webm",
    "video/quicktime",
];

pub fn default_media_types() -> Vec<String> {
    DEFAULT_MEDIA_TYPES.iter().map(|t| (*t).to_owned()).collect()
}

/// `raw` as a bare MIME type, `type/subtype` in lowercase without parameters; with
/// `wildcard`, `type/*` is accepted too.
pub fn mime_type(field: &'static str, raw: &str, wildcard: bool) -> Result<String, Invalid> {
    let value = raw.trim().to_ascii_lowercase();
    let token = |s: &str| !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    let valid = match value.split_once('/') {
        Some((kind, "*")) => wildcard && token(kind),
        Some((kind, sub)) => token(kind) && token(sub),
        None => false,
    };
    if valid {
        Ok(value)
    } else {
        Err(Invalid::new(field, "must be a MIME type such as image/png, without parameters"))
    }
}

/// Whether `file_type` is among `allowed` (exactly, or by a `type/*` entry).
pub fn type_allowed(allowed: &[String], file_type: &str) -> bool {
    let kind = file_type.split('/').next().unwrap_or_default();
    allowed.iter().any(|entry| entry == file_type || entry.strip_suffix("/*").is_some_and(|k| k == kind))
}

/// What a client asks to upload, checked against the tenant's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub file_name: String,
    pub file_type: String,
    pub file_size: i64,
}

impl NewUpload {
    /// The upload as given, when its name is one line of 1 to 255 characters, its type one
    /// the tenant allows and its size within the tenant's maximum.
    pub fn checked(file_name: &str, file_type: &str, file_size: i64, allowed: &[String], max_bytes: i64) -> Result<Self, Invalid> {
        let file_name = file_name.trim();
        if file_name.is_empty() || file_name.chars().count() > MAX_FILE_NAME {
            return Err(Invalid::new("file_name", format!("must be 1 to {MAX_FILE_NAME} characters")));
        }
        check_line("file_name", file_name)?;
        let file_type = mime_type("file_type", file_type, false)?;
        if !type_allowed(allowed, &file_type) {
            return Err(Invalid::new("file_type", format!("{file_type} is not among the types this workspace accepts")));
        }
        if file_size < 1 {
            return Err(Invalid::new("file_size", "must be at least 1 byte"));
        }
        if file_size > max_bytes {
            return Err(Invalid::new("file_size", format!("must be at most {max_bytes} bytes")));
        }
        Ok(NewUpload { file_name: file_name.to_owned(), file_type, file_size })
    }
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaStatus {
    /// An upload URL was handed out; the bytes are not confirmed yet.
    Pending,
    /// Confirmed: the object exists with the declared size and type.
    Ready,
}

impl Named for MediaStatus {
    const ALL: &'static [Self] = &[MediaStatus::Pending, MediaStatus::Ready];

    fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Pending => "pending",
            MediaStatus::Ready => "ready",
        }
    }
}

/// One upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: String,
    pub tenant_id: String,
    pub uploader_id: String,
    pub file_name: String,
    pub file_type: String,
    pub file_size: i64,
    pub status: MediaStatus,
    /// The type of the thumbnail, when one was made (images only).
    pub thumbnail_type: Option<String>,
    pub created_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
}

impl Media {
    /// Where the original lives in the blob store.
    pub fn object_key(&self) -> String {
        object_key(&self.tenant_id, &self.id)
    }

    /// Where its thumbnail lives in the blob store.
    pub fn thumbnail_key(&self) -> String {
        format!("{}.thumb", self.object_key())
    }

    pub fn is_image(&self) -> bool {
        is_image_type(&self.file_type)
    }

    pub fn is_ready(&self) -> bool {
        self.status == MediaStatus::Ready
    }
}

/// The blob key of media `id` of `tenant_id`.
pub fn object_key(tenant_id: &str, id: &str) -> String {
    format!("media/{tenant_id}/{id}")
}

/// Types Confab decodes to make thumbnails of.
pub fn is_image_type(file_type: &str) -> bool {
    matches!(file_type, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}

/// Whether the first bytes of an object are those of `file_type`. Only the image types
/// Confab decodes are checked; any other type passes.
pub fn starts_like(file_type: &str, head: &[u8]) -> bool {
    match file_type {
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/gif" => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        "image/webp" => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_held_to_the_tenants_types_and_size() {
        let allowed = vec!["image/png".to_owned(), "audio/*".to_owned()];
        let check = |name: &str, ty: &str, size: i64| NewUpload::checked(name, ty, size, &allowed, 100).map_err(|e| e.field);
        assert_eq!(check(" cat.png ", "IMAGE/PNG", 10).unwrap().file_type, "image/png");
        assert!(check("song.ogg", "audio/ogg", 10).is_ok());
        assert_eq!(check("a.pdf", "application/pdf", 10).unwrap_err(), "file_type");
        assert_eq!(check("a.png", "image/png; charset=x", 10).unwrap_err(), "file_type");
        assert_eq!(check("a.png", "image/png", 101).unwrap_err(), "file_size");
        assert_eq!(check("a.png", "image/png", 0).unwrap_err(), "file_size");
        assert_eq!(check("", "image/png", 1).unwrap_err(), "file_name");
        assert_eq!(check("a\nb", "image/png", 1).unwrap_err(), "file_name");
    }

    #[test]
    fn image_magic_bytes_must_match_the_declared_type() {
        assert!(starts_like("image/png", b"\x89PNG\r\n\x1a\n...."));
        assert!(!starts_like("image/png", b"\xFF\xD8\xFF\xE0"));
        assert!(starts_like("image/jpeg", b"\xFF\xD8\xFF\xE0"));
        assert!(starts_like("image/webp", b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!starts_like("image/gif", b"<svg"));
        assert!(starts_like("application/pdf", b"anything"));
    }
}
