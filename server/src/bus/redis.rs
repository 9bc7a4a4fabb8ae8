use std::time::Duration;

use futures::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

use super::{BusError, Event, EventBus};

/// Redis pub/sub: every server process publishes to one channel and relays what it hears
/// to its own subscribers, so N stateless processes behind a load balancer act as one.
/// A process hears its own events through Redis too, so each is delivered exactly once.
///
/// Without Redis a process goes on alone: what it publishes reaches its own sockets
/// directly, and once its subscription is back it tells every socket to `resync`, since
/// whatever the other processes published meanwhile never reached it.
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
        let channel = format!("{prefix}:events");
        let (local, _) = broadcast::channel(capacity);
        let pubsub = subscribe(&client, &channel).await?;
        tokio::spawn(relay(client, channel.clone(), pubsub, local.clone()));
        Ok(RedisBus { conn, channel, local })
    }
}

/// How long a process waits between attempts to subscribe again.
const RESUBSCRIBE_PAUSE: Duration = Duration::from_millis(250);
/// The longest a publish or a subscription attempt may take before Redis counts as gone.
const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

/// Forwards Redis messages to local subscribers; resubscribes after a lost connection and
/// then has every local socket resync.
async fn relay(client: redis::Client, channel: String, first: redis::aio::PubSub, local: broadcast::Sender<Event>) {
    let mut pubsub = Some(first);
    let mut failures = 0u32;
    loop {
        let mut current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe(&client, &channel).await {
                Ok(p) => {
                    tracing::info!("event bus: subscribed to Redis again; sockets resync");
                    failures = 0;
                    let _ = local.send(Event::resync());
                    p
                }
                Err(error) => {
                    // Said once when the outage starts, then every minute or so.
                    if failures % 240 == 0 {
                        tracing::warn!(%error, "event bus: resubscribing to Redis failed; retrying");
                    }
                    failures += 1;
                    tokio::time::sleep(RESUBSCRIBE_PAUSE).await;
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
        tokio::time::sleep(RESUBSCRIBE_PAUSE).await;
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> Result<redis::aio::PubSub, BusError> {
    let attempt = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    match tokio::time::timeout(REDIS_TIMEOUT, attempt).await {
        Ok(result) => result.map_err(|e| BusError(e.to_string())),
        Err(_) => Err(BusError("Redis did not answer in time".into())),
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: Event) -> Result<(), BusError> {
        let payload = serde_json::to_string(&event).map_err(|e| BusError(e.to_string()))?;
        let mut conn = self.conn.clone();
        let mut publish = redis::cmd("PUBLISH");
        publish.arg(&self.channel).arg(payload);
        let error = match tokio::time::timeout(REDIS_TIMEOUT, publish.query_async::<i64>(&mut conn)).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(error)) => error.to_string(),
            Err(_) => "Redis did not answer in time".to_owned(),
        };
        // This process's own sockets still hear it. Should Redis have taken it after all
        // (its answer lost), they hear it twice; clients know a message by its id and seq.
        let _ = self.local.send(event);
        Err(BusError(error))
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
    }
}
