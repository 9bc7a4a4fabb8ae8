//! Support tickets, each with its conversation of kind `ticket`.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::decode::{millis, named, optional_time, time};
use super::sql::{page_of, qualified, Sql};
use super::{conversations, new_id, now_ms, Db, StoreResult};
use crate::domain::conversation::{ConversationKind, MemberRole};
use crate::domain::ticket::{Priority, Ticket, TicketBrief, TicketFilter, TicketStatus};
use crate::domain::{Named, Timestamp};

impl FromRow<'_, AnyRow> for Ticket {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Ticket {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            requester_id: row.try_get("requester_id")?,
            conversation_id: row.try_get("conversation_id")?,
            subject: row.try_get("subject")?,
            status: named(row, "status")?,
            priority: named(row, "priority")?,
            category: row.try_get("category")?,
            assignee_id: row.try_get("assignee_id")?,
            first_response_at: optional_time(row, "first_response_at")?,
            resolved_at: optional_time(row, "resolved_at")?,
            closed_at: optional_time(row, "closed_at")?,
            created_at: time(row, "created_at")?,
            updated_at: time(row, "updated_at")?,
            message_count: row.try_get("message_count")?,
        })
    }
}

impl FromRow<'_, AnyRow> for TicketBrief {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(TicketBrief {
            id: row.try_get("id")?,
            conversation_id: row.try_get("conversation_id")?,
            subject: row.try_get("subject")?,
            status: named(row, "status")?,
            priority: named(row, "priority")?,
        })
    }
}

const COLUMNS: &str = "id, tenant_id, requester_id, conversation_id, subject, status, priority, category, assignee_id, \
    first_response_at, resolved_at, closed_at, created_at, updated_at";

/// `message_count` of the ticket `t`.
const MESSAGE_COUNT: &str = "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = t.conversation_id
    AND m.type <> 'system' AND m.deleted_at IS NULL) AS message_count";

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
    let members = [(requester_id.to_owned(), MemberRole::Member)];
    let conversation = conversations::create_in(&mut tx, tenant_id, ConversationKind::Ticket, None, None, requester_id, &members).await?;
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
pub async fn by_id(db: &Db, tenant_id: &str, id: &str) -> StoreResult<Option<Ticket>> {
    Ok(sqlx::query_as::<_, Ticket>(&format!(
        "SELECT {}, {MESSAGE_COUNT} FROM tickets t WHERE t.tenant_id = $1 AND t.id = $2",
        qualified(COLUMNS, "t")
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db.reads())
    .await?)
}

/// `CASE` ranking priorities in queue order: 0 for the most urgent.
fn priority_rank() -> String {
    let arms: String = Priority::QUEUE_ORDER.iter().enumerate().map(|(rank, p)| format!(" WHEN '{}' THEN {rank}", p.as_str())).collect();
    format!("CASE t.priority{arms} ELSE {} END", Priority::QUEUE_ORDER.len())
}

/// A page of the tenant's tickets and how many match.
pub async fn list(db: &Db, tenant_id: &str, filter: &TicketFilter, limit: i64, offset: i64) -> StoreResult<(Vec<Ticket>, i64)> {
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

/// Writes the changeable fields of `ticket` back, provided the stored status is still
/// `expected` (else `false`: someone changed it meanwhile).
pub async fn save(db: &Db, ticket: &Ticket, expected: TicketStatus) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE tickets SET status = $3, priority = $4, category = $5, assignee_id = $6, resolved_at = $7,
            closed_at = $8, updated_at = $9
         WHERE tenant_id = $1 AND id = $2 AND status = $10",
    )
    .bind(&ticket.tenant_id)
    .bind(&ticket.id)
    .bind(ticket.status.as_str())
    .bind(ticket.priority.as_str())
    .bind(&ticket.category)
    .bind(&ticket.assignee_id)
    .bind(ticket.resolved_at.map(millis))
    .bind(ticket.closed_at.map(millis))
    .bind(millis(ticket.updated_at))
    .bind(expected.as_str())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the first answer to the ticket owning `conversation_id`, when `sender_id` is
/// not its requester and nobody answered before.
pub async fn note_response(db: &Db, conversation_id: &str, sender_id: &str, at: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "UPDATE tickets SET first_response_at = $3
         WHERE conversation_id = $1 AND requester_id <> $2 AND first_response_at IS NULL",
    )
    .bind(conversation_id)
    .bind(sender_id)
    .bind(millis(at))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The tickets owning the listed conversations, in one query.
pub async fn briefs(db: &Db, conversation_ids: &[String]) -> StoreResult<Vec<TicketBrief>> {
    let mut sql = Sql::new("SELECT id, conversation_id, subject, status, priority FROM tickets WHERE conversation_id IN (");
    sql.bind_list(conversation_ids).push(")");
    Ok(sql.query_as::<TicketBrief>().fetch_all(db.reads()).await?)
}
