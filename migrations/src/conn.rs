//! One connection type for both backends, the pool, and migrations.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("postgres");

/// A connection to SQLite (the embedded default) or PostgreSQL (the scale path).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Pg(_) => Backend::Postgres,
        }
    }
}

/// A database URL split into its backend and what that backend's driver takes.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    pub backend: Backend,
    pub target: String,
}

impl DatabaseUrl {
    /// `postgres://…`/`postgresql://…` is PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a bare path is a SQLite file.
    pub fn parse(url: &str) -> DatabaseUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseUrl {
                backend: Backend::Postgres,
                target: url.to_string(),
            }
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            DatabaseUrl {
                backend: Backend::Sqlite,
                target: path.to_string(),
            }
        }
    }

    pub(crate) fn establish(&self) -> ConnectionResult<DbConn> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                // The platform's queries are short and planned many times:
                // JIT compilation costs tens of milliseconds each time a
                // plan's estimate crosses jit_above_cost (measured: the
                // diagnosis's family count, 25 ms → 236 ms with it).
                conn.batch_execute("SET jit = off")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Pg(conn))
            }
            Backend::Sqlite => {
                if let Some(dir) = std::path::Path::new(&self.target).parent() {
                    if !dir.as_os_str().is_empty() && !self.target.starts_with(':') {
                        let _ = std::fs::create_dir_all(dir);
                    }
                }
                let mut conn = SqliteConnection::establish(&self.target)?;
                // WAL lets readers run beside the writer; FULL makes each commit
                // durable; the busy timeout queues writers instead of failing.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// r2d2 manager that picks the backend from the URL rather than by trial.
#[derive(Debug, Clone)]
pub struct Manager(DatabaseUrl);

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        self.0.establish()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection still inside a transaction (its holder panicked or
    /// forgot to finish), or whose transaction state is unknown, is never
    /// handed out again: the pool drops it, and closing rolls it back.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        !outside_transaction(conn)
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens a pool on `url`. SQLite gets a small pool: one writer at a time anyway.
pub fn connect(url: &str, max_size: u32) -> Result<Pool, String> {
    let url = DatabaseUrl::parse(url);
    r2d2::Pool::builder()
        // A SQLite file cannot go away under a connection, so skip r2d2's
        // `SELECT 1` on every checkout there (`has_broken` still discards
        // connections in a bad state); a PostgreSQL server can restart.
        .test_on_check_out(url.backend == Backend::Postgres)
        .max_size(max_size.max(1))
        .min_idle(Some(1))
        .connection_timeout(std::time::Duration::from_secs(20))
        .build(Manager(url.clone()))
        .map_err(|e| format!("cannot open the database {}: {e}", url.target))
}

/// Applies the embedded migrations of this connection's backend; returns the
/// versions applied now.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(versions),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(versions),
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// The versions of the embedded migrations not yet applied to this
/// database (readiness: a server whose schema is behind is not ready).
pub fn pending_migrations(conn: &mut DbConn) -> Result<Vec<String>, String> {
    fn names<DB: diesel::backend::Backend>(
        m: Vec<Box<dyn diesel::migration::Migration<DB>>>,
    ) -> Vec<String> {
        m.iter().map(|m| m.name().version().to_string()).collect()
    }
    let pending = match conn {
        DbConn::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS).map(names),
        DbConn::Pg(c) => c.pending_migrations(POSTGRES_MIGRATIONS).map(names),
    };
    pending.map_err(|e| format!("cannot read the applied migrations: {e}"))
}

fn versions(v: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|m| m.to_string()).collect()
}

/// Runs `f` in a write transaction. On SQLite the transaction starts with
/// `BEGIN IMMEDIATE`, so the write lock is taken up front and a concurrent
/// writer waits on the busy timeout instead of failing on lock upgrade.
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConn as Connection>::TransactionManager;
    let top_level = outside_transaction(conn);
    match conn {
        DbConn::Sqlite(c) if top_level => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        _ => Tm::begin_transaction(conn)?,
    }
    // A panic inside `f` rolls the transaction back before it goes on
    // unwinding, so the connection is left as it was found.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)));
    match outcome {
        Ok(Ok(value)) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Tm::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Ok(Err(e)) => {
            let _ = Tm::rollback_transaction(conn);
            Err(e)
        }
        Err(panic) => {
            let _ = Tm::rollback_transaction(conn);
            std::panic::resume_unwind(panic)
        }
    }
}

/// Runs the read `f` in one read transaction: its queries see one snapshot
/// and, on SQLite, share one read lock. Nothing may be written in it
/// (PostgreSQL refuses; audited reads collect their audit rows instead).
pub fn read_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConn as Connection>::TransactionManager;
    let top_level = outside_transaction(conn);
    if !top_level {
        return f(conn);
    }
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN DEFERRED")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN READ ONLY")?,
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)));
    // A read has nothing to keep: end it the cheapest safe way.
    let end = Tm::rollback_transaction(conn);
    match outcome {
        Ok(Ok(value)) => {
            end?;
            Ok(value)
        }
        Ok(Err(e)) => Err(e),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// True when no transaction is open on `conn` (and its state is known).
fn outside_transaction(conn: &mut DbConn) -> bool {
    type Tm = <DbConn as Connection>::TransactionManager;
    matches!(
        Tm::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(None)
    )
}
