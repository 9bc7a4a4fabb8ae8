//! The audit log as services write it: who did which privileged action to what, from
//! where, and the values before and after. An entry is written in the transaction of the
//! action itself and its failure fails the action, so no privileged change goes unrecorded.

use serde_json::Value;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::store::audit::NewEntry;
use crate::store::{self};

/// One privileged action as the log keeps it.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    /// Such as `user.suspend`.
    pub name: &'static str,
    /// The id of what was acted on.
    pub target: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Action<'a> {
    pub fn new(name: &'static str, target: &'a str) -> Self {
        Action { name, target: Some(target), before: None, after: None }
    }

    /// The values the action changed.
    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// Writes the entry of `action` by `caller` on `exec`, the transaction of the action.
pub async fn write<'c, E>(exec: E, caller: &Caller, action: &Action<'_>) -> AppResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let before = action.before.as_ref().map(Value::to_string);
    let after = action.after.as_ref().map(Value::to_string);
    let entry = NewEntry {
        tenant_id: caller.tenant_id(),
        actor: &caller.actor(),
        action: action.name,
        target: action.target,
        before: before.as_deref(),
        after: after.as_deref(),
        client_addr: caller.client_addr(),
    };
    store::audit::insert(exec, entry).await?;
    Ok(())
}
