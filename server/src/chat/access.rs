//! Who may see and act in a conversation, decided in one place.

use crate::auth::UserCaller;
use crate::domain::conversation::{ConversationKind, MemberRole};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, conversations::ConversationRow, conversations::ParticipantRow};

/// A conversation and the caller's current membership in it.
#[derive(Debug, Clone)]
pub struct Membership {
    pub conversation: ConversationRow,
    pub participant: ParticipantRow,
    pub kind: ConversationKind,
}

impl Membership {
    fn new(conversation: ConversationRow, participant: ParticipantRow) -> AppResult<Self> {
        let kind = Self::kind_of(&conversation)?;
        Ok(Membership { conversation, participant, kind })
    }

    fn kind_of(conversation: &ConversationRow) -> AppResult<ConversationKind> {
        ConversationKind::parse(&conversation.kind)
            .ok_or_else(|| AppError::Internal(format!("conversation {} has unknown kind", conversation.id)))
    }

    pub fn member_role(&self) -> MemberRole {
        MemberRole::parse(&self.participant.role)
    }

    pub fn id(&self) -> &str {
        &self.conversation.id
    }
}

/// Checks that an id from a request is a ULID; junk is a 400, not a lookup.
pub fn parse_id(raw: &str) -> AppResult<String> {
    ulid::Ulid::from_string(raw).map(|id| id.to_string()).map_err(|_| AppError::BadRequest(format!("{raw:?} is not a valid id")))
}

/// The conversation `raw_id` of the caller's tenant (404 otherwise), of which the caller must
/// be a current participant (403 otherwise). Support agents (staff and up) may enter every
/// ticket conversation of their tenant: the first visit makes them a participant, so they
/// get its messages, read state and unread count like anyone in it.
pub async fn member(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Membership> {
    let id = parse_id(raw_id)?;
    // The common case, a current member, takes one query; the rest sorts out 404 from 403.
    if let Some(row) = store::conversations::membership(&state.db, &caller.tenant_id, &id, &caller.user.id).await? {
        if row.participant.is_member() {
            return Membership::new(row.conversation, row.participant);
        }
    }
    let conversation = store::conversations::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("conversation"))?;
    let kind = Membership::kind_of(&conversation)?;
    let mut participant = store::conversations::participant(&state.db, &id, &caller.user.id).await?.filter(ParticipantRow::is_member);
    if participant.is_none() && kind == ConversationKind::Ticket && caller.role.is_agent() {
        store::conversations::add_members(&state.db, &caller.tenant_id, &id, std::slice::from_ref(&caller.user.id)).await?;
        participant = store::conversations::participant(&state.db, &id, &caller.user.id).await?;
    }
    let participant = participant.ok_or_else(|| AppError::forbidden("you are not a participant of this conversation"))?;
    Membership::new(conversation, participant)
}

/// Group owners and admins manage a group; moderators and up manage any conversation.
pub fn require_manager(caller: &UserCaller, membership: &Membership) -> AppResult<()> {
    if caller.role.at_least(Role::Moderator) || (membership.kind == ConversationKind::Group && membership.member_role().manages()) {
        Ok(())
    } else {
        Err(AppError::forbidden("only the group's owners and admins may do this"))
    }
}

pub fn require_group(membership: &Membership) -> AppResult<()> {
    if membership.kind == ConversationKind::Group {
        Ok(())
    } else {
        Err(crate::domain::Invalid::new("conversation", "only groups have this").into())
    }
}
