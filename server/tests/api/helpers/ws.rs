//! A real WebSocket client for the app under test.

use serde_json::Value;

use super::TestApp;

/// A real WebSocket client.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl TestApp {
    /// Opens `/v1/chat/ws?token=...`; panics unless the upgrade succeeds.
    pub async fn ws(&self, token: &str) -> Ws {
        let url = format!("{}/v1/chat/ws?token={token}", self.address.replace("http://", "ws://"));
        let (stream, _) = tokio_tungstenite::connect_async(url).await.expect("websocket upgrade");
        Ws { stream }
    }

    /// The HTTP status of a refused upgrade.
    pub async fn ws_refused(&self, token: &str) -> u16 {
        let url = format!("{}/v1/chat/ws?token={token}", self.address.replace("http://", "ws://"));
        match tokio_tungstenite::connect_async(url).await {
            Ok(_) => panic!("the upgrade was accepted"),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        use futures::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(frame.to_string())).await.expect("send frame");
    }

    pub async fn send_raw(&mut self, text: String) {
        use futures::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(text)).await.expect("send frame");
    }

    /// The next JSON frame, within five seconds; `None` if the socket closed.
    pub async fn next(&mut self) -> Option<Value> {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(5), self.stream.next()).await.expect("a frame within 5 s")?;
            match message.ok()? {
                tokio_tungstenite::tungstenite::Message::Text(text) => return Some(serde_json::from_str(&text).expect("JSON frame")),
                tokio_tungstenite::tungstenite::Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await.unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Asserts nothing of `kind` arrives within `ms` milliseconds.
    pub async fn quiet(&mut self, kind: &str, ms: u64) {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, self.stream.next()).await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).unwrap();
                assert_ne!(frame["type"], kind, "unexpected frame {frame}");
            }
        }
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn closed_with(&mut self) -> u16 {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(10), self.stream.next()).await.expect("closed within 10 s");
            match message {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(None))) | None => return 1005,
                Some(Err(_)) => return 1006,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Stops reading without closing, like a client that went away.
    pub fn into_inner(self) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
        self.stream
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
