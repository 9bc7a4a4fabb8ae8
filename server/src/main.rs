//! The `confab-server` command line. All logic lives in the library.

use clap::{Parser, Subcommand};

/// mimalloc keeps the memory of many idle sockets low: glibc's allocator retains the
/// request buffers freed after each WebSocket upgrade (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use confab_server::{api, bootstrap, search, startup, telemetry, Application, Config};

#[derive(Parser)]
#[command(name = "confab-server", version, about = "Self-hostable, multi-tenant chat server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Create the first tenant, superadmin and secret key if the database is empty.
    Bootstrap,
    /// Empty the search index and index every message of the database again (Meilisearch;
    /// the database's own index needs no rebuild).
    RebuildSearchIndex,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        println!("{}", api::spec_json());
        return Ok(());
    }
    let config = Config::load()?;
    telemetry::init(&config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            startup::connect_database(&config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Bootstrap => {
            let state = startup::build_state(config).await?;
            match bootstrap::run(&state).await? {
                Some(report) => println!("{report}"),
                None => println!("already bootstrapped"),
            }
            Ok(())
        }
        Command::RebuildSearchIndex => {
            let db = startup::connect_database(&config).await?;
            let index = startup::connect_search(&config, &db)?;
            if !index.fed_by_outbox() {
                println!("the {} search index follows every write by itself; nothing to rebuild", index.kind());
                return Ok(());
            }
            let read = search::relay::rebuild(&db, index.as_ref()).await?;
            println!("search index rebuilt from {read} messages");
            Ok(())
        }
        Command::Openapi => unreachable!("handled above"),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Listened for before the port opens: a SIGTERM sent as soon as the server answers must
    // start a graceful shutdown, not meet the default action and kill the process.
    let shutdown = shutdown_signal()?;
    let mut app = Application::build(config).await?;
    let host = app.state().config.addr.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host).to_owned();
    if let Some(report) = app.take_bootstrap_report() {
        println!("{report}");
        println!("  console:     {}", console_url(app.state().config.public_url.as_deref(), &host, app.port()));
    }
    // On stdout, so scripts that start the server on port 0 learn where it listens.
    println!("listening on http://{host}:{}", app.port());
    tracing::info!(port = app.port(), "listening");
    app.run_until(shutdown).await?;
    Ok(())
}

/// Where an operator opens the admin console: under the public URL when one is set, else on
/// the listening address (a wildcard address is reachable as localhost).
fn console_url(public_url: Option<&str>, host: &str, port: u16) -> String {
    match public_url {
        Some(url) => format!("{}/admin/", url.trim_end_matches('/')),
        None => {
            let host = if matches!(host, "0.0.0.0" | "[::]") { "localhost" } else { host };
            format!("http://{host}:{port}/admin/")
        }
    }
}

/// A future that resolves on Ctrl-C or SIGTERM; both are listened for from this call on.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    // Registered now, not on the future's first poll: `ctrl_c` installs its handler lazily.
    let ctrl_c = tokio::spawn(tokio::signal::ctrl_c());
    Ok(async move {
        #[cfg(unix)]
        let term = async move {
            term.recv().await;
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
    })
}
