#!/usr/bin/env bash
# Builds the admin console (admin-ui/, Leptos compiled to WebAssembly) into a directory the
# server serves at /admin/ (by default target/admin-ui/dist, the server's default
# CONFAB_ADMIN_UI_DIR). Idempotent: installs what is missing (the wasm32 target, and
# wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock, which must match the
# library the app is built with), rebuilds only what changed, and replaces the directory in
# one step so a running server never serves half a build.
#
#   scripts/build-admin-ui.sh              writes target/admin-ui/dist
#   ADMIN_UI_DIST=/srv/console scripts/build-admin-ui.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

out="${ADMIN_UI_DIST:-target/admin-ui/dist}"
# A target directory of its own: the wasm build never waits on, or invalidates, the host build.
build_dir="target/admin-ui/cargo"
wasm_target="wasm32-unknown-unknown"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

fail() {
    echo "build-admin-ui: $*" >&2
    exit 1
}

command -v cargo >/dev/null 2>&1 || fail "cargo not found. Install Rust from https://rustup.rs, then run this again."

if ! rustc --print target-libdir --target "$wasm_target" >/dev/null 2>&1 \
    || [[ ! -d "$(rustc --print target-libdir --target "$wasm_target")" ]]; then
    command -v rustup >/dev/null 2>&1 || fail "the $wasm_target target is missing and rustup is not installed to add it. Install Rust with rustup (https://rustup.rs) or add the target by hand."
    echo "build-admin-ui: adding the $wasm_target target"
    rustup target add "$wasm_target" || fail "could not add the $wasm_target target (rustup target add $wasm_target)."
fi

version="$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)"
[[ -n "$version" ]] || fail "Cargo.lock names no wasm-bindgen version; run from a checkout of the repository."
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $version" ]]; then
    echo "build-admin-ui: installing wasm-bindgen-cli $version (takes a few minutes, once)"
    if ! cargo install wasm-bindgen-cli --version "$version" --locked; then
        # The CLI's own lock file can name a release the registry in use does not carry yet.
        echo "build-admin-ui: the locked install failed; trying again with the newest compatible dependencies"
        cargo install wasm-bindgen-cli --version "$version" \
            || fail "could not install wasm-bindgen-cli $version (cargo install wasm-bindgen-cli --version $version)."
    fi
fi

echo "build-admin-ui: building the console (release, $wasm_target)"
cargo build --release --locked -p confab-admin-ui --target "$wasm_target" --target-dir "$build_dir"

stage="$(mktemp -d "${TMPDIR:-/tmp}/confab-admin-ui.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage/bindgen" --out-name confab-admin-ui \
    "$build_dir/$wasm_target/release/confab-admin-ui.wasm"

hash() { sha256sum "$1" | cut -c1-16; }
mkdir -p "$stage/dist"
js="confab-admin-ui-$(hash "$stage/bindgen/confab-admin-ui.js").js"
wasm="confab-admin-ui_bg-$(hash "$stage/bindgen/confab-admin-ui_bg.wasm").wasm"
# One stylesheet: the console's base first, then each screen's own file.
cat admin-ui/style/console.css $(ls admin-ui/style/*.css | grep -v '/console.css$' | sort) >"$stage/console.css"
css="console-$(hash "$stage/console.css").css"
icon="icon-$(hash admin-ui/style/icon.svg).svg"
cp "$stage/bindgen/confab-admin-ui.js" "$stage/dist/$js"
cp "$stage/bindgen/confab-admin-ui_bg.wasm" "$stage/dist/$wasm"
cp "$stage/console.css" "$stage/dist/$css"
cp admin-ui/style/icon.svg "$stage/dist/$icon"
if [[ -d "$stage/bindgen/snippets" ]]; then
    cp -r "$stage/bindgen/snippets" "$stage/dist/snippets"
fi
# A module of its own starts the app: the page's content security policy allows no inline script.
printf "import init from './%s';\ninit({ module_or_path: new URL('./%s', import.meta.url) });\n" "$js" "$wasm" >"$stage/boot.js"
boot="boot-$(hash "$stage/boot.js").js"
cp "$stage/boot.js" "$stage/dist/$boot"
sed -e "s|{{CSS}}|$css|" -e "s|{{ICON}}|$icon|" -e "s|{{BOOT}}|$boot|" admin-ui/index.html >"$stage/dist/index.html"

mkdir -p "$(dirname "$out")"
rm -rf "$out.old"
[[ -d "$out" ]] && mv "$out" "$out.old"
cp -r "$stage/dist" "$out"
rm -rf "$out.old"
echo "build-admin-ui: console written to $out"
