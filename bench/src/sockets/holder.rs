//! Idle sockets live in helper processes (`sockets hold`), as many as a process may keep
//! open: a process here may hold 20,000 file descriptors, so 100,000 sockets need several.

use std::process::Stdio;

use anyhow::{bail, Context, Result};
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

use super::connect;

/// At most this many sockets are opened at once by one holder.
const OPENING_AT_ONCE: usize = 200;

/// The `hold` mode: reads one chat token a line from standard input up to an empty line,
/// opens one socket per token at `url` + token, prints `opened N`, then keeps the sockets
/// (answering the server's pings) until standard input closes.
pub async fn hold(url: &str) -> Result<()> {
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let mut tokens = Vec::new();
    while let Some(line) = input.next_line().await? {
        if line.is_empty() {
            break;
        }
        tokens.push(line);
    }
    let opened: Vec<_> = futures::stream::iter(tokens.iter().map(|token| connect(format!("{url}{token}"))))
        .buffer_unordered(OPENING_AT_ONCE)
        .collect()
        .await;
    let mut sockets = Vec::with_capacity(opened.len());
    for socket in opened {
        sockets.push(socket.context("opening an idle socket")?);
    }
    println!("opened {}", sockets.len());
    let drains: Vec<_> =
        sockets.into_iter().map(|mut socket| tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} })).collect();
    while input.next_line().await?.is_some() {}
    for drain in drains {
        drain.abort();
    }
    Ok(())
}

/// A holder process, seen from the benchmark.
pub struct Holder {
    child: Child,
    stdin: ChildStdin,
}

impl Holder {
    /// Starts a holder that opens one socket per token at `url`, and waits until all are open.
    pub async fn open(url: &str, tokens: &[String]) -> Result<Self> {
        let me = std::env::current_exe()?;
        let mut child =
            Command::new(me).args(["hold", "--url", url]).stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
        let mut stdin = child.stdin.take().context("holder stdin")?;
        let mut lines = BufReader::new(child.stdout.take().context("holder stdout")?).lines();
        stdin.write_all(format!("{}\n\n", tokens.join("\n")).as_bytes()).await?;
        stdin.flush().await?;
        match lines.next_line().await? {
            Some(line) if line == format!("opened {}", tokens.len()) => Ok(Holder { child, stdin }),
            other => bail!("a holder did not open its sockets: {other:?}"),
        }
    }

    /// Closes the holder's input; it closes its sockets and exits.
    pub async fn close(mut self) -> Result<()> {
        drop(self.stdin);
        self.child.wait().await?;
        Ok(())
    }
}
