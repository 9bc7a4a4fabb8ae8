//! `/v1/chat/conversations`: open, list, read, change and leave conversations.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, OpenApi};

use super::dto::conversations::*;
use super::dto::patched;
use super::envelope::{listed, parse_id, single, upserted, Created, Done, Listed, PageRequest, Single, Upserted};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::auth::UserCaller;
use crate::chat::{self, access, conversations::Scope};
use crate::domain::conversation::ListFilter;
use crate::domain::Invalid;
use crate::state::AppState;

#[derive(Default)]
pub struct ConversationsApi;

/// Sort order of the conversation list.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDto {
    /// Most recent activity first (default).
    #[oai(rename = "-updated_at")]
    UpdatedDesc,
    /// Oldest activity first.
    #[oai(rename = "updated_at")]
    UpdatedAsc,
}

/// Whose view a delete changes.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ScopeDto {
    /// Only the caller's (default).
    ForMe,
    /// Everyone's.
    ForEveryone,
}

impl From<ScopeDto> for Scope {
    fn from(s: ScopeDto) -> Self {
        match s {
            ScopeDto::ForMe => Scope::ForMe,
            ScopeDto::ForEveryone => Scope::ForEveryone,
        }
    }
}

/// One conversation with the listing's fields, as `caller` sees it.
async fn show(state: &AppState, caller: &UserCaller, id: &str) -> ApiResult<ConversationDto> {
    let view = chat::listing::show(state, caller, id).await?;
    Ok(ConversationDto::new(view, &caller.user.id))
}

#[OpenApi(prefix_path = "/v1/chat/conversations", tag = "ApiTags::Conversations")]
impl ConversationsApi {
    /// The caller's conversations, most recent activity first, each with its participants,
    /// last message and unread count.
    #[oai(path = "/", method = "get", operation_id = "conversations_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this kind.
        kind: Query<Option<ConversationKindDto>>,
        /// Only archived (`true`) or only not archived (`false`) ones.
        archived: Query<Option<bool>>,
        /// Direct conversations whose other participant's username or display name contains this.
        search_peer: Query<Option<String>>,
        /// Only threads of this shop.
        shop_id: Query<Option<String>>,
        /// `-updated_at` (default) or `updated_at`.
        sort: Query<Option<SortDto>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ConversationDto>> {
        let caller = auth.0;
        let page = PageRequest::new(page.0, per_page.0);
        let filter = ListFilter {
            kind: kind.0.map(Into::into),
            archived: archived.0,
            search_peer: search_peer.0.filter(|s| !s.trim().is_empty()).map(|s| s.trim().chars().take(100).collect()),
            oldest_first: sort.0 == Some(SortDto::UpdatedAsc),
            conversation_id: None,
            shop_id: shop_id.0.as_deref().map(|raw| parse_id("shop_id", raw)).transpose()?,
        };
        let (views, total) = chat::listing::list(&state, &caller, &filter, page.limit(), page.offset()).await?;
        Ok(listed(ConversationDto::many(views, &caller.user.id), page, total))
    }

    /// Open a conversation. `{user_id}` gets or creates the caller's direct conversation with
    /// that user (201 when created, 200 when it existed); `{kind: "shop", shop_id,
    /// initial_message?}` gets or creates the caller's thread with that shop's owner, sending
    /// `initial_message` only when it creates it (a shop's owner cannot open one with their
    /// own shop: 422); `{kind: "group", name, participant_ids}` creates a group owned by the
    /// caller. Each call is limited per user, per API key and per client address (the
    /// tenant's `rate_limits.conversations`; a shop thread's first message comes with it):
    /// over a limit the answer is 429 `rate_limited` and nothing is created.
    #[oai(path = "/", method = "post", operation_id = "conversations_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateConversationRequest>,
    ) -> ApiResult<Upserted<ConversationDto>> {
        let caller = auth.0;
        let body = body.0;
        let kind = body.kind.unwrap_or(if body.user_id.is_some() {
            ConversationKindDto::Direct
        } else if body.shop_id.is_some() {
            ConversationKindDto::Shop
        } else {
            ConversationKindDto::Group
        });
        if body.initial_message.is_some() && kind != ConversationKindDto::Shop {
            return Err(Invalid::new("initial_message", "is only for shop threads").into());
        }
        let (row, created) = match kind {
            ConversationKindDto::Direct => {
                let other = body.user_id.as_deref().ok_or_else(|| Invalid::new("user_id", "is required for a direct conversation"))?;
                chat::conversations::open_direct(&state, &caller, other).await?
            }
            ConversationKindDto::Group => {
                let name = body.name.as_deref().ok_or_else(|| Invalid::new("name", "is required for a group"))?;
                let ids = body.participant_ids.unwrap_or_default();
                (chat::conversations::create_group(&state, &caller, name, body.description.as_deref(), &ids).await?, true)
            }
            ConversationKindDto::Shop => {
                let shop_id = body.shop_id.as_deref().ok_or_else(|| Invalid::new("shop_id", "is required for a shop thread"))?;
                chat::conversations::open_shop(&state, &caller, shop_id, body.initial_message.as_deref()).await?
            }
            ConversationKindDto::Ticket => {
                return Err(Invalid::new("kind", "tickets are opened with POST /v1/tickets").into());
            }
        };
        Ok(upserted(show(&state, &caller, &row.id).await?, created))
    }

    /// The existing conversation of two users: their direct conversation, or with `shop_id`
    /// their thread about that shop (one of them its owner). The caller must be one of the
    /// two (403); 404 when there is none.
    #[oai(path = "/lookup", method = "get", operation_id = "conversations_lookup")]
    async fn lookup(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The two users' ids, separated by a comma.
        participants: Query<String>,
        /// The shop the thread is about.
        shop_id: Query<Option<String>>,
    ) -> ApiResult<Single<ConversationDto>> {
        let caller = auth.0;
        let row = chat::conversations::lookup(&state, &caller, &participants.0, shop_id.0.as_deref()).await?;
        Ok(single(show(&state, &caller, &row.id).await?))
    }

    /// Unread counts of the caller's conversations and their total.
    #[oai(path = "/unread", method = "get", operation_id = "conversations_unread")]
    async fn unread(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Single<UnreadDto>> {
        let caller = auth.0;
        let rows = chat::participants::unread(&state, &caller).await?;
        let total = rows.iter().map(|(_, n)| n).sum();
        let conversations = rows.into_iter().map(|(conversation_id, unread_count)| UnreadEntry { conversation_id, unread_count }).collect();
        Ok(single(UnreadDto { total, conversations }))
    }

    /// One conversation of the caller.
    #[oai(path = "/:id", method = "get", operation_id = "conversations_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Single<ConversationDto>> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        Ok(single(show(&state, &auth.0, membership.id()).await?))
    }

    /// Rename or describe a group (its owners and admins).
    #[oai(path = "/:id", method = "patch", operation_id = "conversations_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        body: Json<UpdateConversationRequest>,
    ) -> ApiResult<Single<ConversationDto>> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        let description = patched(&body.description);
        chat::conversations::update_details(&state, &auth.0, &membership, body.name.as_deref(), description).await?;
        Ok(single(show(&state, &auth.0, membership.id()).await?))
    }

    /// Delete for the caller (`scope=for_me`, default: hides history so far) or for everyone
    /// (`scope=for_everyone`: group owners and admins, moderators and up).
    #[oai(path = "/:id", method = "delete", operation_id = "conversations_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        /// `for_me` (default) or `for_everyone`.
        scope: Query<Option<ScopeDto>>,
    ) -> ApiResult<Done> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        chat::conversations::delete(&state, &auth.0, &membership, scope.0.unwrap_or(ScopeDto::ForMe).into()).await?;
        Ok(Done::NoContent)
    }

    /// The current participants.
    #[oai(path = "/:id/participants", method = "get", operation_id = "conversations_participants_list")]
    async fn participants(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Single<Vec<ParticipantDto>>> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        let members = chat::participants::members(&state, &membership).await?;
        Ok(single(members.into_iter().map(ParticipantDto::from).collect()))
    }

    /// Add participants to a group (its owners and admins).
    #[oai(path = "/:id/participants", method = "post", operation_id = "conversations_participants_add")]
    async fn add_participants(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        body: Json<AddParticipantsRequest>,
    ) -> ApiResult<Created<ConversationDto>> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        chat::participants::add_participants(&state, &auth.0, &membership, &body.user_ids).await?;
        Ok(super::envelope::created(show(&state, &auth.0, membership.id()).await?))
    }

    /// Make a participant of a group an `admin` or a plain `member` (the group's owner).
    #[oai(path = "/:id/participants/:user_id", method = "patch", operation_id = "conversations_participants_set_role")]
    async fn set_participant_role(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        /// The participant's user id.
        user_id: Path<String>,
        body: Json<ParticipantRoleRequest>,
    ) -> ApiResult<Single<Vec<ParticipantDto>>> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        chat::participants::set_participant_role(&state, &auth.0, &membership, &user_id.0, body.role.into()).await?;
        let members = chat::participants::members(&state, &membership).await?;
        Ok(single(members.into_iter().map(ParticipantDto::from).collect()))
    }

    /// Remove a participant from a group, or leave it when `user_id` is the caller.
    #[oai(path = "/:id/participants/:user_id", method = "delete", operation_id = "conversations_participants_remove")]
    async fn remove_participant(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        /// The participant's user id.
        user_id: Path<String>,
    ) -> ApiResult<Done> {
        let membership = access::member(&state, &auth.0, &id.0).await?;
        chat::participants::remove_participant(&state, &auth.0, &membership, &user_id.0).await?;
        Ok(Done::NoContent)
    }
}
