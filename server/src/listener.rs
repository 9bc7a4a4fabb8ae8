//! The TCP acceptor the server listens with: poem's, with Nagle's algorithm turned off on
//! every accepted connection.
//!
//! Chat traffic is many small writes (a WebSocket frame per event). With Nagle on, a frame
//! written while the previous one is still unacknowledged waits for the peer's delayed ACK,
//! up to 40 ms on Linux, which is what a busy recipient's tail latency measured before.

use poem::http::uri::Scheme;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::web::{LocalAddr, RemoteAddr};
use tokio::net::TcpStream;

pub struct NoDelayAcceptor(pub TcpAcceptor);

impl Acceptor for NoDelayAcceptor {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(TcpStream, LocalAddr, RemoteAddr, Scheme)> {
        let (stream, local, remote, scheme) = self.0.accept().await?;
        if let Err(error) = stream.set_nodelay(true) {
            // Only latency is at stake; the connection itself is fine.
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        Ok((stream, local, remote, scheme))
    }
}
