//! Generates the client from the checked-in spec into OUT_DIR/client.rs.

use std::{env, fs, path::Path};

fn main() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../openapi/openapi.json");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = fs::read_to_string(&spec_path).expect("read openapi/openapi.json");
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text).expect("openapi/openapi.json is an OpenAPI 3.0 document");
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&spec).unwrap_or_else(|e| panic!("progenitor refused the spec: {e}"));
    let file = syn::parse2(tokens).expect("progenitor writes valid Rust");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("client.rs");
    fs::write(out, prettyplease::unparse(&file)).expect("write the generated client");
}
