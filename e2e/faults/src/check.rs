//! The checker, in the manner of Jepsen's list-append: each conversation is a list that
//! senders append to, and its history read back after the load must hold every
//! acknowledged append once, at the seq it was acknowledged with, in the order each sender
//! made them, with seqs 1, 2, 3... and no holes. Every listener's copy must equal it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{bail, Result};

use crate::client::{Auth, Servers};
use crate::listeners::{Entry, Heard};
use crate::record::Outcome;
use crate::senders::Sent;

/// One message of a history as read back.
pub struct Stored {
    pub seq: i64,
    pub id: String,
    pub client_msg_id: String,
}

/// The counts the check reports; every one must be zero.
#[derive(Debug, Default)]
pub struct Anomalies {
    /// Acknowledged, not in the history.
    pub lost: u64,
    /// Extra copies of one `client_msg_id` in a history.
    pub duplicated: u64,
    /// A sender's message stored before one it sent earlier, or a history not ordered by seq.
    pub out_of_order: u64,
    /// Seqs missing between 1 and a history's last seq.
    pub seq_gaps: u64,
    /// Acknowledged with another seq or id than the history holds.
    pub ack_mismatch: u64,
    /// In a history, never sent by any sender.
    pub unexpected: u64,
}

/// A conversation's whole history as `token` (a member) reads it, oldest first, through
/// `after_seq` cursors, from whichever server answers. Each page comes newest first, as the
/// API lists messages; it is turned around as it is, so a page out of order stays out of
/// order for the checker to see.
pub async fn history(servers: &Servers, token: &str, conversation: &str) -> Result<Vec<Stored>> {
    let mut stored: Vec<Stored> = Vec::new();
    let mut server = 0;
    let mut failures = 0;
    loop {
        let after = stored.iter().map(|m| m.seq).max().unwrap_or(0);
        let path = format!("/v1/chat/conversations/{conversation}/messages?after_seq={after}&limit=100");
        let answer = servers.call("history", server, reqwest::Method::GET, &path, Auth::Bearer(token), None).await;
        if answer.outcome != Outcome::Ok {
            failures += 1;
            if failures > 20 {
                bail!("could not read the history of {conversation}: {:?}", answer.outcome);
            }
            server = servers.other(server);
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        let page = answer.data.as_array().cloned().unwrap_or_default();
        for message in page.iter().rev() {
            stored.push(Stored {
                seq: message["seq"].as_i64().unwrap_or(-1),
                id: message["id"].as_str().unwrap_or_default().to_owned(),
                client_msg_id: message["client_msg_id"].as_str().unwrap_or_default().to_owned(),
            });
        }
        if page.len() < 100 {
            return Ok(stored);
        }
    }
}

/// Compares what the senders were told with `histories` (by conversation).
pub fn appends(sent: &[Sent], histories: &HashMap<String, Vec<Stored>>) -> Anomalies {
    let mut found = Anomalies::default();
    // client_msg_id → (conversation, seq, id) as stored, and the ids some sender used.
    let mut at: HashMap<(&str, &str), (i64, &str)> = HashMap::new();
    for (conversation, history) in histories {
        let mut previous = 0;
        for message in history {
            if message.seq <= previous {
                found.out_of_order += 1;
            } else {
                found.seq_gaps += u64::try_from(message.seq - previous - 1).unwrap_or(0);
                previous = message.seq;
            }
            if at.insert((conversation, &message.client_msg_id), (message.seq, &message.id)).is_some() {
                found.duplicated += 1;
            }
        }
    }
    let mut attempted: HashMap<&str, usize> = HashMap::new();
    for sender in sent {
        let mut last_seq = 0;
        for acked in &sender.acked {
            match at.get(&(sender.conversation.as_str(), acked.client_msg_id.as_str())) {
                None => found.lost += 1,
                Some(&(seq, id)) => {
                    if seq != acked.seq || id != acked.id {
                        found.ack_mismatch += 1;
                    }
                    if seq <= last_seq {
                        found.out_of_order += 1;
                    }
                    last_seq = seq;
                }
            }
        }
        attempted.insert(&sender.name, sender.acked.len() + usize::from(sender.unacked.is_some()));
    }
    // Every stored message must be one a sender made: `<sender>-<n>` with n below what it
    // attempted.
    for (_, client_msg_id) in at.keys() {
        let known = client_msg_id
            .rsplit_once('-')
            .and_then(|(name, n)| Some((attempted.get(name)?, n.parse::<usize>().ok()?)))
            .is_some_and(|(attempts, n)| n < *attempts);
        if !known {
            found.unexpected += 1;
        }
    }
    found
}

/// Listeners whose copy of some conversation differs from its history, with a reason each.
pub fn copies(heard: &[Heard], histories: &HashMap<String, Vec<Stored>>) -> Vec<String> {
    let mut diverged = Vec::new();
    for listener in heard {
        for (conversation, copy) in &listener.copies {
            let Some(history) = histories.get(conversation) else { continue };
            let truth: Vec<Entry> = history.iter().map(|m| Entry { seq: m.seq, id: m.id.clone() }).collect();
            if *copy != truth {
                let first = copy.iter().zip(&truth).position(|(a, b)| a != b).unwrap_or(copy.len().min(truth.len()));
                diverged.push(format!(
                    "{} in {conversation}: {} messages against {}, first difference at position {first}",
                    listener.name,
                    copy.len(),
                    truth.len()
                ));
            }
        }
    }
    diverged
}

/// Per conversation, how many messages the history holds.
pub fn sizes(histories: &HashMap<String, Vec<Stored>>) -> BTreeMap<String, usize> {
    histories.iter().map(|(id, history)| (id.clone(), history.len())).collect()
}
