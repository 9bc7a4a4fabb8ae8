//! Opening, changing and leaving conversations.

use serde_json::json;

use super::access::{self, Membership};
use super::{messages, notify_members};
use crate::auth::UserCaller;
use crate::domain::conversation::{direct_key, group_name, shop_key, ConversationKind, MemberRole, MessageType};
use crate::domain::User;
use crate::domain::{Invalid, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, conversations::ConversationRow};

/// Most users one request may add to a group.
pub const MAX_NEW_MEMBERS: usize = 100;

/// Loads users of the caller's tenant who may be added to conversations.
async fn addable_users(state: &AppState, caller: &UserCaller, ids: &[String]) -> AppResult<Vec<User>> {
    if ids.len() > MAX_NEW_MEMBERS {
        return Err(Invalid::new("participant_ids", format!("at most {MAX_NEW_MEMBERS} at once")).into());
    }
    let mut users = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = access::parse_id(raw)?;
        let user = store::users::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("user"))?;
        if !user.permissions.can_receive_message {
            return Err(AppError::forbidden(format!("user {id} cannot receive messages")));
        }
        users.push(user);
    }
    Ok(users)
}

/// The caller's one direct conversation with `other_id`; `true` when created now.
pub async fn open_direct(state: &AppState, caller: &UserCaller, other_id: &str) -> AppResult<(ConversationRow, bool)> {
    let other_id = access::parse_id(other_id)?;
    if other_id == caller.user.id {
        return Err(Invalid::new("user_id", "you cannot start a conversation with yourself").into());
    }
    let other = addable_users(state, caller, std::slice::from_ref(&other_id)).await?.remove(0);
    let key = direct_key(&caller.user.id, &other.id);
    let kind = ConversationKind::Direct.as_str();
    Ok(store::conversations::get_or_create_pair(&state.db, &caller.tenant_id, kind, None, &caller.user.id, &other.id, &key).await?)
}

/// The caller's one thread with the owner of shop `shop_id`; `true` when created now, and
/// then `initial_message`, if any, is its first message. Checked before anything is
/// created, so a refused message leaves no empty thread behind.
pub async fn open_shop(
    state: &AppState,
    caller: &UserCaller,
    shop_id: &str,
    initial_message: Option<&str>,
) -> AppResult<(ConversationRow, bool)> {
    let shop = super::shops::visible(state, caller, shop_id).await?;
    if shop.owner_id == caller.user.id {
        return Err(Invalid::new("shop_id", "you cannot open a thread with your own shop").into());
    }
    addable_users(state, caller, std::slice::from_ref(&shop.owner_id)).await?;
    if let Some(body) = initial_message {
        messages::check_sendable(state, caller, body, MessageType::Text).await?;
        messages::check_reachable(state, caller, &shop.owner_id).await?;
    }
    let key = shop_key(&shop.id, &caller.user.id);
    let kind = ConversationKind::Shop.as_str();
    let (row, created) =
        store::conversations::get_or_create_pair(&state.db, &caller.tenant_id, kind, Some(&shop.id), &caller.user.id, &shop.owner_id, &key)
            .await?;
    if let (true, Some(body)) = (created, initial_message) {
        let membership = access::member(state, caller, &row.id).await?;
        let input = messages::SendInput { body: body.to_owned(), ..messages::SendInput::default() };
        messages::send(state, caller, &membership, input).await?;
    }
    Ok((row, created))
}

/// The existing direct conversation of the two users `participants` names (their ids,
/// separated by a comma), or with `shop_id` their thread about that shop (one of them its
/// owner). The caller must be one of the two (403), and nothing found is a 404.
pub async fn lookup(state: &AppState, caller: &UserCaller, participants: &str, shop_id: Option<&str>) -> AppResult<ConversationRow> {
    let ids = participants.split(',').map(|raw| access::parse_id(raw.trim())).collect::<AppResult<Vec<_>>>()?;
    let [a, b] = ids.as_slice() else {
        return Err(Invalid::new("participants", "name exactly two users, separated by a comma").into());
    };
    if a == b {
        return Err(Invalid::new("participants", "name two different users").into());
    }
    if *a != caller.user.id && *b != caller.user.id {
        return Err(AppError::forbidden("you can only look up conversations you are part of"));
    }
    let key = match shop_id {
        None => direct_key(a, b),
        Some(shop_id) => {
            let shop = super::shops::visible(state, caller, shop_id).await?;
            let buyer = if shop.owner_id == *a {
                b
            } else if shop.owner_id == *b {
                a
            } else {
                return Err(AppError::NotFound("conversation"));
            };
            shop_key(&shop.id, buyer)
        }
    };
    store::conversations::by_key(&state.db, &caller.tenant_id, &key).await?.ok_or(AppError::NotFound("conversation"))
}

/// A new group with the caller as owner.
pub async fn create_group(
    state: &AppState,
    caller: &UserCaller,
    name: &str,
    description: Option<&str>,
    participant_ids: &[String],
) -> AppResult<ConversationRow> {
    let name = group_name(name)?;
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    let mut members = vec![(caller.user.id.clone(), MemberRole::Owner.as_str())];
    for user in addable_users(state, caller, participant_ids).await? {
        if !members.iter().any(|(id, _)| *id == user.id) {
            members.push((user.id, MemberRole::Member.as_str()));
        }
    }
    Ok(store::conversations::create(
        &state.db,
        &caller.tenant_id,
        ConversationKind::Group.as_str(),
        Some(&name),
        description,
        &caller.user.id,
        &members,
    )
    .await?)
}

pub async fn add_participants(state: &AppState, caller: &UserCaller, membership: &Membership, ids: &[String]) -> AppResult<()> {
    access::require_group(membership)?;
    access::require_manager(caller, membership)?;
    let users = addable_users(state, caller, ids).await?;
    let ids: Vec<String> = users.into_iter().map(|u| u.id).collect();
    store::conversations::add_members(&state.db, &caller.tenant_id, membership.id(), &ids).await?;
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "conversation_updated",
        json!({
            "conversation_id": membership.id(), "change": "participants_added", "user_ids": ids,
        }),
    )
    .await;
    Ok(())
}

/// Removes a participant, or leaves when it is the caller. An owner who leaves hands the
/// group to the longest-standing remaining member.
pub async fn remove_participant(state: &AppState, caller: &UserCaller, membership: &Membership, user_id: &str) -> AppResult<()> {
    access::require_group(membership)?;
    let user_id = access::parse_id(user_id)?;
    let leaving = user_id == caller.user.id;
    if !leaving {
        access::require_manager(caller, membership)?;
        let target = store::conversations::participant(&state.db, membership.id(), &user_id)
            .await?
            .filter(|p| p.is_member())
            .ok_or(AppError::NotFound("participant"))?;
        let target_role = MemberRole::parse(&target.role);
        if target_role >= membership.member_role() && !caller.role.at_least(Role::Moderator) {
            return Err(AppError::forbidden("you cannot remove a participant of equal or higher standing"));
        }
    }
    // Tell the leaver too, before the membership ends.
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "conversation_updated",
        json!({
            "conversation_id": membership.id(), "change": "participant_removed", "user_id": user_id,
        }),
    )
    .await;
    if !store::conversations::remove_member(&state.db, membership.id(), &user_id).await? {
        return Err(AppError::NotFound("participant"));
    }
    if leaving && membership.member_role() == MemberRole::Owner {
        let remaining = store::conversations::members_of(&state.db, &[membership.id().to_owned()]).await?;
        if !remaining.iter().any(|m| m.role == MemberRole::Owner.as_str()) {
            if let Some(heir) = remaining.first() {
                store::conversations::set_member_role(&state.db, membership.id(), &heir.user_id, MemberRole::Owner.as_str()).await?;
            }
        }
    }
    Ok(())
}

/// Makes a participant an `admin` or a plain `member` (group owners only).
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
    let user_id = access::parse_id(user_id)?;
    let target = store::conversations::participant(&state.db, membership.id(), &user_id)
        .await?
        .filter(|p| p.is_member())
        .ok_or(AppError::NotFound("participant"))?;
    if MemberRole::parse(&target.role) == MemberRole::Owner {
        return Err(AppError::forbidden("the owner's role cannot be changed"));
    }
    store::conversations::set_member_role(&state.db, membership.id(), &user_id, role.as_str()).await?;
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "conversation_updated",
        json!({
            "conversation_id": membership.id(), "change": "participant_role", "user_id": user_id, "role": role.as_str(),
        }),
    )
    .await;
    Ok(())
}

pub async fn update_details(
    state: &AppState,
    caller: &UserCaller,
    membership: &Membership,
    name: Option<&str>,
    description: Option<Option<&str>>,
) -> AppResult<ConversationRow> {
    access::require_group(membership)?;
    access::require_manager(caller, membership)?;
    let name = match name {
        Some(raw) => Some(group_name(raw)?),
        None => membership.conversation.name.clone(),
    };
    let description = match description {
        Some(d) => d.map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned),
        None => membership.conversation.description.clone(),
    };
    let row = store::conversations::update_details(&state.db, membership.id(), name.as_deref(), description.as_deref()).await?;
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "conversation_updated",
        json!({
            "conversation_id": membership.id(), "change": "details", "name": row.name, "description": row.description,
        }),
    )
    .await;
    Ok(row)
}

/// Whose view a delete changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    ForMe,
    ForEveryone,
}

pub async fn delete(state: &AppState, caller: &UserCaller, membership: &Membership, scope: Scope) -> AppResult<()> {
    match scope {
        Scope::ForMe => {
            store::conversations::clear_for(&state.db, membership.id(), &caller.user.id, membership.conversation.last_seq).await?;
        }
        Scope::ForEveryone => {
            access::require_manager(caller, membership)?;
            notify_members(
                state,
                &caller.tenant_id,
                membership.id(),
                "conversation_updated",
                json!({
                    "conversation_id": membership.id(), "change": "deleted",
                }),
            )
            .await;
            store::conversations::delete_for_everyone(&state.db, membership.id()).await?;
        }
    }
    Ok(())
}

/// Tells the other participants the caller is typing.
pub async fn typing(state: &AppState, caller: &UserCaller, membership: &Membership) {
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "typing",
        json!({
            "conversation_id": membership.id(), "user_id": caller.user.id,
        }),
    )
    .await;
}

/// Moves the caller's read position forward to `up_to` (default: the newest message,
/// never past it) and sends a read receipt; returns the position in force.
pub async fn mark_read(state: &AppState, caller: &UserCaller, membership: &Membership, up_to: Option<i64>) -> AppResult<i64> {
    let last = membership.conversation.last_seq;
    let up_to = up_to.unwrap_or(last);
    if up_to < 0 {
        return Err(Invalid::new("up_to_seq", "must not be negative").into());
    }
    let position = store::conversations::mark_read(&state.db, membership.id(), &caller.user.id, up_to.min(last)).await?;
    notify_members(
        state,
        &caller.tenant_id,
        membership.id(),
        "read_receipt",
        json!({
            "conversation_id": membership.id(), "user_id": caller.user.id, "up_to_seq": position,
        }),
    )
    .await;
    Ok(position)
}
