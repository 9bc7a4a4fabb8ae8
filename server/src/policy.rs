//! Authorization, in one place: which caller may do what with the tenant, its keys and its
//! users. Services ask here before they act; handlers never decide, nor build a forbidden
//! error themselves. Who may see and act in a conversation is decided in
//! `crate::chat::access`, the one other home of such rules.

use crate::auth::{Caller, UserCaller};
use crate::domain::{ApiKey, KeyKind, Role, User};
use crate::error::{AppError, AppResult};

/// Creating a tenant with its owner account: only while the server has signup switched on.
pub fn require_signup_allowed(allow_signup: bool) -> AppResult<()> {
    if allow_signup {
        Ok(())
    } else {
        Err(AppError::Forbidden { code: "signup_disabled", message: "signup is switched off on this server".into() })
    }
}

/// The caller must be a user of at least `min` role.
pub fn require_role(caller: &UserCaller, min: Role) -> AppResult<()> {
    if caller.role.at_least(min) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("this needs the {min} role or stronger")))
    }
}

/// The role a caller acts with when it manages users and keys: a user's own role, a secret
/// key's authority (its issuer's role), nothing for a publishable key.
fn acting_role(caller: &Caller) -> Option<Role> {
    match caller {
        Caller::User(user) => Some(user.role),
        Caller::Key(key) if key.kind == KeyKind::Secret => Some(key.authority),
        Caller::Key(_) => None,
    }
}

/// The acting role of a caller that may manage anything at all; a publishable key may not.
fn managing_role(caller: &Caller) -> AppResult<Role> {
    acting_role(caller).ok_or_else(|| AppError::forbidden("a publishable key cannot do this; use a secret key"))
}

/// Whether `caller` may look users up by phone number: only those who read phone numbers
/// anyway, the admins and up who manage users (chat users see each other without phones).
pub fn may_search_by_phone(caller: &UserCaller) -> bool {
    caller.role.at_least(Role::Admin)
}

/// Managing the tenant, its keys and its users: a secret key, or a user, acting as admin or
/// up. A key bounded below admin (its issuer has since lost the role) manages nothing.
pub fn require_tenant_admin(caller: &Caller) -> AppResult<()> {
    match caller {
        Caller::User(user) => require_role(user, Role::Admin),
        Caller::Key(_) if managing_role(caller)?.at_least(Role::Admin) => Ok(()),
        Caller::Key(_) => Err(AppError::forbidden("this key's authority is below admin")),
    }
}

/// The admin API and moderation: a user, or a secret key, acting as moderator or up.
pub fn require_moderator(caller: &Caller) -> AppResult<()> {
    if managing_role(caller)?.at_least(Role::Moderator) {
        Ok(())
    } else {
        Err(AppError::forbidden("this needs the moderator role or stronger"))
    }
}

/// Whether a user of `role` may watch any conversation of the tenant live over a socket,
/// as the admin console does: moderators and up, as for the admin API.
pub fn may_watch_conversations(role: Role) -> bool {
    role.at_least(Role::Moderator)
}

/// Watching a conversation over the caller's socket (`may_watch_conversations`).
pub fn require_watcher(caller: &UserCaller) -> AppResult<()> {
    if may_watch_conversations(caller.role) {
        Ok(())
    } else {
        Err(AppError::forbidden("this needs the moderator role or stronger"))
    }
}

/// Moderating a user (their role, permissions or standing) through the admin API: never
/// oneself, and only users strictly weaker than the caller (a secret key counts as a user
/// of its authority), so moderators cannot act against each other or their admins.
pub fn may_moderate_user(caller: &Caller, target: &User) -> AppResult<()> {
    require_moderator(caller)?;
    if caller.user_id() == Some(target.id.as_str()) {
        return Err(AppError::forbidden("you cannot change your own account here"));
    }
    if managing_role(caller)? > target.role {
        Ok(())
    } else {
        Err(AppError::forbidden("you can change only users with a weaker role than yours"))
    }
}

/// A caller may hand out a role only up to its own; a secret key only up to its authority.
pub fn may_grant_role(caller: &Caller, role: Role) -> AppResult<()> {
    if managing_role(caller)?.at_least(role) {
        Ok(())
    } else {
        Err(AppError::forbidden("you cannot grant a role stronger than your own"))
    }
}

/// A caller may change a user only when the target is not stronger than itself; a secret
/// key counts as a user of its authority.
pub fn may_manage_user(caller: &Caller, target_role: Role) -> AppResult<()> {
    if managing_role(caller)?.at_least(target_role) {
        Ok(())
    } else {
        Err(AppError::forbidden("you cannot manage a user with a stronger role than yours"))
    }
}

/// A chat token acts as its user, so minting one is taking that user's powers: the caller
/// must manage the tenant and either be that user or be strictly stronger than them (an
/// admin cannot act as another admin, nor as the owner). The owner's authority has nothing
/// above it, so a superadmin, or a key bounded to superadmin, mints for anyone.
pub fn may_mint_chat_token(caller: &Caller, target: &User) -> AppResult<()> {
    require_tenant_admin(caller)?;
    if let Caller::User(user) = caller {
        if user.user.id == target.id {
            return Ok(());
        }
    }
    let role = managing_role(caller)?;
    if role == Role::Superadmin || role > target.role {
        Ok(())
    } else {
        Err(AppError::forbidden("you can mint chat tokens only for yourself or users weaker than you"))
    }
}

/// The authority of a key the caller issues now: its own acting role, so a key never
/// outranks whoever issued it and only the owner's authority issues owner keys.
pub fn authority_for_new_key(caller: &Caller) -> AppResult<Role> {
    require_tenant_admin(caller)?;
    managing_role(caller)
}

/// Revoking a key is managing it: the key must not outrank the caller, so an admin cannot
/// cut off the owner's keys.
pub fn may_revoke_key(caller: &Caller, key: &ApiKey) -> AppResult<()> {
    require_tenant_admin(caller)?;
    if managing_role(caller)?.at_least(key.authority) {
        Ok(())
    } else {
        Err(AppError::forbidden("you cannot revoke a key whose authority is stronger than yours"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{KeyCaller, Purpose};

    fn user(role: Role) -> Caller {
        Caller::User(UserCaller {
            tenant_id: "t".into(),
            user: User::new("u1".into(), "t", "u", role, chrono::Utc::now()),
            role,
            session_id: None,
            minted_by: None,
            purpose: Purpose::Chat,
            api_key_id: None,
            client_addr: None,
        })
    }

    fn key(kind: KeyKind) -> Caller {
        keyed(kind, Role::Superadmin)
    }

    fn keyed(kind: KeyKind, authority: Role) -> Caller {
        Caller::Key(KeyCaller { tenant_id: "t".into(), key_id: "k".into(), kind, authority, client_addr: None })
    }

    fn target(id: &str, role: Role) -> User {
        User::new(id.into(), "t", "x", role, chrono::Utc::now())
    }

    #[test]
    fn only_admins_and_secret_keys_manage_the_tenant() {
        assert!(require_tenant_admin(&key(KeyKind::Secret)).is_ok());
        assert!(require_tenant_admin(&key(KeyKind::Publishable)).is_err());
        assert!(require_tenant_admin(&user(Role::Admin)).is_ok());
        assert!(require_tenant_admin(&user(Role::Superadmin)).is_ok());
        assert!(require_tenant_admin(&user(Role::Moderator)).is_err());
        assert!(require_tenant_admin(&user(Role::User)).is_err());
    }

    #[test]
    fn moderators_act_only_on_weaker_users_and_never_on_themselves() {
        let moderator = user(Role::Moderator);
        assert!(require_moderator(&moderator).is_ok());
        assert!(require_moderator(&user(Role::Staff)).is_err());
        assert!(require_moderator(&key(KeyKind::Publishable)).is_err());
        assert!(may_watch_conversations(Role::Moderator) && may_watch_conversations(Role::Superadmin));
        assert!(!may_watch_conversations(Role::Staff) && !may_watch_conversations(Role::User));
        assert!(may_moderate_user(&moderator, &target("u2", Role::User)).is_ok());
        assert!(may_moderate_user(&moderator, &target("u2", Role::Moderator)).is_err());
        assert!(may_moderate_user(&user(Role::Superadmin), &target("u1", Role::User)).is_err(), "oneself");
        assert!(may_moderate_user(&user(Role::Superadmin), &target("u2", Role::Admin)).is_ok());
    }

    #[test]
    fn nobody_grants_more_than_they_hold() {
        assert!(may_grant_role(&user(Role::Admin), Role::Moderator).is_ok());
        assert!(may_grant_role(&user(Role::Admin), Role::Superadmin).is_err());
        assert!(may_grant_role(&key(KeyKind::Secret), Role::Superadmin).is_ok());
        assert!(may_grant_role(&keyed(KeyKind::Secret, Role::Admin), Role::Superadmin).is_err());
        assert!(may_grant_role(&keyed(KeyKind::Secret, Role::Admin), Role::Admin).is_ok());
        assert!(may_grant_role(&key(KeyKind::Publishable), Role::User).is_err());
    }

    #[test]
    fn a_key_manages_no_one_stronger_than_its_authority() {
        let admin_key = keyed(KeyKind::Secret, Role::Admin);
        assert!(may_manage_user(&admin_key, Role::Admin).is_ok());
        assert!(may_manage_user(&admin_key, Role::Superadmin).is_err());
        assert!(may_manage_user(&key(KeyKind::Secret), Role::Superadmin).is_ok());
        assert!(require_tenant_admin(&keyed(KeyKind::Secret, Role::Moderator)).is_err());
        assert_eq!(authority_for_new_key(&admin_key).unwrap(), Role::Admin);
        assert_eq!(authority_for_new_key(&user(Role::Superadmin)).unwrap(), Role::Superadmin);
    }

    #[test]
    fn chat_tokens_are_minted_only_for_oneself_or_weaker_users() {
        let admin = user(Role::Admin);
        assert!(may_mint_chat_token(&admin, &target("u1", Role::Admin)).is_ok(), "oneself");
        assert!(may_mint_chat_token(&admin, &target("u2", Role::Moderator)).is_ok());
        assert!(may_mint_chat_token(&admin, &target("u2", Role::Admin)).is_err());
        assert!(may_mint_chat_token(&admin, &target("u2", Role::Superadmin)).is_err());
        assert!(may_mint_chat_token(&user(Role::Superadmin), &target("u2", Role::Superadmin)).is_ok());
        let admin_key = keyed(KeyKind::Secret, Role::Admin);
        assert!(may_mint_chat_token(&admin_key, &target("u2", Role::Superadmin)).is_err());
        assert!(may_mint_chat_token(&admin_key, &target("u2", Role::Admin)).is_err());
        assert!(may_mint_chat_token(&admin_key, &target("u2", Role::User)).is_ok());
        assert!(may_mint_chat_token(&key(KeyKind::Secret), &target("u2", Role::Superadmin)).is_ok());
        assert!(may_mint_chat_token(&key(KeyKind::Publishable), &target("u2", Role::User)).is_err());
    }

    #[test]
    fn moderators_restrict_only_weaker_users_and_never_themselves() {
        let moderator = user(Role::Moderator);
        assert!(may_moderate_user(&moderator, &target("u2", Role::User)).is_ok());
        assert!(may_moderate_user(&moderator, &target("u2", Role::Staff)).is_ok());
        assert!(may_moderate_user(&moderator, &target("u2", Role::Moderator)).is_err());
        assert!(may_moderate_user(&moderator, &target("u2", Role::Admin)).is_err());
        assert!(may_moderate_user(&moderator, &target("u1", Role::User)).is_err(), "oneself");
        assert!(may_moderate_user(&user(Role::Staff), &target("u2", Role::User)).is_err());
    }
}
