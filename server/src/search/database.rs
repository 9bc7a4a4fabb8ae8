use super::{terms, SearchError, SearchHits, SearchIndex, SearchQuery, MARK_END, MARK_START};
use crate::store::sql::Sql;
use crate::store::{Backend, Db};

/// Full-text search in the database itself, ranked by relevance (FTS5's bm25 on SQLite,
/// `ts_rank` on PostgreSQL; newest first among equals), with a snippet of each match.
pub struct DatabaseSearch {
    db: Db,
}

impl DatabaseSearch {
    pub fn new(db: Db) -> Self {
        DatabaseSearch { db }
    }

    /// The dialect's match expression: every term must occur (prefix match on the last, so
    /// "hel" finds "hello" while typing).
    fn expression(&self, words: &[String]) -> String {
        match self.db.backend() {
            Backend::Sqlite => {
                let mut expr: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                if let Some(last) = expr.last_mut() {
                    last.push('*');
                }
                expr.join(" ")
            }
            Backend::Postgres => {
                let mut expr: Vec<String> = words.to_vec();
                if let Some(last) = expr.last_mut() {
                    last.push_str(":*");
                }
                expr.join(" & ")
            }
        }
    }

    /// `select` over the matching messages the query may see. On SQLite the FTS table leads
    /// the join, so `bm25` and `snippet` can read it; on PostgreSQL `q` is the parsed query.
    fn filtered(&self, select: &str, query: &SearchQuery, words: &[String]) -> Sql {
        let expression = self.expression(words);
        let mut sql = Sql::new(select);
        match self.db.backend() {
            Backend::Sqlite => {
                sql.push(" FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid");
            }
            Backend::Postgres => {
                sql.push(" FROM to_tsquery('simple', ").bind(expression.clone()).push(") q, messages m");
            }
        }
        sql.push(" JOIN conversations c ON c.id = m.conversation_id");
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
        match self.db.backend() {
            Backend::Sqlite => sql.push(" AND messages_fts MATCH ").bind(expression),
            Backend::Postgres => sql.push(" AND m.search_vector @@ q"),
        };
        sql
    }

    /// The page's columns: the id and a snippet with the matched words marked.
    fn page_columns(&self) -> String {
        match self.db.backend() {
            Backend::Sqlite => format!("SELECT m.id, snippet(messages_fts, 0, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet"),
            Backend::Postgres => format!(
                "SELECT m.id, ts_headline('simple', m.body, q, 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, \
                 FragmentDelimiter=…, MaxFragments=2') AS snippet"
            ),
        }
    }

    fn order(&self) -> &'static str {
        match self.db.backend() {
            // bm25 is lower for better matches.
            Backend::Sqlite => " ORDER BY bm25(messages_fts), m.created_at DESC, m.id DESC",
            Backend::Postgres => " ORDER BY ts_rank(m.search_vector, q) DESC, m.created_at DESC, m.id DESC",
        }
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
        let mut rows = self.filtered(&self.page_columns(), query, &words);
        rows.push(self.order()).push(" LIMIT ").bind(query.limit).push(" OFFSET ").bind(query.offset);
        let page = rows.query_as::<(String, Option<String>)>().fetch_all(self.db.pool()).await.map_err(fail)?;
        let total = self.filtered("SELECT COUNT(*)", query, &words).query_scalar::<i64>().fetch_one(self.db.pool()).await.map_err(fail)?;
        let (message_ids, snippets) = page.into_iter().unzip();
        Ok(SearchHits { message_ids, snippets, total })
    }

    async fn ping(&self) -> bool {
        self.db.ping().await
    }

    fn kind(&self) -> &'static str {
        "database"
    }
}
