//! The default tenant's write rate limits, for tests that flood on purpose.

use serde_json::{json, Value};

use super::TestApp;

impl TestApp {
    /// Replaces buckets of the default tenant's rate limits; `patch` is a `rate_limits`
    /// settings patch such as `{"messages": {"per_user": {"per_minute": 60, "burst": 5}}}`.
    pub async fn set_rate_limits(&self, patch: Value) -> Value {
        let body = json!({"settings": {"rate_limits": patch}});
        self.patch("/v1/tenant").key(&self.secret_key).json(body).send().await.expect(200, None).data()["settings"]["rate_limits"].clone()
    }

    /// Lifts the default tenant's message limits as far as they go, for tests that send
    /// fast for another reason than to be limited.
    pub async fn lift_message_limits(&self) {
        let max = json!({"per_minute": 600_000, "burst": 10_000});
        self.set_rate_limits(json!({"messages": {"per_user": max, "per_api_key": max, "per_address": max}})).await;
    }
}
