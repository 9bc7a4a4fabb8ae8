use super::{terms, SearchError, SearchHits, SearchIndex, SearchQuery};
use crate::store::sql::Sql;
use crate::store::{Backend, Db};

/// Full-text search in the database itself.
pub struct DatabaseSearch {
    db: Db,
}

impl DatabaseSearch {
    pub fn new(db: Db) -> Self {
        DatabaseSearch { db }
    }

    /// The dialect-specific match condition; every term must occur (prefix match on the last,
    /// so "hel" finds "hello" while typing).
    fn matcher(&self, sql: &mut Sql, words: &[String]) {
        match self.db.backend() {
            Backend::Sqlite => {
                let mut expr: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                if let Some(last) = expr.last_mut() {
                    last.push('*');
                }
                sql.push(" AND m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ").bind(expr.join(" ")).push(")");
            }
            Backend::Postgres => {
                let mut expr: Vec<String> = words.to_vec();
                if let Some(last) = expr.last_mut() {
                    last.push_str(":*");
                }
                sql.push(" AND m.search_vector @@ to_tsquery('simple', ").bind(expr.join(" & ")).push(")");
            }
        }
    }

    fn filtered(&self, select: &str, query: &SearchQuery, words: &[String]) -> Sql {
        let mut sql = Sql::new(select);
        sql.push(" FROM messages m JOIN conversations c ON c.id = m.conversation_id");
        if let Some(member) = &query.member {
            sql.push(" JOIN participants p ON p.conversation_id = m.conversation_id AND p.left_at IS NULL AND m.seq > p.cleared_before_seq AND p.user_id = ")
                .bind(member)
                // Nor what the member deleted for themselves.
                .push(" AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = p.user_id)");
        }
        sql.push(" WHERE c.deleted_at IS NULL AND m.deleted_at IS NULL AND m.tenant_id = ").bind(&query.tenant_id);
        if let Some(conversation) = &query.conversation_id {
            sql.push(" AND m.conversation_id = ").bind(conversation);
        }
        self.matcher(&mut sql, words);
        sql
    }
}

#[async_trait::async_trait]
impl SearchIndex for DatabaseSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchHits, SearchError> {
        let words = terms(&query.text);
        if words.is_empty() {
            return Ok(SearchHits::default());
        }
        let fail = |e: sqlx::Error| SearchError(e.to_string());
        let mut rows = self.filtered("SELECT m.id", query, &words);
        rows.push(" ORDER BY m.created_at DESC, m.id DESC LIMIT ").bind(query.limit).push(" OFFSET ").bind(query.offset);
        let message_ids = rows.query_scalar::<String>().fetch_all(self.db.pool()).await.map_err(fail)?;
        let total = self.filtered("SELECT COUNT(*)", query, &words).query_scalar::<i64>().fetch_one(self.db.pool()).await.map_err(fail)?;
        Ok(SearchHits { message_ids, total })
    }

    async fn ping(&self) -> bool {
        self.db.ping().await
    }
}
