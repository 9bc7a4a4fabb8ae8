//! `/admin/`: the admin console's static files (built by `scripts/build-admin-ui.sh`).
//! Hashed assets are cached for good, `index.html` never, and every path that does not look
//! like a file answers `index.html` so the console's own routes survive a reload. When the
//! directory holds no console, a page says how to build one instead of a blank screen.

use std::path::{Path, PathBuf};

use poem::http::{header, Method, StatusCode};
use poem::{Body, Request, Response};

/// The console runs only its own scripts and WebAssembly (`wasm-unsafe-eval` lets the
/// browser compile the module, nothing else), talks only to this server, and is never framed.
pub const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Assets whose names carry their content hash never change under one URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The entry page names the current hashes, so the browser must ask again every time.
const NO_CACHE: &str = "no-cache";

/// Answers one request under `/admin`; `original_path` is the full path the client asked for.
pub async fn serve(dir: &Path, req: &Request) -> Response {
    let path = req.original_uri().path();
    if path == "/admin" {
        return Response::builder().status(StatusCode::PERMANENT_REDIRECT).header(header::LOCATION, "/admin/").finish();
    }
    let response = if req.method() != Method::GET && req.method() != Method::HEAD {
        Response::builder().status(StatusCode::METHOD_NOT_ALLOWED).header(header::ALLOW, "GET, HEAD").finish()
    } else {
        let rest = path.strip_prefix("/admin/").unwrap_or("");
        let head = req.method() == Method::HEAD;
        answer(dir, rest, head).await
    };
    with_page_headers(response)
}

async fn answer(dir: &Path, rest: &str, head: bool) -> Response {
    let index = dir.join("index.html");
    if !index.is_file() {
        return html(StatusCode::SERVICE_UNAVAILABLE, &not_built_page(dir), head);
    }
    match asset_path(dir, rest) {
        Some(file) if file.is_file() => match tokio::fs::read(&file).await {
            Ok(bytes) => file_response(&file, bytes, head),
            Err(e) => {
                tracing::error!(error = %e, "reading a console asset");
                html(StatusCode::INTERNAL_SERVER_ERROR, "<p>The console's files could not be read.</p>", head)
            }
        },
        // A missing asset is a real 404: answering it with the page would hide a broken build.
        _ if looks_like_file(rest) => html(StatusCode::NOT_FOUND, "<p>No such file in the admin console.</p>", head),
        _ => match tokio::fs::read(&index).await {
            Ok(bytes) => file_response(&index, bytes, head),
            Err(e) => {
                tracing::error!(error = %e, "reading the console's index.html");
                html(StatusCode::INTERNAL_SERVER_ERROR, "<p>The console's files could not be read.</p>", head)
            }
        },
    }
}

/// The file `rest` names inside `dir`, or `None` when it could step outside it: only plain
/// segments of letters, digits, `-`, `_` and `.`, none starting with a dot.
fn asset_path(dir: &Path, rest: &str) -> Option<PathBuf> {
    if rest.is_empty() {
        return None;
    }
    let mut path = dir.to_path_buf();
    for segment in rest.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// A last segment with an extension names a file; anything else is a route of the console.
fn looks_like_file(rest: &str) -> bool {
    rest.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Whether a file name carries a content hash, as the build writes them: `name-<hex>.ext`
/// with at least eight hex digits.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file_response(file: &Path, bytes: Vec<u8>, head: bool) -> Response {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let cache = if is_hashed(name) { IMMUTABLE } else { NO_CACHE };
    let length = bytes.len();
    let body = if head { Body::empty() } else { Body::from(bytes) };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type(file))
        .header(header::CACHE_CONTROL, cache)
        .header(header::CONTENT_LENGTH, length)
        .body(body)
}

fn html(status: StatusCode, content: &str, head: bool) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Confab admin console</title></head>\
         <body><h1>Confab admin console</h1>{content}</body></html>"
    );
    let length = page.len();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, NO_CACHE)
        .header(header::CONTENT_LENGTH, length)
        .body(if head { Body::empty() } else { Body::from(page) })
}

/// What an operator sees when the server runs without a built console.
fn not_built_page(dir: &Path) -> String {
    let dir = escape(&dir.display().to_string());
    format!(
        "<p>The admin console has not been built, so there is nothing to show at <code>/admin/</code> yet.</p>\
         <p>Build it from the repository with <code>scripts/build-admin-ui.sh</code> (or start the server with \
         <code>scripts/run.sh</code>, which builds it first), then reload this page.</p>\
         <p>This server looks for the console in <code>{dir}</code>; set <code>CONFAB_ADMIN_UI_DIR</code> to \
         serve it from elsewhere.</p>"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn with_page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(CONSOLE_CSP));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_segments_name_files() {
        let dir = Path::new("/srv/console");
        assert_eq!(asset_path(dir, "app-0123abcd.js"), Some(dir.join("app-0123abcd.js")));
        assert_eq!(asset_path(dir, "snippets/x/inline0.js"), Some(dir.join("snippets/x/inline0.js")));
        for bad in ["", "../secret", "a/../../b", ".env", "a//b", "a\\b", "%2e%2e/x", "a/"] {
            assert_eq!(asset_path(dir, bad), None, "{bad}");
        }
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("confab-admin-ui-0123abcd89.js"));
        assert!(is_hashed("style-deadbeef.css"));
        assert!(is_hashed("confab-admin-ui_bg-0123abcd.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("confab-admin-ui.js"));
        assert!(!is_hashed("inline0.js"));
    }
}
