//! Uploads, their confirmation and the media as participants see it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::messages::MessageDto;
use crate::domain::media::Media;
use crate::media::{MediaView, Uploading};

/// A file to upload.
#[derive(Object, Debug)]
pub struct UploadUrlRequest {
    /// The file's name as the user knows it (1 to 255 characters, one line).
    #[oai(validator(max_length = 255))]
    pub file_name: String,
    /// Its MIME type, without parameters; one the tenant allows (`allowed_media_types`).
    #[oai(validator(max_length = 255))]
    pub file_type: String,
    /// Its exact size in bytes, at most the tenant's `max_media_bytes`.
    pub file_size: i64,
}

/// Where and how to upload the file.
#[derive(Object, Debug)]
pub struct UploadUrlDto {
    /// The media's id, for `confirm` and for messages.
    pub media_id: String,
    /// Send the file's bytes here, with `method` and exactly `headers`. Relative to this
    /// server when it starts with `/`.
    pub upload_url: String,
    /// Always `PUT`.
    pub method: String,
    /// Headers the upload must carry as given: the signature covers the content type and
    /// length.
    pub headers: BTreeMap<String, String>,
    /// When `upload_url` stops working (15 minutes).
    pub expires_at: DateTime<Utc>,
}

impl From<Uploading> for UploadUrlDto {
    fn from(u: Uploading) -> Self {
        UploadUrlDto {
            media_id: u.media.id,
            upload_url: u.request.url,
            method: u.request.method.to_owned(),
            headers: u.request.headers.into_iter().collect(),
            expires_at: u.request.expires_at,
        }
    }
}

/// Confirm an upload, and optionally send it.
#[derive(Object, Debug, Default)]
pub struct ConfirmMediaRequest {
    /// Also send the media to this conversation (the caller's), as an `image` or `file`
    /// message.
    #[oai(validator(max_length = 64))]
    pub conversation_id: Option<String>,
    /// The message's caption.
    #[oai(validator(max_length = 100000))]
    pub body: Option<String>,
    /// The sender's idempotency key for the message.
    #[oai(validator(max_length = 64))]
    pub client_msg_id: Option<String>,
}

/// Uploaded media, confirmed.
#[derive(Object, Debug)]
pub struct MediaDto {
    /// The media's id.
    pub id: String,
    /// The file's name.
    pub file_name: String,
    /// Its MIME type.
    pub file_type: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// Whether a thumbnail was made (images up to 32 MiB).
    pub has_thumbnail: bool,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<&Media> for MediaDto {
    fn from(m: &Media) -> Self {
        MediaDto {
            id: m.id.clone(),
            file_name: m.file_name.clone(),
            file_type: m.file_type.clone(),
            file_size: m.file_size,
            has_thumbnail: m.thumbnail_type.is_some(),
            confirmed_at: m.confirmed_at,
        }
    }
}

/// The confirmed media, and the message that carries it when one was sent.
#[derive(Object, Debug)]
pub struct ConfirmedMediaDto {
    /// The media.
    pub media: MediaDto,
    /// The message sent with it, when `conversation_id` was given.
    pub message: Option<MessageDto>,
}

/// Media with short-lived URLs to fetch it.
#[derive(Object, Debug)]
pub struct MediaUrlsDto {
    /// The media's id.
    pub id: String,
    /// The file's name.
    pub file_name: String,
    /// Its MIME type.
    pub file_type: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// A signed URL of the file (images open in place, other files download). Relative to
    /// this server when it starts with `/`.
    pub cdn_url: String,
    /// A signed URL of its thumbnail (longest side 320 px), for images.
    pub thumbnail_url: Option<String>,
    /// When the URLs stop working (10 minutes).
    pub expires_at: DateTime<Utc>,
}

impl From<MediaView> for MediaUrlsDto {
    fn from(v: MediaView) -> Self {
        MediaUrlsDto {
            id: v.media.id,
            file_name: v.media.file_name,
            file_type: v.media.file_type,
            file_size: v.media.file_size,
            cdn_url: v.url,
            thumbnail_url: v.thumbnail_url,
            expires_at: v.expires_at,
        }
    }
}
