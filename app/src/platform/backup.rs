//! `cus backup` and `cus restore`: an online, consistent copy of the database
//! and its return, each with a per-table report to compare.
//!
//! - SQLite: `VACUUM INTO` takes the copy inside one read transaction, so the
//!   server keeps writing (WAL) and the copy is one snapshot. Restore copies
//!   the file into place (removing stale `-wal`/`-shm`) and migrates.
//! - PostgreSQL: `pg_dump --format=custom`, run on a snapshot exported by a
//!   repeatable-read transaction that computes the report on the very same
//!   snapshot; restore is `pg_restore --clean --if-exists --no-owner`.
//!
//! The report: for every table, its row count and a SHA-256 over its rows.
//! Each row is rendered as one text by the database (SQLite: `quote()` of
//! every column, in declaration order, joined by `,`; PostgreSQL: the row's
//! composite text `t::text`), the texts are sorted bytewise (`COLLATE "C"` on
//! PostgreSQL, binary on SQLite) and hashed, each followed by a newline. The
//! order does not depend on keys, and two copies of a table have the same sum
//! exactly when they hold the same rows. Renderings differ between backends,
//! so sums compare only within one backend (backup against restore).

use cus_db::conn::DatabaseUrl;
use cus_db::Backend;
use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{PgConnection, SqliteConnection};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSum {
    pub table: String,
    pub rows: u64,
    /// SHA-256 (hex) over the table's sorted row texts.
    pub sha256: String,
}

/// What a backup or a restore found in the copy it made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub backend: &'static str,
    pub path: PathBuf,
    pub tables: Vec<TableSum>,
    #[serde(skip)]
    pub took: Duration,
}

impl Report {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    /// The table printed by the commands: one table a line, then the totals.
    pub fn render(&self) -> String {
        let width = self
            .tables
            .iter()
            .map(|t| t.table.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut out = format!("{:<width$}  {:>10}  SHA-256\n", "TABLE", "ROWS");
        for t in &self.tables {
            out.push_str(&format!(
                "{:<width$}  {:>10}  {}\n",
                t.table, t.rows, t.sha256
            ));
        }
        out.push_str(&format!(
            "{} tables, {} rows, {} ms ({}: {})\n",
            self.tables.len(),
            self.total_rows(),
            self.took.as_millis(),
            self.backend,
            self.path.display()
        ));
        out
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = Text)]
    r: String,
}

fn db_err(what: &str) -> impl Fn(diesel::result::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// `"name"` with embedded quotes doubled: an identifier both backends take.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn sha_hex(rows: impl Iterator<Item = QueryResult<RowText>>) -> QueryResult<(u64, String)> {
    let mut h = Sha256::new();
    let mut n = 0u64;
    for r in rows {
        h.update(r?.r.as_bytes());
        h.update(b"\n");
        n += 1;
    }
    Ok((n, hex::encode(h.finalize())))
}

/// The tables of a SQLite database, by name.
pub fn sqlite_tables(conn: &mut SqliteConnection) -> QueryResult<Vec<String>> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)?;
    Ok(tables.into_iter().map(|t| t.name).collect())
}

/// The platform's own tables on either backend: not the migration
/// bookkeeping, not SQLite's internals or the shadow tables of its FTS5
/// index (the register of processing describes every other one).
pub fn table_names(conn: &mut cus_db::DbConn) -> QueryResult<Vec<String>> {
    let names: Vec<String> = match conn {
        cus_db::DbConn::Sqlite(c) => sqlite_tables(c)?,
        cus_db::DbConn::Pg(c) => {
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .load(c)?;
            tables.into_iter().map(|t| t.name).collect()
        }
    };
    // SQLite keeps an FTS5 index's rows in shadow tables named after it.
    let virtual_tables: Vec<String> = match conn {
        cus_db::DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .load::<Name>(c)?
        .into_iter()
        .map(|t| format!("{}_", t.name))
        .collect(),
        cus_db::DbConn::Pg(_) => vec![],
    };
    Ok(names
        .into_iter()
        .filter(|n| !n.starts_with("__diesel") && !virtual_tables.iter().any(|v| n.starts_with(v)))
        .collect())
}

/// One table's rows and checksum.
pub fn sqlite_table_sum(conn: &mut SqliteConnection, table: &str) -> QueryResult<TableSum> {
    let cols: Vec<Name> = diesel::sql_query("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        .bind::<Text, _>(table)
        .load(conn)?;
    let expr = cols
        .iter()
        .map(|col| format!("quote({})", ident(&col.name)))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    let (rows, sha256) = sha_hex(
        diesel::sql_query(format!(
            "SELECT {expr} AS r FROM {} ORDER BY 1",
            ident(table)
        ))
        .load_iter::<RowText, DefaultLoadingMode>(conn)?,
    )?;
    Ok(TableSum {
        table: table.to_string(),
        rows,
        sha256,
    })
}

/// The report of a SQLite database, read in one read transaction.
pub fn sqlite_sums(conn: &mut SqliteConnection) -> Result<Vec<TableSum>, String> {
    conn.transaction(|c| {
        sqlite_tables(c)?
            .iter()
            .map(|t| sqlite_table_sum(c, t))
            .collect::<QueryResult<Vec<_>>>()
    })
    .map_err(db_err("checksums"))
}

/// The report of the PostgreSQL database `conn` is on (schema `public`), on
/// the snapshot of the transaction it is called in (or its own).
pub fn pg_sums(conn: &mut PgConnection) -> Result<Vec<TableSum>, String> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         ORDER BY table_name COLLATE \"C\"",
    )
    .load(conn)
    .map_err(db_err("checksums"))?;
    let mut out = vec![];
    for t in tables {
        // Row by row: a large table is never held in memory whole.
        let (rows, sha256) = sha_hex(
            diesel::sql_query(format!(
                "SELECT t::text AS r FROM public.{} AS t ORDER BY t::text COLLATE \"C\"",
                ident(&t.name)
            ))
            .load_iter::<RowText, PgRowByRowLoadingMode>(conn)
            .map_err(db_err("checksums"))?,
        )
        .map_err(db_err("checksums"))?;
        out.push(TableSum {
            table: t.name,
            rows,
            sha256,
        });
    }
    Ok(out)
}

/// The report of the database at `url` as it is now.
pub fn sums(url: &str) -> Result<Vec<TableSum>, String> {
    let url = DatabaseUrl::parse(url);
    match url.backend {
        Backend::Sqlite => {
            if !Path::new(&url.target).exists() {
                return Err(format!("no database at {}", url.target));
            }
            let mut c = SqliteConnection::establish(&url.target).map_err(|e| e.to_string())?;
            sqlite_sums(&mut c)
        }
        Backend::Postgres => {
            let mut c = PgConnection::establish(&url.target).map_err(|e| e.to_string())?;
            c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .map_err(db_err("checksums"))?;
            let tables = pg_sums(&mut c);
            let _ = c.batch_execute("COMMIT");
            tables
        }
    }
}

/// A URL without its password (`user:secret@` becomes `user@`).
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A PostgreSQL client program: on PATH, else the newest under
/// `/usr/lib/postgresql/*/bin`.
pub fn pg_tool(name: &str) -> Result<PathBuf, String> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    // Directories are major versions: the highest number is the newest.
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|b| b.parent())
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().ok_or_else(|| {
        format!(
            "{name} not found on PATH nor under /usr/lib/postgresql/*/bin: \
             install the PostgreSQL client tools (e.g. the postgresql-client package)"
        )
    })
}

fn run_tool(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `cus backup PATH`: a consistent copy of the database at `url`, taken
/// while it is in use; refuses to overwrite `path`. The report is of the
/// copy itself (SQLite: read from the new file; PostgreSQL: the snapshot
/// the dump was taken from).
pub fn backup(url: &str, path: &Path) -> Result<Report, String> {
    let started = Instant::now();
    if path.exists() {
        return Err(format!(
            "{} already exists: a backup never overwrites a file",
            path.display()
        ));
    }
    let db = DatabaseUrl::parse(url);
    let tables = match db.backend {
        Backend::Sqlite => {
            if !Path::new(&db.target).exists() {
                return Err(format!("no database at {}", db.target));
            }
            let dest = path
                .to_str()
                .ok_or_else(|| format!("{} is not valid UTF-8", path.display()))?;
            let mut c = SqliteConnection::establish(&db.target).map_err(|e| e.to_string())?;
            c.batch_execute("PRAGMA busy_timeout = 15000;")
                .map_err(db_err("backup"))?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(dest)
                .execute(&mut c)
                .map_err(db_err("VACUUM INTO"))?;
            drop(c);
            let mut copy = SqliteConnection::establish(dest).map_err(|e| e.to_string())?;
            sqlite_sums(&mut copy)?
        }
        Backend::Postgres => {
            let pg_dump = pg_tool("pg_dump")?;
            let mut c = PgConnection::establish(&db.target).map_err(|e| e.to_string())?;
            c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .map_err(db_err("backup"))?;
            let snapshot: Vec<Name> = diesel::sql_query("SELECT pg_export_snapshot() AS name")
                .load(&mut c)
                .map_err(db_err("pg_export_snapshot"))?;
            let snapshot = snapshot
                .into_iter()
                .next()
                .map(|n| n.name)
                .ok_or("pg_export_snapshot answered nothing")?;
            let mut cmd = Command::new(&pg_dump);
            cmd.arg("--format=custom")
                .arg(format!("--snapshot={snapshot}"))
                .arg("--file")
                .arg(path)
                .arg(&db.target);
            let dumped = run_tool(cmd, "pg_dump");
            let tables = dumped.and_then(|()| pg_sums(&mut c));
            let _ = c.batch_execute("COMMIT");
            if tables.is_err() {
                let _ = std::fs::remove_file(path);
            }
            tables?
        }
    };
    Ok(Report {
        backend: db.backend.name(),
        path: path.to_path_buf(),
        tables,
        took: started.elapsed(),
    })
}

/// Refuses when another connection (a running server, in this process or
/// another) has the SQLite database open: an exclusive lock in exclusive
/// locking mode is granted only to the sole user of a WAL database.
fn refuse_if_in_use(path: &str) -> Result<(), String> {
    let mut c = SqliteConnection::establish(path).map_err(|e| format!("{path}: {e}"))?;
    let probe = c.batch_execute(
        "PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;",
    );
    drop(c);
    match probe {
        Ok(()) => Ok(()),
        Err(e) if e.to_string().contains("locked") || e.to_string().contains("busy") => Err(
            format!("{path} is in use (is the server running?): stop it before restoring"),
        ),
        Err(e) => Err(format!("{path}: {e}")),
    }
}

/// `cus restore PATH`: puts the backup at `path` in place of the database at
/// `url`, migrates it, and reports it. On SQLite an existing database file
/// is replaced only with `force`, and never while it is open elsewhere (a
/// running server is refused; the check and the replacement are not atomic,
/// so stop the server first); on PostgreSQL the dump's objects replace
/// those of the same names (`--clean --if-exists`).
pub fn restore(url: &str, path: &Path, force: bool) -> Result<Report, String> {
    let started = Instant::now();
    if !path.is_file() {
        return Err(format!("no backup at {}", path.display()));
    }
    let db = DatabaseUrl::parse(url);
    match db.backend {
        Backend::Sqlite => {
            let target = PathBuf::from(&db.target);
            if target.exists() && !force {
                return Err(format!(
                    "{} exists: stop the server and pass --force to replace it",
                    target.display()
                ));
            }
            if target.exists() {
                refuse_if_in_use(&db.target)?;
            }
            // A backup that is not a sound SQLite database is refused before
            // anything is touched.
            {
                let src = path
                    .to_str()
                    .ok_or_else(|| format!("{} is not valid UTF-8", path.display()))?;
                let mut c = SqliteConnection::establish(src).map_err(|e| e.to_string())?;
                let check: Vec<Name> =
                    diesel::sql_query("SELECT quick_check AS name FROM pragma_quick_check")
                        .load(&mut c)
                        .map_err(|e| format!("{} is not a SQLite database: {e}", path.display()))?;
                if check.first().map(|n| n.name.as_str()) != Some("ok") {
                    return Err(format!("{} fails its integrity check", path.display()));
                }
            }
            if let Some(dir) = target.parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
            }
            let tmp = PathBuf::from(format!("{}.restoring", db.target));
            std::fs::copy(path, &tmp).map_err(|e| format!("copy {}: {e}", path.display()))?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| e.to_string())?;
            // The old database's journal must not be replayed onto the copy.
            for suffix in ["-wal", "-shm", "-journal"] {
                let stale = PathBuf::from(format!("{}{suffix}", db.target));
                match std::fs::remove_file(&stale) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(format!("remove {}: {e}", stale.display())),
                }
            }
            std::fs::rename(&tmp, &target).map_err(|e| e.to_string())?;
        }
        Backend::Postgres => {
            let pg_restore = pg_tool("pg_restore")?;
            let mut cmd = Command::new(&pg_restore);
            cmd.args(["--clean", "--if-exists", "--no-owner", "--exit-on-error"])
                .arg("--dbname")
                .arg(&db.target)
                .arg(path);
            run_tool(cmd, "pg_restore")?;
        }
    }
    let pool = cus_db::connect(url, 1)?;
    let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
    let applied = cus_db::migrate(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied to the restored database");
    }
    drop(conn);
    drop(pool);
    Ok(Report {
        backend: db.backend.name(),
        path: PathBuf::from(redact(&db.target)),
        tables: sums(url)?,
        took: started.elapsed(),
    })
}

/// `cus restore`: the backup at `path` in place of the database at `url`
/// (`restore`), then every erasure logged since applied
/// again. Answers the restore's report and how many it re-applied.
pub fn restore_keeping_erasures(
    url: &str,
    path: &Path,
    force: bool,
    log: &crate::privacy::anonymise::ErasureLog,
) -> Result<(Report, usize), String> {
    let report = restore(url, path, force)?;
    let pool = cus_db::connect(url, 1)?;
    let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
    let applied = crate::privacy::anonymise::reapply(&mut conn, log)?;
    Ok((report, applied))
}
