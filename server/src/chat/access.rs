//! Who may see and act in a conversation, decided in one place: the membership checks, the
//! group management rules and the per-user permissions on conversations.

use crate::auth::UserCaller;
use crate::domain::conversation::{Conversation, ConversationKind, Flag, MemberRole, Participant, Recipient};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

/// A conversation and the caller's current membership in it.
#[derive(Debug, Clone)]
pub struct Membership {
    pub conversation: Conversation,
    pub participant: Participant,
    /// The other current members, when they were read with the membership (`member_to_send`).
    pub recipients: Option<Vec<Recipient>>,
}

impl Membership {
    pub fn kind(&self) -> ConversationKind {
        self.conversation.kind
    }

    pub fn member_role(&self) -> MemberRole {
        self.participant.role
    }

    pub fn id(&self) -> &str {
        &self.conversation.id
    }
}

/// The conversation `raw_id` of the caller's tenant (404 otherwise), of which the caller must
/// be a current participant (403 otherwise). Support agents (staff and up) may enter every
/// ticket conversation of their tenant: the first visit makes them a participant, so they
/// get its messages, read state and unread count like anyone in it.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %raw_id))]
pub async fn member(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Membership> {
    let id = crate::domain::parse_id(raw_id)?;
    // The common case, a current member, takes one query; the rest sorts out 404 from 403.
    if let Some((conversation, participant)) = store::participants::membership(&state.db, &caller.tenant_id, &id, &caller.user.id).await? {
        if participant.is_member() {
            return Ok(Membership { conversation, participant, recipients: None });
        }
    }
    let conversation = store::conversations::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("conversation"))?;
    let mut participant = store::participants::participant(&state.db, &id, &caller.user.id).await?.filter(Participant::is_member);
    if participant.is_none() && conversation.kind == ConversationKind::Ticket && caller.role.is_agent() {
        store::participants::add_members(&state.db, &caller.tenant_id, &id, std::slice::from_ref(&caller.user.id)).await?;
        participant = store::participants::participant(&state.db, &id, &caller.user.id).await?;
    }
    let participant = participant.ok_or_else(|| AppError::forbidden("you are not a participant of this conversation"))?;
    Ok(Membership { conversation, participant, recipients: None })
}

/// `member` for a send: a current member's membership comes with the conversation's other
/// current members, read in the same query, so the send need not read them again.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %raw_id))]
pub async fn member_to_send(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Membership> {
    let id = crate::domain::parse_id(raw_id)?;
    let found = store::participants::membership_with_recipients(&state.db, &caller.tenant_id, &id, &caller.user.id).await?;
    match found {
        Some((conversation, participant, others)) if participant.is_member() => {
            Ok(Membership { conversation, participant, recipients: Some(others) })
        }
        _ => member(state, caller, raw_id).await,
    }
}

/// Group owners and admins manage a group; moderators and up manage any conversation.
pub fn require_manager(caller: &UserCaller, membership: &Membership) -> AppResult<()> {
    if caller.role.at_least(Role::Moderator) || (membership.kind() == ConversationKind::Group && membership.member_role().manages()) {
        Ok(())
    } else {
        Err(AppError::forbidden("only the group's owners and admins may do this"))
    }
}

pub fn require_group(membership: &Membership) -> AppResult<()> {
    if membership.kind() == ConversationKind::Group {
        Ok(())
    } else {
        Err(crate::domain::Invalid::new("conversation", "only groups have this").into())
    }
}

/// Muting is everyone's; archiving needs the `can_archive_conversation` permission.
pub fn require_flag_allowed(caller: &UserCaller, flag: Flag) -> AppResult<()> {
    if flag == Flag::Archived && !caller.user.permissions.can_archive_conversation {
        return Err(AppError::forbidden("you may not archive conversations"));
    }
    Ok(())
}

/// A message of the caller's tenant that the caller sees: they are a current member of its
/// conversation and have not hidden it (deleted it for themselves or cleared past it).
/// Anything else is a 404, so an outsider learns nothing of whether the message exists.
pub async fn seen_message(state: &AppState, caller: &UserCaller, message_id: &str) -> AppResult<crate::domain::message::Message> {
    let message = store::messages::by_id(&state.db, &caller.tenant_id, message_id).await?.ok_or(AppError::NotFound("message"))?;
    let membership = store::participants::membership(&state.db, &caller.tenant_id, &message.conversation_id, &caller.user.id).await?;
    let seen = match membership {
        Some((_, participant)) if participant.is_member() && message.seq > participant.cleared_before_seq => {
            !store::hidden::is_hidden(&state.db, &message.id, &caller.user.id).await?
        }
        _ => false,
    };
    if seen {
        Ok(message)
    } else {
        Err(AppError::NotFound("message"))
    }
}

/// Uploading media is for sending it: it needs the `can_send_message` permission.
pub fn require_uploader(caller: &UserCaller) -> AppResult<()> {
    if caller.user.permissions.can_send_message {
        Ok(())
    } else {
        Err(AppError::forbidden("you may not send messages"))
    }
}

/// Media only its uploader confirms and sends; to anyone else it does not exist (404).
pub fn require_own_media(caller: &UserCaller, media: &crate::domain::media::Media) -> AppResult<()> {
    if media.uploader_id == caller.user.id {
        Ok(())
    } else {
        Err(AppError::NotFound("media"))
    }
}

/// Media the caller may open: their own upload, or media sent to a conversation they are a
/// current member of, in a message they still see. Anything else is a 404, so an outsider
/// learns nothing of whether the media exists.
pub async fn require_media_viewer(state: &AppState, caller: &UserCaller, media: &crate::domain::media::Media) -> AppResult<()> {
    if media.uploader_id == caller.user.id || store::media::seen_by(&state.db, &media.id, &caller.user.id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("media"))
    }
}
