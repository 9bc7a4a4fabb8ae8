//! Message search behind a small trait. The default adapter is the database's own
//! full-text index (SQLite FTS5, PostgreSQL tsvector), which the database keeps in step with
//! every send, edit and delete inside the same transaction.

mod database;

pub use database::DatabaseSearch;

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub tenant_id: String,
    /// Only conversations this user is a current member of; `None` searches the whole tenant
    /// (moderation).
    pub member: Option<String>,
    pub conversation_id: Option<String>,
    pub text: String,
    pub limit: i64,
    pub offset: i64,
}

/// Matching message ids, best first, and how many match in all.
#[derive(Debug, Clone, Default)]
pub struct SearchHits {
    pub message_ids: Vec<String>,
    pub total: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("search failed: {0}")]
pub struct SearchError(pub String);

#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    async fn search(&self, query: &SearchQuery) -> Result<SearchHits, SearchError>;
    /// True when the index answers.
    async fn ping(&self) -> bool;
}

/// The words of a query, lowercased, with everything but letters and digits dropped, so
/// no query syntax of any engine can be smuggled in.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).take(16).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn terms_drop_query_syntax() {
        assert_eq!(super::terms("Hello, \"world\" OR NEAR(x*)"), vec!["hello", "world", "or", "near", "x"]);
        assert!(super::terms("  !!  ").is_empty());
    }
}
