//! Message search behind a small trait. The default adapter is the database's own
//! full-text index (SQLite FTS5, PostgreSQL tsvector), which the database keeps in step with
//! every send, edit and delete inside the same transaction. With `CONFAB_MEILI_URL` set,
//! Meilisearch answers instead, fed by the relay from the transactional outbox.

mod database;
mod meili;
pub mod relay;

pub use database::DatabaseSearch;
pub use meili::{MeiliSearch, MARK_END, MARK_START};
pub use relay::RelayStats;

use crate::store::search_outbox::SearchDocument;

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
    /// For each id, the part of the body that matched, with `MARK_START`/`MARK_END` around
    /// the matched words, when the backend gives one.
    pub snippets: Vec<Option<String>>,
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
    /// `database` or `meilisearch`.
    fn kind(&self) -> &'static str;
    /// Whether the relay must feed this index from the outbox (the database's own index
    /// follows every write by itself).
    fn fed_by_outbox(&self) -> bool {
        false
    }
    /// Creates the index if needed and applies its settings; safe to repeat.
    async fn prepare(&self) -> Result<(), SearchError> {
        Ok(())
    }
    /// Stores (or replaces) `documents` and removes the messages `removed`, returning only
    /// once the index has applied both.
    async fn apply(&self, _documents: &[SearchDocument], _removed: &[String]) -> Result<(), SearchError> {
        Ok(())
    }
    /// Removes every document of a conversation that is gone from the database.
    async fn remove_conversation(&self, _conversation_id: &str) -> Result<(), SearchError> {
        Ok(())
    }
    /// Removes every document (the start of a rebuild).
    async fn clear(&self) -> Result<(), SearchError> {
        Ok(())
    }
}

/// A search hit as the services hand it out: the message, and its snippet split into
/// pieces that did or did not match.
#[derive(Debug, Clone)]
pub struct Found<T> {
    pub message: T,
    pub snippet: Option<Vec<(String, bool)>>,
}

/// Pairs rendered messages (in hit order, some possibly gone since) with their snippets.
pub fn found<T: HasId>(messages: Vec<T>, hits: &SearchHits) -> Vec<Found<T>> {
    messages
        .into_iter()
        .map(|message| {
            let snippet = hits
                .message_ids
                .iter()
                .position(|id| id == message.id())
                .and_then(|i| hits.snippets.get(i).cloned().flatten())
                .and_then(|s| snippet_parts(&s));
            Found { message, snippet }
        })
        .collect()
}

/// What `found` needs of a message.
pub trait HasId {
    fn id(&self) -> &str;
}

impl HasId for crate::events::MessageView {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Splits a snippet at its `MARK_START`/`MARK_END` marks into pieces, each with whether it
/// matched; empty pieces are dropped, and a snippet without text gives `None`.
pub fn snippet_parts(snippet: &str) -> Option<Vec<(String, bool)>> {
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find(MARK_START) {
        parts.push((rest[..start].to_owned(), false));
        rest = &rest[start + MARK_START.len()..];
        let end = rest.find(MARK_END).unwrap_or(rest.len());
        parts.push((rest[..end].to_owned(), true));
        rest = rest.get(end + MARK_END.len()..).unwrap_or("");
    }
    parts.push((rest.to_owned(), false));
    parts.retain(|(text, _)| !text.is_empty());
    (!parts.is_empty()).then_some(parts)
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

    #[test]
    fn snippets_split_into_matched_and_unmatched_pieces() {
        let marked = format!("pay the {}invoice{} today", super::MARK_START, super::MARK_END);
        assert_eq!(
            super::snippet_parts(&marked).unwrap(),
            vec![("pay the ".to_owned(), false), ("invoice".to_owned(), true), (" today".to_owned(), false)]
        );
        assert_eq!(super::snippet_parts(""), None);
        assert_eq!(super::snippet_parts("no marks").unwrap(), vec![("no marks".to_owned(), false)]);
    }
}
