//! OpenAPI links for the main flows, so a client generator's docs and a stateful tester
//! (schemathesis) know which answer feeds which request: a conversation created is sent
//! to, read and changed; a message sent is read back, edited and deleted; a ticket opened
//! is read and changed.

use serde_json::{json, Map, Value};

/// A link: its name, the operation it leads to, and where in the answer that operation's
/// `id` path parameter is found.
type Link = (&'static str, &'static str, &'static str);

/// From which operation's success answers, which links.
const LINKS: &[(&str, &[Link])] = &[
    (
        "conversations_create",
        &[
            ("SendMessage", "conversations_messages_send", "$response.body#/data/id"),
            ("ReadHistory", "conversations_messages_list", "$response.body#/data/id"),
            ("GetConversation", "conversations_get", "$response.body#/data/id"),
            ("UpdateConversation", "conversations_update", "$response.body#/data/id"),
        ],
    ),
    (
        "conversations_messages_send",
        &[
            ("ReadHistory", "conversations_messages_list", "$response.body#/data/conversation_id"),
            ("EditMessage", "messages_edit", "$response.body#/data/id"),
            ("DeleteMessage", "messages_delete", "$response.body#/data/id"),
        ],
    ),
    (
        "tickets_create",
        &[("GetTicket", "tickets_get", "$response.body#/data/id"), ("UpdateTicket", "tickets_update", "$response.body#/data/id")],
    ),
];

pub fn apply(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|ops| ops.values_mut()) {
        let Some((_, links)) = LINKS.iter().find(|(from, _)| operation["operationId"] == *from) else { continue };
        let declared: Map<String, Value> =
            links.iter().map(|(name, to, id)| ((*name).to_owned(), json!({ "operationId": to, "parameters": { "id": id } }))).collect();
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
        for (_, response) in responses.iter_mut().filter(|(status, _)| status.starts_with('2')) {
            response["links"] = Value::Object(declared.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link naming an operation the spec does not have would mislead every reader.
    #[test]
    fn every_link_joins_operations_of_the_spec() {
        let doc: Value = serde_json::from_str(&crate::api::spec_json()).unwrap();
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|ops| ops.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        for (from, links) in LINKS {
            assert!(ids.contains(from), "{from}");
            for (_, to, _) in links.iter() {
                assert!(ids.contains(to), "{to}");
            }
        }
    }
}
