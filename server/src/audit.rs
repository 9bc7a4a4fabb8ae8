//! The audit log as services record it: who did which privileged action, when. Recording
//! never fails a request; a failure to record is logged instead.

use crate::auth::Caller;
use crate::store::{self, Db};

/// Records that `caller` did `action` (to `target`, when it names one), best effort.
pub async fn record(db: &Db, caller: &Caller, action: &str, target: Option<&str>) {
    if let Err(error) = store::audit::insert(db, caller.tenant_id(), &caller.actor(), action, target).await {
        tracing::warn!(%error, action, "could not record audit entry");
    }
}
