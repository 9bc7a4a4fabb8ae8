//! Meilisearch as the search index. Every document carries its tenant and the ids of the
//! users who may read it, and every search is filtered on those server-side, so a caller
//! never receives a hit they may not read. The index is fed by the outbox relay.

use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::documents::DocumentDeletionQuery;
use meilisearch_sdk::errors::ErrorCode;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{Settings, TypoToleranceSettings};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use super::{terms, SearchError, SearchHits, SearchIndex, SearchQuery};
use crate::store::search_outbox::SearchDocument;

/// The documents' primary key, named explicitly so Meilisearch never guesses it.
const PRIMARY_KEY: &str = "id";
/// How long the relay waits for Meilisearch to apply one batch before retrying it.
const TASK_TIMEOUT: Duration = Duration::from_secs(30);
const TASK_POLL: Duration = Duration::from_millis(25);

/// Marks around a matched word in a snippet: characters no message is expected to carry,
/// replaced before the snippet leaves the adapter.
pub const MARK_START: &str = "\u{E000}";
pub const MARK_END: &str = "\u{E001}";

#[derive(Debug, Serialize, Deserialize)]
struct Document {
    id: String,
    tenant_id: String,
    conversation_id: String,
    sender_id: Option<String>,
    body: String,
    created_at: i64,
    readers: Vec<String>,
}

impl From<&SearchDocument> for Document {
    fn from(d: &SearchDocument) -> Self {
        Document {
            id: d.id.clone(),
            tenant_id: d.tenant_id.clone(),
            conversation_id: d.conversation_id.clone(),
            sender_id: d.sender_id.clone(),
            body: d.body.clone(),
            created_at: d.created_at,
            readers: d.readers.clone(),
        }
    }
}

pub struct MeiliSearch {
    client: Client,
    index: Index,
}

impl MeiliSearch {
    pub fn new(url: &str, key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(fail)?;
        let index = client.index(index_uid);
        Ok(MeiliSearch { client, index })
    }

    /// The settings applied at every start, so an upgrade that changes them takes effect.
    fn settings() -> Settings {
        Settings::new()
            .with_searchable_attributes(["body"])
            .with_filterable_attributes(["tenant_id", "conversation_id", "readers", "sender_id"])
            .with_sortable_attributes(["created_at"])
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                min_word_size_for_typos: None,
                disable_on_numbers: None,
            })
    }

    /// Waits for a task and fails unless it succeeded.
    async fn settle(&self, task: TaskInfo) -> Result<Task, SearchError> {
        let task = task.wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT)).await.map_err(fail)?;
        match task {
            Task::Succeeded { .. } => Ok(task),
            Task::Failed { content } => Err(SearchError(format!("meilisearch task failed: {}", content.error.error_message))),
            _ => Err(SearchError("meilisearch task did not finish".into())),
        }
    }
}

fn fail(e: meilisearch_sdk::errors::Error) -> SearchError {
    SearchError(format!("meilisearch: {e}"))
}

/// A filter value in double quotes, escaped.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[async_trait::async_trait]
impl SearchIndex for MeiliSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchHits, SearchError> {
        let words = terms(&query.text);
        if words.is_empty() {
            return Ok(SearchHits::default());
        }
        let text = words.join(" ");
        let mut filter = format!("tenant_id = {}", quoted(&query.tenant_id));
        if let Some(member) = &query.member {
            filter.push_str(&format!(" AND readers = {}", quoted(member)));
        }
        if let Some(conversation) = &query.conversation_id {
            filter.push_str(&format!(" AND conversation_id = {}", quoted(conversation)));
        }
        let body: &[&str] = &["body"];
        let id_only: &[&str] = &["id"];
        let crop: &[(&str, Option<usize>)] = &[("body", None)];
        let results = self
            .index
            .search()
            .with_query(&text)
            .with_filter(&filter)
            .with_offset(query.offset.max(0) as usize)
            .with_limit(query.limit.max(0) as usize)
            .with_attributes_to_retrieve(Selectors::Some(id_only))
            .with_attributes_to_crop(Selectors::Some(crop))
            .with_crop_length(24)
            .with_attributes_to_highlight(Selectors::Some(body))
            .with_highlight_pre_tag(MARK_START)
            .with_highlight_post_tag(MARK_END)
            .execute::<IdOnly>()
            .await;
        let results = match results {
            Ok(results) => results,
            // Nothing was indexed yet: the relay creates the index with its first batch.
            Err(meilisearch_sdk::errors::Error::Meilisearch(e)) if matches!(e.error_code, ErrorCode::IndexNotFound) => {
                return Ok(SearchHits::default())
            }
            Err(e) => return Err(fail(e)),
        };
        let mut hits = SearchHits { total: results.estimated_total_hits.or(results.total_hits).unwrap_or(0) as i64, ..Default::default() };
        for hit in results.hits {
            let snippet = hit.formatted_result.as_ref().and_then(|f| f.get("body")).and_then(|v| v.as_str()).map(str::to_owned);
            hits.snippets.push(snippet);
            hits.message_ids.push(hit.result.id);
        }
        Ok(hits)
    }

    async fn ping(&self) -> bool {
        self.client.is_healthy().await
    }

    fn kind(&self) -> &'static str {
        "meilisearch"
    }

    fn fed_by_outbox(&self) -> bool {
        true
    }

    async fn prepare(&self) -> Result<(), SearchError> {
        // A settings update creates a missing index with those settings in one task, so no
        // search ever meets the index without its filterable attributes. The primary key is
        // named on every document batch.
        self.settle(self.index.set_settings(&Self::settings()).await.map_err(fail)?).await?;
        Ok(())
    }

    async fn apply(&self, documents: &[SearchDocument], removed: &[String]) -> Result<(), SearchError> {
        if !documents.is_empty() {
            let documents: Vec<Document> = documents.iter().map(Document::from).collect();
            self.settle(self.index.add_or_replace(&documents, Some(PRIMARY_KEY)).await.map_err(fail)?).await?;
        }
        if !removed.is_empty() {
            self.settle(self.index.delete_documents(removed).await.map_err(fail)?).await?;
        }
        Ok(())
    }

    async fn remove_conversation(&self, conversation_id: &str) -> Result<(), SearchError> {
        let filter = format!("conversation_id = {}", quoted(conversation_id));
        let mut query = DocumentDeletionQuery::new(&self.index);
        query.with_filter(&filter);
        self.settle(self.index.delete_documents_with(&query).await.map_err(fail)?).await?;
        Ok(())
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.settle(self.index.delete_all_documents().await.map_err(fail)?).await?;
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct IdOnly {
    id: String,
}
