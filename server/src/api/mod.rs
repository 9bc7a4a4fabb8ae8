//! The HTTP API: one `XxxApi` struct per OpenAPI tag. Handlers authenticate, call a service
//! (`chat`, `accounts`, `users`, `tenancy`, `social`, `realtime`, `webhooks`), and map its domain types
//! to DTOs and its errors to the envelope. They never reach the store and decide no
//! authorization themselves: that is `policy` and `chat::access`.

mod allow;
mod body_limit;
pub mod console;
pub mod dto;
pub mod envelope;
pub mod error;
mod http_metrics;
mod parse_errors;
pub mod security;
mod spec_fixups;
mod spec_limits;
mod spec_links;
pub mod spec_paths;
mod spec_schemas;
mod spec_statuses;
mod strict_json;

mod admin;
mod admin_reports;
mod admin_stats;
mod auth;
mod broadcasts;
mod chat_users;
mod conversation_messages;
mod conversations;
mod keys;
mod media;
mod messages;
mod messaging;
mod ops;
mod realtime;
mod reports;
mod shops;
mod tenant;
mod tickets;
mod users;
mod webhooks;

use poem::http::header;
use poem::middleware::{SetHeader, Tracing};
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;

/// The groups of operations in the spec.
#[derive(Tags)]
#[oai(rename_all = "snake_case")]
pub enum ApiTags {
    /// Password accounts, sessions and tokens.
    Auth,
    /// The caller's tenant and its settings.
    Tenant,
    /// API keys of the tenant.
    ApiKeys,
    /// Users of the tenant, managed with a secret key, and their chat tokens.
    Users,
    /// Direct, group, shop and ticket conversations, their participants, history and read
    /// state.
    Conversations,
    /// Single messages: edit, delete, react, forward; sync and search.
    Messages,
    /// Uploaded files and images: upload URLs, confirmation, signed URLs to fetch them.
    Media,
    /// WebSocket tickets.
    Messaging,
    /// The real-time WebSocket.
    Realtime,
    /// Users as chat users see each other: directory, blocks, follows.
    ChatUsers,
    /// A host's message to all their followers.
    Broadcasts,
    /// Shops, owned by users, and their owners' threads with buyers.
    Shops,
    /// Support tickets: opening, the agents' queue, status and assignment.
    Tickets,
    /// Reports of messages and users to the tenant's moderators.
    Reports,
    /// Moderation and administration of the tenant: moderators and up.
    Admin,
    /// Signed deliveries of the tenant's events to its endpoints: admins and up.
    Webhooks,
    /// Liveness and readiness probes.
    Operations,
}

/// Every API. Tuples implement `Default` up to twelve members, so related APIs nest.
type Apis = (
    auth::AuthApi,
    tenant::TenantApi,
    keys::KeysApi,
    users::UsersApi,
    conversations::ConversationsApi,
    conversation_messages::ConversationMessagesApi,
    (messages::MessagesApi, media::MediaApi),
    chat_users::ChatUsersApi,
    (broadcasts::BroadcastsApi, shops::ShopsApi, tickets::TicketsApi, reports::ReportsApi, admin_reports::AdminReportsApi),
    messaging::MessagingApi,
    realtime::RealtimeApi,
    (ops::OpsApi, admin::AdminApi, admin_stats::AdminStatsApi, webhooks::WebhooksApi),
);

/// The OpenAPI service; building it needs no running server, so the spec dumper uses it too.
pub fn service(server_url: Option<&str>) -> OpenApiService<Apis, ()> {
    let apis = Apis::default();
    let service = OpenApiService::new(apis, "Confab", env!("CARGO_PKG_VERSION"))
        .description("Self-hostable, multi-tenant chat. Websites integrate with an API key plus per-user chat tokens.");
    match server_url {
        Some(url) => service.server(url),
        None => service,
    }
}

/// The spec as pretty JSON, exactly as `confab-server openapi` prints it: its server is the
/// default listen address, since a written file cannot know where it will be served.
pub fn spec_json() -> String {
    let server = format!("http://{}", crate::config::Config::default().addr);
    spec_fixups::finish(&service(Some(&server)).spec())
}

/// The content security policy of the pages Confab serves (the interactive docs): its own
/// inline script and styles, requests to itself, and never framed by another site.
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Every route, with the state attached and poem's own errors turned into the envelope.
/// `listen_url` is where the server listens (`http://host:port`).
/// Every response, errors included, says `nosniff`, so a browser never runs a JSON body or
/// an upload as something else.
pub fn routes(state: AppState, listen_url: &str) -> impl Endpoint {
    // The spec names the server: the public address when one is configured, else the one
    // it listens on.
    let api = service(Some(state.config.public_url.as_deref().unwrap_or(listen_url)));
    let docs = api.swagger_ui();
    let served = std::sync::Arc::new(spec_fixups::finish(&api.spec()));
    // Read once: the 405 `Allow` header, strict JSON types and the metrics' route label all
    // match requests against the paths of this finished document.
    let document: serde_json::Value = serde_json::from_str(&served).unwrap_or_default();
    let paths = std::sync::Arc::new(spec_paths::SpecPaths::from_spec(&document));
    let strict = std::sync::Arc::new(strict_json::StrictTypes::from_spec(&document, paths.clone()));
    let (allowed, measured) = (paths.clone(), paths);
    let metrics = state.metrics.clone();
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(served.as_str().to_owned())
    });
    let max_body = state.config.max_body_bytes;
    let console_dir = std::sync::Arc::new(state.config.admin_ui_dir.clone());
    let console = poem::endpoint::make(move |req| {
        let dir = console_dir.clone();
        async move { console::serve(&dir, &req).await }
    });
    let blob_state = state.clone();
    // The signed URLs of a blob store Confab serves itself (the local directory).
    let blobs = poem::endpoint::make(move |req| {
        let state = blob_state.clone();
        async move { state.blobs.serve(req).await }
    });
    Route::new()
        .nest("/", api)
        .nest(crate::blob::SERVED_ROUTE, blobs)
        .nest("/admin", console)
        .nest("/docs", docs.with(SetHeader::new().overriding(header::CONTENT_SECURITY_POLICY, PAGE_CSP)))
        .at("/openapi.json", spec)
        .around(move |ep, req| strict_json::check(ep, req, strict.clone()))
        .around(move |ep, req| allow::add_allow(ep, req, allowed.clone()))
        .around(move |ep, req| body_limit::limit_body(ep, req, max_body))
        .around(move |ep, req| http_metrics::track(ep, req, measured.clone(), metrics.clone()))
        .with(Tracing)
        .data(state)
        .catch_all_error(|err| async move { error::envelope_for_poem_error(err) })
        .with(SetHeader::new().overriding(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}
