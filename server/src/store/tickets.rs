//! Support tickets, each with its conversation of kind `ticket`.

use super::sql::{page_of, qualified, Sql};
use super::{conversations, new_id, now_ms, Db, StoreResult};
use crate::domain::ticket::{Priority, TicketStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub id: String,
    pub tenant_id: String,
    pub requester_id: String,
    pub conversation_id: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Messages of people in its conversation, not counting system messages and deleted ones.
    pub message_count: i64,
}

impl TicketRow {
    pub fn status(&self) -> TicketStatus {
        TicketStatus::parse(&self.status).unwrap_or(TicketStatus::Open)
    }

    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, tenant_id, requester_id, conversation_id, subject, status, priority, category, assignee_id, \
    first_response_at, resolved_at, closed_at, created_at, updated_at";

/// `message_count` of the ticket `t`.
const MESSAGE_COUNT: &str = "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = t.conversation_id
    AND m.type <> 'system' AND m.deleted_at IS NULL) AS message_count";

/// A ticket's subject, status and priority, for the conversation it owns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketBrief {
    pub id: String,
    pub conversation_id: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
}

/// Creates a ticket and its conversation, with the requester as its one participant, in
/// one transaction; returns the ticket's and the conversation's ids.
pub async fn create(
    db: &Db,
    tenant_id: &str,
    requester_id: &str,
    subject: &str,
    priority: Priority,
    category: Option<&str>,
) -> StoreResult<(String, String)> {
    let mut tx = db.pool().begin().await?;
    let members = [(requester_id.to_owned(), "member")];
    let conversation = conversations::create_in(&mut tx, tenant_id, "ticket", None, None, requester_id, &members).await?;
    let id = new_id();
    sqlx::query(&format!("INSERT INTO tickets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL, $9, $9)"))
        .bind(&id)
        .bind(tenant_id)
        .bind(requester_id)
        .bind(&conversation.id)
        .bind(subject)
        .bind(TicketStatus::Open.as_str())
        .bind(priority.as_str())
        .bind(category)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((id, conversation.id))
}

/// A ticket of this tenant.
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<TicketRow>> {
    Ok(sqlx::query_as::<_, TicketRow>(&format!(
        "SELECT {}, {MESSAGE_COUNT} FROM tickets t WHERE t.tenant_id = $1 AND t.id = $2",
        qualified(COLUMNS, "t")
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only this requester's, newest first; without it, the agents' queue: most urgent
    /// first, then oldest first.
    pub requester_id: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<String>,
    pub category: Option<String>,
}

/// `CASE` ranking priorities in queue order: 0 for the most urgent.
fn priority_rank() -> String {
    let arms: String = Priority::QUEUE_ORDER.iter().enumerate().map(|(rank, p)| format!(" WHEN '{}' THEN {rank}", p.as_str())).collect();
    format!("CASE t.priority{arms} ELSE {} END", Priority::QUEUE_ORDER.len())
}

/// A page of the tenant's tickets and how many match.
pub async fn list(db: &Db, tenant_id: &str, filter: &TicketFilter, limit: i64, offset: i64) -> StoreResult<(Vec<TicketRow>, i64)> {
    let mut from = Sql::new(" FROM tickets t WHERE t.tenant_id = ");
    from.bind(tenant_id);
    if let Some(requester) = &filter.requester_id {
        from.push(" AND t.requester_id = ").bind(requester);
    }
    if let Some(status) = filter.status {
        from.push(" AND t.status = ").bind(status.as_str());
    }
    if let Some(priority) = filter.priority {
        from.push(" AND t.priority = ").bind(priority.as_str());
    }
    if let Some(assignee) = &filter.assignee_id {
        from.push(" AND t.assignee_id = ").bind(assignee);
    }
    if let Some(category) = &filter.category {
        from.push(" AND t.category = ").bind(category);
    }
    let order = match filter.requester_id {
        Some(_) => "t.created_at DESC, t.id DESC".to_owned(),
        None => format!("{}, t.created_at ASC, t.id ASC", priority_rank()),
    };
    let columns = format!("{}, {MESSAGE_COUNT}", qualified(COLUMNS, "t"));
    page_of(db, &columns, &from, &order, limit, offset).await
}

/// Writes the changeable fields of `row` back, provided the stored status is still
/// `expected` (else `false`: someone changed it meanwhile).
pub async fn save(db: &Db, row: &TicketRow, expected: TicketStatus) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE tickets SET status = $3, priority = $4, category = $5, assignee_id = $6, resolved_at = $7,
            closed_at = $8, updated_at = $9
         WHERE tenant_id = $1 AND id = $2 AND status = $10",
    )
    .bind(&row.tenant_id)
    .bind(&row.id)
    .bind(&row.status)
    .bind(&row.priority)
    .bind(&row.category)
    .bind(&row.assignee_id)
    .bind(row.resolved_at)
    .bind(row.closed_at)
    .bind(row.updated_at)
    .bind(expected.as_str())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the first answer to the ticket owning `conversation_id`, when `sender_id` is
/// not its requester and nobody answered before.
pub async fn note_response(db: &Db, conversation_id: &str, sender_id: &str, at: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE tickets SET first_response_at = $3
         WHERE conversation_id = $1 AND requester_id <> $2 AND first_response_at IS NULL",
    )
    .bind(conversation_id)
    .bind(sender_id)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The tickets owning the listed conversations, in one query.
pub async fn briefs(db: &Db, conversation_ids: &[String]) -> StoreResult<Vec<TicketBrief>> {
    let mut sql = Sql::new("SELECT id, conversation_id, subject, status, priority FROM tickets WHERE conversation_id IN (");
    sql.bind_list(conversation_ids).push(")");
    Ok(sql.query_as::<TicketBrief>().fetch_all(db.pool()).await?)
}
