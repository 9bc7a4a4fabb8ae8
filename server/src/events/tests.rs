//! The frames must stay exactly what clients already parse: these are the shapes the
//! WebSocket has always sent.

use serde_json::json;

use super::*;
use crate::domain::message::Content;

fn at(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap()
}

fn message() -> Message {
    Message {
        id: "m".into(),
        tenant_id: "t".into(),
        conversation_id: "c".into(),
        seq: 7,
        sender_id: Some("u".into()),
        content: Content {
            kind: MessageType::File,
            body: "see".into(),
            attachment: Attachment { file_url: Some("https://f".into()), file_size: Some(3), ..Attachment::default() },
            client_msg_id: Some("k".into()),
            ..Content::default()
        },
        edited_at: None,
        deleted_at: None,
        created_at: at(1_700_000_000_123),
    }
}

#[test]
fn a_message_event_carries_the_message_with_every_field() {
    let frame = Payload::NewMessage(MessageEvent::of(&message())).to_json();
    let created_at = serde_json::to_value(at(1_700_000_000_123)).unwrap();
    assert_eq!(
        frame,
        json!({
            "type": "new_message", "conversation_id": "c", "seq": 7,
            "message": {
                "id": "m", "conversation_id": "c", "seq": 7, "sender_id": "u", "type": "file", "body": "see",
                "file_url": "https://f", "file_name": null, "file_size": 3, "file_type": null, "media_id": null,
                "reply_to_id": null, "forwarded_from_id": null, "reactions": [], "client_msg_id": "k",
                "edited_at": null, "deleted": false, "created_at": created_at,
            },
        })
    );
}

#[test]
fn conversation_changes_name_themselves_beside_the_conversation() {
    let updated = |change| Payload::ConversationUpdated(ConversationUpdated { conversation_id: "c".into(), change }).to_json();
    assert_eq!(updated(Change::Deleted), json!({"type": "conversation_updated", "conversation_id": "c", "change": "deleted"}));
    assert_eq!(
        updated(Change::Details { name: Some("n".into()), description: None }),
        json!({"type": "conversation_updated", "conversation_id": "c", "change": "details", "name": "n", "description": null})
    );
    assert_eq!(
        updated(Change::ParticipantRole { user_id: "u".into(), role: MemberRole::Admin }),
        json!({"type": "conversation_updated", "conversation_id": "c", "change": "participant_role", "user_id": "u", "role": "admin"})
    );
    assert_eq!(
        updated(Change::ParticipantsAdded { user_ids: vec!["u".into()] }),
        json!({"type": "conversation_updated", "conversation_id": "c", "change": "participants_added", "user_ids": ["u"]})
    );
    assert_eq!(
        updated(Change::Archived { value: true }),
        json!({"type": "conversation_updated", "conversation_id": "c", "change": "archived", "value": true})
    );
}

#[test]
fn the_small_events_keep_their_fields() {
    assert_eq!(
        Payload::Presence(Presence { user_id: "u".into(), online: true }).to_json(),
        json!({"type": "presence", "user_id": "u", "online": true})
    );
    assert_eq!(
        Payload::ReadReceipt(ReadReceipt { conversation_id: "c".into(), user_id: "u".into(), up_to_seq: 3 }).to_json(),
        json!({"type": "read_receipt", "conversation_id": "c", "user_id": "u", "up_to_seq": 3})
    );
    let ticket = TicketUpdated {
        ticket_id: "t".into(),
        conversation_id: "c".into(),
        status: TicketStatus::Pending,
        priority: Priority::High,
        category: None,
        assignee_id: Some("a".into()),
    };
    assert_eq!(
        Payload::TicketUpdated(ticket).to_json(),
        json!({"type": "ticket_updated", "ticket_id": "t", "conversation_id": "c", "status": "pending", "priority": "high",
               "category": null, "assignee_id": "a"})
    );
    let created = ReportCreated {
        report_id: "r".into(),
        target_kind: TargetKind::Message,
        target_id: "m".into(),
        reason: ReportReason::Spam,
        created_at: at(0),
    };
    assert_eq!(
        Payload::ReportCreated(created).to_json(),
        json!({"type": "report_created", "report_id": "r", "target_kind": "message", "target_id": "m", "reason": "spam",
               "created_at": "1970-01-01T00:00:00Z"})
    );
    let resolved = ReportsResolved { target_kind: TargetKind::User, target_id: "u".into(), action: Resolution::Ban };
    assert_eq!(
        Payload::ReportsResolved(resolved).to_json(),
        json!({"type": "reports_resolved", "target_kind": "user", "target_id": "u", "action": "ban"})
    );
}
