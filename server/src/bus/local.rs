use tokio::sync::broadcast;

use super::{BusError, Event, EventBus};

/// In-process channels: the embedded default, for one server process.
pub struct LocalBus {
    sender: broadcast::Sender<Event>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        LocalBus { sender }
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus::new(4096)
    }
}

#[async_trait::async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, event: Event) -> Result<(), BusError> {
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.sender.send(event);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    async fn ping(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Payload, Presence, Typing};

    #[tokio::test]
    async fn subscribers_receive_what_is_published_after_they_subscribe() {
        let bus = LocalBus::default();
        let early = Payload::Presence(Presence { user_id: "u".into(), online: true });
        bus.publish(Event::new("t", vec![], &early)).await.unwrap();
        let mut rx = bus.subscribe();
        let typing = Payload::Typing(Typing { conversation_id: "c".into(), user_id: "v".into() });
        bus.publish(Event::new("t", vec!["u".into()], &typing)).await.unwrap();
        let got = rx.recv().await.unwrap();
        assert_eq!(got.kind(), "typing");
        assert_eq!(got.payload["conversation_id"], "c");
        assert_eq!(got.audience, vec!["u".to_string()]);
    }
}
