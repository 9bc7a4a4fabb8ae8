//! A throwaway PostgreSQL database for one benchmark run, made beside the one a URL names.

use anyhow::Context;
use sqlx::{Connection, PgConnection};

/// A database created for this run; `drop_now` removes it (with any open connections).
pub struct FreshDatabase {
    admin: PgConnection,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl FreshDatabase {
    /// Creates `confab_bench_<ulid>` on the server of `admin_url`, where the user of that
    /// URL may create databases (the test instance of `scripts/services.sh` will do).
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("confab_bench_{}", ulid::Ulid::new().to_string().to_lowercase());
        let mut admin = PgConnection::connect(admin_url).await.context("connecting to CONFAB_BENCH_DATABASE_URL")?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(admin_url);
        let url = format!("{base}/{name}");
        Ok(FreshDatabase { admin, name, url })
    }

    pub async fn drop_now(mut self) -> anyhow::Result<()> {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut self.admin).await?;
        Ok(())
    }
}

/// The admin URL from `CONFAB_BENCH_DATABASE_URL`, if set.
pub fn admin_url() -> Option<String> {
    std::env::var("CONFAB_BENCH_DATABASE_URL").ok().filter(|url| !url.is_empty())
}
