//! Who is in a conversation, and each participant's own state in it: read position,
//! typing, mute and archive.

use super::access::{self, Membership};
use super::conversations::addable_users;
use super::{notify, notify_members};
use crate::auth::UserCaller;
use crate::bus::Event;
use crate::domain::conversation::{Flag, Member, MemberRole};
use crate::domain::parse_field_id;
use crate::domain::{Invalid, Role};
use crate::error::{AppError, AppResult};
use crate::events::{Change, ConversationUpdated, Payload, ReadReceipt, Typing};
use crate::state::AppState;
use crate::store;

fn updated(membership: &Membership, change: Change) -> Payload {
    Payload::ConversationUpdated(ConversationUpdated { conversation_id: membership.id().to_owned(), change })
}

/// The current participants, longest-standing first.
#[tracing::instrument(skip_all, fields(conversation_id = %membership.id()))]
pub async fn members(state: &AppState, membership: &Membership) -> AppResult<Vec<Member>> {
    Ok(store::participants::members_of(&state.db, &[membership.id().to_owned()]).await?)
}

/// Adds users to a group (its owners and admins, moderators and up).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn add_participants(state: &AppState, caller: &UserCaller, membership: &Membership, ids: &[String]) -> AppResult<()> {
    access::require_group(membership)?;
    access::require_manager(caller, membership)?;
    let users = addable_users(state, caller, ids).await?;
    let user_ids: Vec<String> = users.into_iter().map(|u| u.id).collect();
    store::participants::add_members(&state.db, &caller.tenant_id, membership.id(), &user_ids).await?;
    notify_members(state, &caller.tenant_id, membership.id(), updated(membership, Change::ParticipantsAdded { user_ids })).await;
    Ok(())
}

/// Removes a participant, or leaves when it is the caller. An owner who leaves hands the
/// group to the longest-standing remaining member.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id(), target_id = %user_id))]
pub async fn remove_participant(state: &AppState, caller: &UserCaller, membership: &Membership, user_id: &str) -> AppResult<()> {
    access::require_group(membership)?;
    let user_id = parse_field_id("user_id", user_id)?;
    let leaving = user_id == caller.user.id;
    if !leaving {
        access::require_manager(caller, membership)?;
        let target = store::participants::participant(&state.db, membership.id(), &user_id)
            .await?
            .filter(|p| p.is_member())
            .ok_or(AppError::NotFound("participant"))?;
        if target.role >= membership.member_role() && !caller.role.at_least(Role::Moderator) {
            return Err(AppError::forbidden("you cannot remove a participant of equal or higher standing"));
        }
    }
    // Tell the leaver too, before the membership ends.
    let change = Change::ParticipantRemoved { user_id: user_id.clone() };
    notify_members(state, &caller.tenant_id, membership.id(), updated(membership, change)).await;
    if !store::participants::remove_member(&state.db, membership.id(), &user_id).await? {
        return Err(AppError::NotFound("participant"));
    }
    if leaving && membership.member_role() == MemberRole::Owner {
        let remaining = store::participants::members_of(&state.db, &[membership.id().to_owned()]).await?;
        if !remaining.iter().any(|m| m.role == MemberRole::Owner) {
            if let Some(heir) = remaining.first() {
                store::participants::set_member_role(&state.db, membership.id(), &heir.user_id, MemberRole::Owner).await?;
            }
        }
    }
    Ok(())
}

/// Makes a participant an `admin` or a plain `member` (group owners only).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id(), target_id = %user_id))]
pub async fn set_participant_role(
    state: &AppState,
    caller: &UserCaller,
    membership: &Membership,
    user_id: &str,
    role: MemberRole,
) -> AppResult<()> {
    access::require_group(membership)?;
    if membership.member_role() != MemberRole::Owner && !caller.role.at_least(Role::Moderator) {
        return Err(AppError::forbidden("only the group's owner may change roles"));
    }
    if role == MemberRole::Owner {
        return Err(Invalid::new("role", "must be admin or member").into());
    }
    let user_id = parse_field_id("user_id", user_id)?;
    let target = store::participants::participant(&state.db, membership.id(), &user_id)
        .await?
        .filter(|p| p.is_member())
        .ok_or(AppError::NotFound("participant"))?;
    if target.role == MemberRole::Owner {
        return Err(AppError::forbidden("the owner's role cannot be changed"));
    }
    store::participants::set_member_role(&state.db, membership.id(), &user_id, role).await?;
    notify_members(state, &caller.tenant_id, membership.id(), updated(membership, Change::ParticipantRole { user_id, role })).await;
    Ok(())
}

/// Tells the other participants the caller is typing.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn typing(state: &AppState, caller: &UserCaller, membership: &Membership) {
    let payload = Payload::Typing(Typing { conversation_id: membership.id().to_owned(), user_id: caller.user.id.clone() });
    notify_members(state, &caller.tenant_id, membership.id(), payload).await;
}

/// Moves the caller's read position forward to `up_to` (default: the newest message,
/// never past it) and sends a read receipt; returns the position in force.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn mark_read(state: &AppState, caller: &UserCaller, membership: &Membership, up_to: Option<i64>) -> AppResult<i64> {
    let last = membership.conversation.last_seq;
    let up_to = up_to.unwrap_or(last);
    if up_to < 0 {
        return Err(Invalid::new("up_to_seq", "must not be negative").into());
    }
    let up_to_seq = store::participants::mark_read(&state.db, membership.id(), &caller.user.id, up_to.min(last)).await?;
    let receipt = ReadReceipt { conversation_id: membership.id().to_owned(), user_id: caller.user.id.clone(), up_to_seq };
    notify_members(state, &caller.tenant_id, membership.id(), Payload::ReadReceipt(receipt)).await;
    Ok(up_to_seq)
}

/// Turns the caller's own mute or archive switch on or off. Only the caller's other
/// devices hear of it.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn set_flag(state: &AppState, caller: &UserCaller, membership: &Membership, flag: Flag, on: bool) -> AppResult<()> {
    access::require_flag_allowed(caller, flag)?;
    store::participants::set_flag(&state.db, membership.id(), &caller.user.id, flag, on).await?;
    let change = match flag {
        Flag::Muted => Change::Muted { value: on },
        Flag::Archived => Change::Archived { value: on },
    };
    notify(state, Event::new(&caller.tenant_id, vec![caller.user.id.clone()], &updated(membership, change))).await;
    Ok(())
}

/// Unread counts of the caller's conversations that have any, most recent activity first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn unread(state: &AppState, caller: &UserCaller) -> AppResult<Vec<(String, i64)>> {
    Ok(store::listing::unread_for_user(&state.db, &caller.tenant_id, &caller.user.id).await?)
}
