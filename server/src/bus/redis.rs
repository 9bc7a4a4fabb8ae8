use std::time::Duration;

use futures::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

use super::{BusError, Event, EventBus};

/// Redis pub/sub: every server process publishes to one channel and relays what it hears
/// to its own subscribers, so N stateless processes behind a load balancer act as one.
/// A process hears its own events through Redis too, so each is delivered exactly once.
pub struct RedisBus {
    conn: ConnectionManager,
    channel: String,
    local: broadcast::Sender<Event>,
}

impl RedisBus {
    /// Publishes on `conn`, the process's shared Redis connection, and subscribes through a
    /// connection of its own (a subscribed connection can do nothing else); returns once the
    /// subscription is in place, so nothing published afterwards is missed.
    pub async fn connect(client: redis::Client, conn: ConnectionManager, prefix: &str, capacity: usize) -> Result<Self, BusError> {
        let fail = |e: redis::RedisError| BusError(e.to_string());
        let channel = format!("{prefix}:events");
        let (local, _) = broadcast::channel(capacity);
        let mut pubsub = client.get_async_pubsub().await.map_err(fail)?;
        pubsub.subscribe(&channel).await.map_err(fail)?;
        tokio::spawn(relay(client, channel.clone(), pubsub, local.clone()));
        Ok(RedisBus { conn, channel, local })
    }
}

/// Forwards Redis messages to local subscribers; resubscribes after a lost connection.
async fn relay(client: redis::Client, channel: String, first: redis::aio::PubSub, local: broadcast::Sender<Event>) {
    let mut pubsub = Some(first);
    loop {
        let mut current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe(&client, &channel).await {
                Ok(p) => p,
                Err(error) => {
                    tracing::warn!(%error, "event bus: resubscribing to Redis failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let mut messages = current.on_message();
        while let Some(message) = messages.next().await {
            let Ok(payload) = message.get_payload::<String>() else { continue };
            match serde_json::from_str::<Event>(&payload) {
                Ok(event) => {
                    let _ = local.send(event);
                }
                Err(error) => tracing::warn!(%error, "event bus: dropped a malformed event"),
            }
        }
        tracing::warn!("event bus: Redis subscription ended; resubscribing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: Event) -> Result<(), BusError> {
        let payload = serde_json::to_string(&event).map_err(|e| BusError(e.to_string()))?;
        let mut conn = self.conn.clone();
        redis::cmd("PUBLISH").arg(&self.channel).arg(payload).query_async::<i64>(&mut conn).await.map_err(|e| BusError(e.to_string()))?;
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
    }
}
