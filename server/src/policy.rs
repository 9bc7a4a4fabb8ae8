//! Authorization, in one place: which caller may do what with the tenant, its keys and its
//! users. Services ask here before they act; handlers never decide, nor build a forbidden
//! error themselves. Who may see and act in a conversation is decided in
//! `crate::chat::access`, the one other home of such rules.

use crate::auth::{Caller, UserCaller};
use crate::domain::{KeyKind, Role};
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

/// Managing the tenant, its keys and its users: a secret key, or a user who is admin or up.
pub fn require_tenant_admin(caller: &Caller) -> AppResult<()> {
    match caller {
        Caller::Key(key) if key.kind == KeyKind::Secret => Ok(()),
        Caller::Key(_) => Err(AppError::forbidden("a publishable key cannot do this; use a secret key")),
        Caller::User(user) => require_role(user, Role::Admin),
    }
}

/// A caller may hand out a role only up to its own; a secret key acts for the tenant owner.
pub fn may_grant_role(caller: &Caller, role: Role) -> AppResult<()> {
    match caller {
        Caller::Key(_) => Ok(()),
        Caller::User(user) if user.role.at_least(role) => Ok(()),
        Caller::User(_) => Err(AppError::forbidden("you cannot grant a role stronger than your own")),
    }
}

/// A caller may change a user only when the target is not stronger than itself.
pub fn may_manage_user(caller: &Caller, target_role: Role) -> AppResult<()> {
    match caller {
        Caller::Key(_) => Ok(()),
        Caller::User(user) if user.role.at_least(target_role) => Ok(()),
        Caller::User(_) => Err(AppError::forbidden("you cannot manage a user with a stronger role than yours")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{KeyCaller, Purpose};
    use crate::domain::User;

    fn user(role: Role) -> Caller {
        Caller::User(UserCaller {
            tenant_id: "t".into(),
            user: User::new("u1".into(), "t", "u", role, chrono::Utc::now()),
            role,
            session_id: None,
            purpose: Purpose::Chat,
            api_key_id: None,
            client_addr: None,
        })
    }

    fn key(kind: KeyKind) -> Caller {
        Caller::Key(KeyCaller { tenant_id: "t".into(), key_id: "k".into(), kind })
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
    fn nobody_grants_more_than_they_hold() {
        assert!(may_grant_role(&user(Role::Admin), Role::Moderator).is_ok());
        assert!(may_grant_role(&user(Role::Admin), Role::Superadmin).is_err());
        assert!(may_grant_role(&key(KeyKind::Secret), Role::Superadmin).is_ok());
    }
}
