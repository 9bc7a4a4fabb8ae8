//! Opening, changing and deleting conversations. Who is in them and each participant's own
//! state is in `participants`.

use super::access::{self, Membership};
use super::{messages, notify_members};
use crate::auth::UserCaller;
use crate::domain::conversation::{
    direct_key, group_description, group_name, shop_key, Conversation, ConversationKind, MemberRole, MessageType,
};
use crate::domain::message::Content;
use crate::domain::parse_field_id;
use crate::domain::User;
use crate::domain::{Invalid, WriteKind};
use crate::error::{AppError, AppResult};
use crate::events::{Change, ConversationUpdated, Payload};
use crate::state::AppState;
use crate::store;
use crate::throttle;

/// Most users one request may add to a group.
pub const MAX_NEW_MEMBERS: usize = 100;

/// Loads users of the caller's tenant who may be added to conversations.
pub(super) async fn addable_users(state: &AppState, caller: &UserCaller, ids: &[String]) -> AppResult<Vec<User>> {
    if ids.len() > MAX_NEW_MEMBERS {
        return Err(Invalid::new("participant_ids", format!("at most {MAX_NEW_MEMBERS} at once")).into());
    }
    let mut users = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = parse_field_id("participant_ids", raw)?;
        let user = store::users::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("user"))?;
        if !user.permissions.can_receive_message {
            return Err(AppError::forbidden(format!("user {id} cannot receive messages")));
        }
        users.push(user);
    }
    Ok(users)
}

/// The caller's one direct conversation with `other_id`; `true` when created now.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, other_id = %other_id))]
pub async fn open_direct(state: &AppState, caller: &UserCaller, other_id: &str) -> AppResult<(Conversation, bool)> {
    throttle::take(state, caller, WriteKind::Conversation).await?;
    let other_id = parse_field_id("user_id", other_id)?;
    if other_id == caller.user.id {
        return Err(Invalid::new("user_id", "you cannot start a conversation with yourself").into());
    }
    let other = addable_users(state, caller, std::slice::from_ref(&other_id)).await?.remove(0);
    let key = direct_key(&caller.user.id, &other.id);
    let kind = ConversationKind::Direct;
    let (row, created) =
        store::conversations::get_or_create_pair(&state.db, &caller.tenant_id, kind, None, &caller.user.id, &other.id, &key).await?;
    if created {
        state.webhook_dispatch.captured();
    }
    Ok((row, created))
}

/// The caller's one thread with the owner of shop `shop_id`; `true` when created now, and
/// then `initial_message`, if any, is its first message. Checked before anything is
/// created, so a refused message leaves no empty thread behind.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = %shop_id))]
pub async fn open_shop(
    state: &AppState,
    caller: &UserCaller,
    shop_id: &str,
    initial_message: Option<&str>,
) -> AppResult<(Conversation, bool)> {
    // The first message comes with the thread: one write of the conversation kind.
    throttle::take(state, caller, WriteKind::Conversation).await?;
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
    let kind = ConversationKind::Shop;
    let (row, created) =
        store::conversations::get_or_create_pair(&state.db, &caller.tenant_id, kind, Some(&shop.id), &caller.user.id, &shop.owner_id, &key)
            .await?;
    if created {
        state.webhook_dispatch.captured();
    }
    if let (true, Some(body)) = (created, initial_message) {
        let membership = access::member(state, caller, &row.id).await?;
        let content = Content { body: body.to_owned(), ..Content::default() };
        messages::deliver(state, caller, &membership, content).await?;
    }
    Ok((row, created))
}

/// The existing direct conversation of the two users `participants` names (their ids,
/// separated by a comma), or with `shop_id` their thread about that shop (one of them its
/// owner). The caller must be one of the two (403), and nothing found is a 404.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = ?shop_id))]
pub async fn lookup(state: &AppState, caller: &UserCaller, participants: &str, shop_id: Option<&str>) -> AppResult<Conversation> {
    let ids = participants.split(',').map(|raw| parse_field_id("participants", raw)).collect::<Result<Vec<_>, _>>()?;
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
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn create_group(
    state: &AppState,
    caller: &UserCaller,
    name: &str,
    description: Option<&str>,
    participant_ids: &[String],
) -> AppResult<Conversation> {
    throttle::take(state, caller, WriteKind::Conversation).await?;
    let name = group_name(name)?;
    let description = description.map(group_description).transpose()?.flatten();
    let mut members = vec![(caller.user.id.clone(), MemberRole::Owner)];
    for user in addable_users(state, caller, participant_ids).await? {
        if !members.iter().any(|(id, _)| *id == user.id) {
            members.push((user.id, MemberRole::Member));
        }
    }
    let group = store::conversations::create(
        &state.db,
        &caller.tenant_id,
        ConversationKind::Group,
        Some(&name),
        description.as_deref(),
        &caller.user.id,
        &members,
    )
    .await?;
    state.webhook_dispatch.captured();
    Ok(group)
}

/// Renames or describes a group (its owners and admins, moderators and up).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn update_details(
    state: &AppState,
    caller: &UserCaller,
    membership: &Membership,
    name: Option<&str>,
    description: Option<Option<&str>>,
) -> AppResult<Conversation> {
    access::require_group(membership)?;
    access::require_manager(caller, membership)?;
    let name = match name {
        Some(raw) => Some(group_name(raw)?),
        None => membership.conversation.name.clone(),
    };
    let description = match description {
        Some(d) => d.map(group_description).transpose()?.flatten(),
        None => membership.conversation.description.clone(),
    };
    let row = store::conversations::update_details(&state.db, membership.id(), name.as_deref(), description.as_deref()).await?;
    let change = Change::Details { name: row.name.clone(), description: row.description.clone() };
    let payload = Payload::ConversationUpdated(ConversationUpdated { conversation_id: row.id.clone(), change });
    notify_members(state, &caller.tenant_id, membership.id(), payload).await;
    Ok(row)
}

/// Whose view a delete changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    ForMe,
    ForEveryone,
}

/// Deletes for the caller (hides history so far) or for everyone (managers only).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn delete(state: &AppState, caller: &UserCaller, membership: &Membership, scope: Scope) -> AppResult<()> {
    match scope {
        Scope::ForMe => {
            store::participants::clear_for(&state.db, membership.id(), &caller.user.id, membership.conversation.last_seq).await?;
        }
        Scope::ForEveryone => {
            access::require_manager(caller, membership)?;
            let payload =
                Payload::ConversationUpdated(ConversationUpdated { conversation_id: membership.id().to_owned(), change: Change::Deleted });
            notify_members(state, &caller.tenant_id, membership.id(), payload).await;
            store::conversations::delete_for_everyone(&state.db, membership.id()).await?;
        }
    }
    Ok(())
}
