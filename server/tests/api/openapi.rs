use crate::helpers::spawn_app;

fn checked_in_spec() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    std::fs::read_to_string(path).expect("openapi/openapi.json exists")
}

#[test]
fn the_checked_in_spec_matches_the_code() {
    let generated = confab_server::api::spec_json();
    assert!(
        checked_in_spec().trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -p confab-server -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn the_spec_declares_both_security_schemes_and_the_error_responses_of_each_operation() {
    let spec: serde_json::Value = serde_json::from_str(&confab_server::api::spec_json()).unwrap();
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["in"], "header");
    assert_eq!(schemes["api_key"]["name"], "x-api-key");
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(op["description"].is_string() || op["summary"].is_string(), "{id} has no doc");
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"].as_array().is_none_or(|s| !s.is_empty());
            let mut wanted = vec!["500"];
            if secured {
                wanted.extend(["401", "403"]);
            }
            if op.get("requestBody").is_some() {
                wanted.extend(["400", "413", "415", "422"]);
            }
            if path.contains('{') {
                wanted.extend(["400", "404"]);
            }
            for status in wanted {
                assert!(responses.contains_key(status), "{id} lacks {status}");
            }
            // Only the statuses that follow from the operation: a read never conflicts.
            if *method == "get" {
                assert!(!responses.contains_key("409") && !responses.contains_key("413"), "{id}");
            }
            for (status, response) in responses.iter().filter(|(s, _)| s.starts_with('4') || s.starts_with('5')) {
                let schema = &response["content"]["application/json; charset=utf-8"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{id} {status}");
            }
        }
    }
    assert!(operations >= 18, "only {operations} operations");
}

#[tokio::test]
async fn the_server_serves_its_spec_and_interactive_docs() {
    let app = spawn_app().await;
    let reply = app.get("/openapi.json").send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["info"]["title"], "Confab");
    assert_eq!(reply.body["servers"][0]["url"], app.address.as_str(), "the spec names the server it came from");
    assert_eq!(reply.body["paths"]["/v1/auth/login"]["post"]["security"], serde_json::json!([]), "public operations say so");
    let docs = app.client.get(format!("{}/docs", app.address)).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().to_lowercase().contains("swagger"));
}
