//! The media service: upload URLs within the tenant's types and size, confirmation (the
//! object is checked, images get a thumbnail), signed download URLs for those allowed to
//! see the media, and its removal when nothing refers to it any more. The bytes never pass
//! through here on their way in or out: clients use the blob store's signed URLs.

pub mod sweep;
pub mod thumbnail;

use std::time::Duration;

use crate::auth::UserCaller;
use crate::blob::{BlobError, Disposition, SignedRequest};
use crate::chat::access;
use crate::domain::conversation::MessageType;
use crate::domain::media::{starts_like, Media, MediaStatus, NewUpload};
use crate::domain::message::{Attachment, Content, Message};
use crate::domain::{parse_field_id, parse_id, Invalid, Timestamp, WriteKind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;
use crate::throttle;

/// How long a download URL works.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(10 * 60);

/// Largest image read whole to make a thumbnail; larger images are kept without one.
pub const MAX_THUMBNAIL_SOURCE: i64 = 32 * 1024 * 1024;

/// Bytes read to check that an image starts like its declared type.
const HEAD_BYTES: u64 = 16;

/// A new upload and the request that sends its bytes.
pub struct Uploading {
    pub media: Media,
    pub request: SignedRequest,
}

/// Confirmed media with URLs to fetch it.
pub struct MediaView {
    pub media: Media,
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub expires_at: Timestamp,
}

fn unavailable(error: BlobError) -> AppError {
    AppError::unavailable("media storage", error)
}

/// Issues an upload URL for a file the tenant accepts (its types, its maximum size),
/// bound to the declared type and length and valid for `media_upload_ttl_seconds` (15
/// minutes by default).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn upload_url(state: &AppState, caller: &UserCaller, file_name: &str, file_type: &str, file_size: i64) -> AppResult<Uploading> {
    access::require_uploader(caller)?;
    throttle::take(state, caller, WriteKind::Upload).await?;
    let settings = state.tenant_settings(&caller.tenant_id).await?;
    let upload = NewUpload::checked(file_name, file_type, file_size, &settings.allowed_media_types, settings.max_media_bytes)?;
    let media = Media {
        id: ulid::Ulid::new().to_string(),
        tenant_id: caller.tenant_id.clone(),
        uploader_id: caller.user.id.clone(),
        file_name: upload.file_name,
        file_type: upload.file_type,
        file_size: upload.file_size,
        status: MediaStatus::Pending,
        thumbnail_type: None,
        created_at: chrono::Utc::now(),
        confirmed_at: None,
    };
    let ttl = Duration::from_secs(state.config.media_upload_ttl_seconds.clamp(1, 7 * 24 * 3600));
    let request = state.blobs.presign_put(&media.object_key(), &media.file_type, media.file_size, ttl).await.map_err(unavailable)?;
    store::media::insert(&state.db, &media).await?;
    Ok(Uploading { media, request })
}

/// The caller's own upload `raw_id`; anyone else's, or another tenant's, is a 404.
async fn own_upload(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Media> {
    let id = parse_id(raw_id)?;
    let media = store::media::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("media"))?;
    access::require_own_media(caller, &media)?;
    Ok(media)
}

/// Checks the uploaded object against what was declared and marks the media ready; images
/// get a thumbnail. An object of another size or type, or an image that does not start like
/// its type or cannot be decoded within the limits, is removed and refused (422). Confirming
/// ready media again changes nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, media_id = %raw_id))]
pub async fn confirm(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Media> {
    let media = own_upload(state, caller, raw_id).await?;
    if media.is_ready() {
        return Ok(media);
    }
    let thumbnail_type = match check_object(state, &media).await {
        Ok(thumbnail_type) => thumbnail_type,
        Err(AppError::Invalid(invalid)) if invalid.field == "file" => {
            discard_objects(state, &media).await;
            return Err(invalid.into());
        }
        Err(other) => return Err(other),
    };
    match store::media::mark_ready(&state.db, &media.id, thumbnail_type, chrono::Utc::now()).await? {
        Some(ready) => Ok(ready),
        // Confirmed by a racing call meanwhile (fine), or swept (gone).
        None => {
            store::media::by_id(&state.db, &media.tenant_id, &media.id).await?.filter(Media::is_ready).ok_or(AppError::NotFound("media"))
        }
    }
}

/// Confirms, then sends the media to `conversation_id` as an image or file message with
/// `body` as its caption.
pub async fn confirm_and_send(
    state: &AppState,
    caller: &UserCaller,
    raw_id: &str,
    conversation_id: &str,
    body: Option<String>,
    client_msg_id: Option<String>,
) -> AppResult<(Media, Message, bool)> {
    let media = confirm(state, caller, raw_id).await?;
    let membership = access::member_to_send(state, caller, conversation_id).await?;
    let kind = if media.is_image() { MessageType::Image } else { MessageType::File };
    let attachment = Attachment { media_id: Some(media.id.clone()), ..Attachment::default() };
    let content = Content { kind, body: body.unwrap_or_default(), attachment, client_msg_id, ..Content::default() };
    let (message, created) = crate::chat::messages::send(state, caller, &membership, content).await?;
    Ok((media, message, created))
}

/// The thumbnail's type when one was made. A refusal is `Invalid` on the field `file`.
async fn check_object(state: &AppState, media: &Media) -> AppResult<Option<&'static str>> {
    let refuse = |reason: String| -> AppResult<Option<&'static str>> { Err(Invalid::new("file", reason).into()) };
    let key = media.object_key();
    let Some(object) = state.blobs.head(&key).await.map_err(unavailable)? else {
        return Err(Invalid::new("media", "nothing was uploaded for this media yet").into());
    };
    if object.size != media.file_size {
        return refuse(format!("the upload is {} bytes, not the declared {}", object.size, media.file_size));
    }
    let stored_type = object.content_type.as_deref().map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    if stored_type.as_deref().is_some_and(|t| t != media.file_type) {
        return refuse(format!("the upload is not of the declared type {}", media.file_type));
    }
    if !media.is_image() {
        return Ok(None);
    }
    let whole = media.file_size <= MAX_THUMBNAIL_SOURCE;
    let bytes = state.blobs.read(&key, if whole { media.file_size as u64 } else { HEAD_BYTES }).await.map_err(unavailable)?;
    if !starts_like(&media.file_type, &bytes) {
        return refuse(format!("the upload is not a {} image", media.file_type));
    }
    if !whole {
        return Ok(None);
    }
    let file_type = media.file_type.clone();
    let made = tokio::task::spawn_blocking(move || thumbnail::make(&bytes, &file_type))
        .await
        .map_err(|e| AppError::Internal(format!("thumbnail task: {e}")))?;
    let thumbnail = match made {
        Ok(thumbnail) => thumbnail,
        Err(refused) => return refuse(refused.to_string()),
    };
    state.blobs.put(&media.thumbnail_key(), thumbnail.bytes, thumbnail.content_type).await.map_err(unavailable)?;
    Ok(Some(thumbnail.content_type))
}

/// Media the caller may see, with download URLs valid for 10 minutes: their own upload,
/// or media sent to a conversation they are in. Anything else is a 404.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, media_id = %raw_id))]
pub async fn view(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<MediaView> {
    let id = parse_id(raw_id)?;
    let media = store::media::by_id(&state.db, &caller.tenant_id, &id).await?.filter(Media::is_ready).ok_or(AppError::NotFound("media"))?;
    access::require_media_viewer(state, caller, &media).await?;
    let disposition = if media.is_image() { Disposition::Inline } else { Disposition::Attachment };
    let blobs = &state.blobs;
    let url = blobs.presign_get(&media.object_key(), &media.file_type, disposition, DOWNLOAD_TTL).await.map_err(unavailable)?;
    let thumbnail_url = match &media.thumbnail_type {
        Some(t) => Some(blobs.presign_get(&media.thumbnail_key(), t, Disposition::Inline, DOWNLOAD_TTL).await.map_err(unavailable)?),
        None => None,
    };
    let expires_at = chrono::Utc::now() + chrono::Duration::from_std(DOWNLOAD_TTL).unwrap_or_default();
    Ok(MediaView { media, url, thumbnail_url, expires_at })
}

/// The attachment of a message that names uploaded media: only the sender's own confirmed
/// media may be sent, and its file fields come from the upload, not from the request. A
/// forwarded copy keeps its original's attachment (the forwarder saw that message).
pub async fn attachment_for(state: &AppState, caller: &UserCaller, content: &Content) -> AppResult<Option<Attachment>> {
    let Some(raw_id) = &content.attachment.media_id else { return Ok(None) };
    if content.forwarded_from_id.is_some() {
        return Ok(None);
    }
    let refused = || Invalid::new("media_id", "must be media you uploaded and confirmed");
    let id = parse_field_id("media_id", raw_id)?;
    let media = store::media::by_id(&state.db, &caller.tenant_id, &id).await?.filter(Media::is_ready).ok_or_else(refused)?;
    access::require_own_media(caller, &media).map_err(|_| refused())?;
    match content.kind {
        MessageType::Image if !media.is_image() => return Err(Invalid::new("type", "this media is not an image; send it as a file").into()),
        MessageType::Image | MessageType::File => {}
        _ => return Err(Invalid::new("type", "a message with media_id is of type file or image").into()),
    }
    Ok(Some(Attachment {
        file_url: None,
        file_name: Some(media.file_name),
        file_size: Some(media.file_size),
        file_type: Some(media.file_type),
        media_id: Some(media.id),
    }))
}

/// After a message carrying `media_id` was deleted for everyone: the media goes when no
/// other message carries it. Failures are logged; the deletion itself stands.
pub async fn release(state: &AppState, tenant_id: &str, media_id: &str) {
    let result = async {
        if store::media::in_use(&state.db, media_id).await? {
            return Ok(());
        }
        match store::media::by_id(&state.db, tenant_id, media_id).await? {
            Some(media) => remove(state, &media).await,
            None => Ok(()),
        }
    };
    if let Err(error) = result.await {
        tracing::warn!(%error, media_id, "could not remove media no message refers to");
    }
}

/// Removes everything `user_id` uploaded, and takes it off the messages that carried it.
pub async fn remove_uploads_of(state: &AppState, tenant_id: &str, user_id: &str) -> AppResult<()> {
    for media in store::media::by_uploader(&state.db, tenant_id, user_id).await? {
        store::media::detach(&state.db, &media.id).await?;
        remove(state, &media).await?;
    }
    Ok(())
}

/// Deletes the objects, then the record (kept when the store fails, so a later sweep or
/// call tries again).
pub(crate) async fn remove(state: &AppState, media: &Media) -> AppResult<()> {
    state.blobs.delete(&media.thumbnail_key()).await.map_err(unavailable)?;
    state.blobs.delete(&media.object_key()).await.map_err(unavailable)?;
    store::media::delete(&state.db, &media.id).await?;
    Ok(())
}

/// Removes the objects of a refused upload; the record stays pending, so the client may
/// upload again while its URL works, and the sweep removes it otherwise.
async fn discard_objects(state: &AppState, media: &Media) {
    for key in [media.thumbnail_key(), media.object_key()] {
        if let Err(error) = state.blobs.delete(&key).await {
            tracing::warn!(%error, key, "could not remove a refused upload");
        }
    }
}
