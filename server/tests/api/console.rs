//! `/admin/`: the admin console's static files. Right types, long cache only for hashed
//! assets, the entry page for the console's own routes, a real 404 for a missing asset, a
//! page that says how to build the console when it is missing, and nothing outside its
//! directory, whatever the path says.

use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app_with, TestApp};

const INDEX: &str = "<!doctype html><title>console entry page</title>";
const SECRET: &str = "never-served-secret";

/// A console directory of fake files, with a secret beside it that must never be served.
fn fake_console(root: &Path) -> std::path::PathBuf {
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("snippets/x")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("confab-admin-ui-0123456789abcdef.js"), "export default 1;").unwrap();
    std::fs::write(dist.join("confab-admin-ui_bg-0123456789abcdef.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dist.join("console-0123456789abcdef.css"), "body{}").unwrap();
    std::fs::write(dist.join("snippets/x/inline0.js"), "export const a = 1;").unwrap();
    std::fs::write(dist.join(".hidden"), SECRET).unwrap();
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    dist
}

async fn app_with_console(root: &Path) -> TestApp {
    let dist = fake_console(root);
    spawn_app_with(move |c| c.admin_ui_dir = dist).await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).send().await.expect("request sent")
}

#[tokio::test]
async fn assets_have_their_types_and_hashed_ones_are_cached_for_good() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    let cases = [
        ("/admin/confab-admin-ui-0123456789abcdef.js", "text/javascript; charset=utf-8", "immutable"),
        ("/admin/confab-admin-ui_bg-0123456789abcdef.wasm", "application/wasm", "immutable"),
        ("/admin/console-0123456789abcdef.css", "text/css; charset=utf-8", "immutable"),
        ("/admin/snippets/x/inline0.js", "text/javascript; charset=utf-8", "no-cache"),
        ("/admin/", "text/html; charset=utf-8", "no-cache"),
        ("/admin/index.html", "text/html; charset=utf-8", "no-cache"),
    ];
    for (path, content_type, cache) in cases {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
        assert!(header(&response, "cache-control").contains(cache), "{path}: {}", header(&response, "cache-control"));
        if cache == "immutable" {
            assert!(header(&response, "cache-control").contains("max-age=31536000"), "{path}");
        }
        assert_eq!(header(&response, "x-content-type-options"), "nosniff", "{path}");
    }
    let wasm = get(&app, "/admin/confab-admin-ui_bg-0123456789abcdef.wasm").await.bytes().await.unwrap();
    assert_eq!(&wasm[..], b"\0asm\x01\0\0\0");
}

#[tokio::test]
async fn the_console_may_run_its_wasm_but_nothing_foreign_and_is_never_framed() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    for path in ["/admin/", "/admin/users", "/admin/missing-0123456789abcdef.js"] {
        let response = get(&app, path).await;
        let csp = header(&response, "content-security-policy").to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{path}: {csp}");
        assert!(!csp.contains(" 'unsafe-eval'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("connect-src 'self'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn the_consoles_own_routes_answer_the_entry_page() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    for path in ["/admin/users", "/admin/audit-log", "/admin/conversations/01HZX", "/admin/reports/"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let bare = no_redirects.get(format!("{}/admin", app.address)).send().await.unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(header(&bare, "location"), "/admin/");
}

#[tokio::test]
async fn a_missing_asset_is_a_404_not_the_entry_page() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    for path in ["/admin/confab-admin-ui-ffffffffffffffff.js", "/admin/favicon.ico", "/admin/snippets/y/inline0.js"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8", "{path}");
        assert_ne!(response.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn only_reads_are_allowed() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = app.client.request(method.clone(), format!("{}/admin/index.html", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 405, "{method}");
    }
    let head = app.client.head(format!("{}/admin/", app.address)).send().await.unwrap();
    assert_eq!(head.status(), 200);
}

/// Sends a request line exactly as written, so no client library cleans the path first.
async fn raw_get(app: &TestApp, path: &str) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn no_path_reaches_a_file_outside_the_console_or_a_hidden_one() {
    let root = tempfile::tempdir().unwrap();
    let app = app_with_console(root.path()).await;
    let attempts = [
        "/admin/../secret.txt",
        "/admin/..%2fsecret.txt",
        "/admin/%2e%2e/secret.txt",
        "/admin/%2e%2e%2fsecret.txt",
        "/admin/snippets/../../secret.txt",
        "/admin//secret.txt",
        "/admin/.hidden",
        "/admin/snippets/..%5c..%5csecret.txt",
        "/admin/%2fetc%2fpasswd",
    ];
    for path in attempts {
        let answer = raw_get(&app, path).await;
        assert!(!answer.contains(SECRET), "{path} leaked: {answer}");
        assert!(!answer.contains("root:"), "{path} leaked: {answer}");
    }
}

#[tokio::test]
async fn without_a_built_console_the_page_says_how_to_build_it() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("not-built");
    let app = spawn_app_with(move |c| c.admin_ui_dir = missing).await;
    for path in ["/admin/", "/admin/users"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 503, "{path}");
        assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8");
        assert!(header(&response, "content-security-policy").contains("frame-ancestors 'none'"));
        let page = response.text().await.unwrap();
        assert!(page.contains("scripts/build-admin-ui.sh") && page.contains("CONFAB_ADMIN_UI_DIR"), "{page}");
    }
    // The API does not depend on the console.
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status(), 200);
}
