//! `/v1/chat/media`: upload URLs, confirmation (and sending), and signed URLs to fetch
//! media. The bytes go straight between the client and the blob store.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::media::{ConfirmMediaRequest, ConfirmedMediaDto, MediaDto, MediaUrlsDto, UploadUrlDto, UploadUrlRequest};
use super::dto::messages::MessageDto;
use super::envelope::{created, single, Created, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat;
use crate::media;
use crate::state::AppState;

#[derive(Default)]
pub struct MediaApi;

#[OpenApi(prefix_path = "/v1/chat/media", tag = "ApiTags::Media")]
impl MediaApi {
    /// An upload URL (201) for a file of a type the tenant allows and within its maximum
    /// size (else 422). Upload the bytes with `method` and exactly the returned `headers`
    /// within 15 minutes, then `confirm`. Uploads never confirmed are removed after a day.
    /// Each URL takes one write from the tenant's `rate_limits.uploads` (429 `rate_limited`);
    /// 503 `unavailable` when media storage cannot be reached.
    #[oai(path = "/upload-url", method = "post", operation_id = "media_upload_url")]
    async fn upload_url(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<UploadUrlRequest>) -> ApiResult<Created<UploadUrlDto>> {
        let caller = auth.0;
        let uploading = media::upload_url(&state, &caller, &body.file_name, &body.file_type, body.file_size).await?;
        Ok(created(UploadUrlDto::from(uploading)))
    }

    /// Confirm an upload (the uploader only): the object must exist with the declared size
    /// and type, and an image must start like its type and decode within bounded size; else
    /// 422 and the uploaded object is removed. Images get a thumbnail. With
    /// `conversation_id`, the media is also sent there as an `image` or `file` message with
    /// `body` as its caption. Confirming again changes nothing.
    #[oai(path = "/:id/confirm", method = "post", operation_id = "media_confirm")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The media's id.
        id: Path<String>,
        body: Json<Option<ConfirmMediaRequest>>,
    ) -> ApiResult<Single<ConfirmedMediaDto>> {
        let caller = auth.0;
        let request = body.0.unwrap_or_default();
        let Some(conversation_id) = request.conversation_id else {
            let media = media::confirm(&state, &caller, &id.0).await?;
            return Ok(single(ConfirmedMediaDto { media: MediaDto::from(&media), message: None }));
        };
        let (media, message, created) =
            media::confirm_and_send(&state, &caller, &id.0, &conversation_id, request.body, request.client_msg_id).await?;
        let view = chat::history::render_sent(&state, &caller.user.id, message, created).await?;
        Ok(single(ConfirmedMediaDto { media: MediaDto::from(&media), message: Some(MessageDto::from(view)) }))
    }

    /// Confirmed media with signed URLs of the file and its thumbnail, valid for 10
    /// minutes: for its uploader and the current participants of conversations it was sent
    /// to; 404 for anyone else.
    #[oai(path = "/:id", method = "get", operation_id = "media_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The media's id.
        id: Path<String>,
    ) -> ApiResult<Single<MediaUrlsDto>> {
        let view = media::view(&state, &auth.0, &id.0).await?;
        Ok(single(MediaUrlsDto::from(view)))
    }
}
