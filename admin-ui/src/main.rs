//! Confab's admin console. The whole app is browser code compiled to `wasm32`; a host build
//! (the workspace's tests and lints) sees only the stub `main` below.

#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The admin console runs in a browser: build it with scripts/build-admin-ui.sh and open /admin/ on the server.");
}
