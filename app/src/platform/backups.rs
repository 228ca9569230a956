//! Verified backups (API.md "Operations"): every backup gets a manifest
//! beside it (`FILE.manifest.json`: each table's row count and checksum as
//! the backup printed them, and the file's own SHA-256); verifying restores
//! the file into a scratch database, recomputes the report and compares,
//! recording the outcome beside it (`FILE.check.json`). The `backup` job
//! writes `cus-YYYYMMDDTHHMMSSZ.db` (SQLite) or `.dump` (PostgreSQL) into
//! `[backup] dir`, verifies it, and only then prunes the old ones.
//!
//! Nothing here touches the live database but to copy it: a SQLite backup
//! is verified on a copy in a temporary directory, a PostgreSQL one in a
//! database of its own (`cus_verify_…`, dropped afterwards) on the server
//! of the configured URL.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use cus_db::conn::DatabaseUrl;
use cus_db::Backend;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::platform::backup::{self, Report, TableSum};

pub const MANIFEST_SUFFIX: &str = ".manifest.json";
pub const CHECK_SUFFIX: &str = ".check.json";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// What a backup printed, kept beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub backend: String,
    /// The backup's file name (the manifest is `FILE.manifest.json`).
    pub file: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub bytes: u64,
    /// SHA-256 (hex) of the file itself.
    pub sha256: String,
    pub tables: Vec<TableSum>,
}

/// The outcome of the newest verification of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    /// RFC 3339 UTC.
    pub checked_at: String,
    pub ok: bool,
    /// What was compared, or why it failed (the table that differs).
    pub detail: String,
}

fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub fn manifest_path(file: &Path) -> PathBuf {
    beside(file, MANIFEST_SUFFIX)
}

pub fn check_path(file: &Path) -> PathBuf {
    beside(file, CHECK_SUFFIX)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// SHA-256 and length of a file, read in chunks.
fn file_digest(path: &Path) -> Result<(String, u64), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(h.finalize()), total))
}

/// Writes `value` as JSON to `path` through a temporary file and a rename,
/// synced, so a crash leaves the old file or the new one, never half.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let tmp = beside(path, ".tmp");
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn read_manifest(file: &Path) -> Result<Manifest, String> {
    let path = manifest_path(file);
    if !path.is_file() {
        return Err(format!(
            "no manifest beside {} (expected {}): it cannot be verified",
            file.display(),
            path.display()
        ));
    }
    read_json(&path)
}

pub fn read_check(file: &Path) -> Option<Check> {
    read_json(&check_path(file)).ok()
}

/// `cus backup create PATH`: the backup (see [`backup::backup`]) and its
/// manifest. A failure leaves nothing behind at `path`.
pub fn create(url: &str, path: &Path) -> Result<(Report, Manifest), String> {
    let existed = path.exists();
    let made = backup::backup(url, path).and_then(|report| {
        let (sha256, bytes) = file_digest(path)?;
        let manifest = Manifest {
            backend: report.backend.to_string(),
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            created_at: rfc3339(Utc::now()),
            bytes,
            sha256,
            tables: report.tables.clone(),
        };
        write_json(&manifest_path(path), &manifest)?;
        Ok((report, manifest))
    });
    if made.is_err() && !existed {
        let _ = std::fs::remove_file(path);
        let _ = std::fs::remove_file(manifest_path(path));
    }
    made
}

/// The tables that differ between the manifest and what the restored copy
/// holds, one line each; empty when they agree.
pub fn differences(expected: &[TableSum], found: &[TableSum]) -> Vec<String> {
    let found: BTreeMap<&str, &TableSum> = found.iter().map(|t| (t.table.as_str(), t)).collect();
    let mut out = vec![];
    for want in expected {
        match found.get(want.table.as_str()) {
            None => out.push(format!(
                "table {}: missing from the restored copy",
                want.table
            )),
            Some(got) if got.rows != want.rows => out.push(format!(
                "table {}: {} rows restored, the manifest says {}",
                want.table, got.rows, want.rows
            )),
            Some(got) if got.sha256 != want.sha256 => out.push(format!(
                "table {}: checksum differs from the manifest's",
                want.table
            )),
            Some(_) => {}
        }
    }
    let named: BTreeSet<&str> = expected.iter().map(|t| t.table.as_str()).collect();
    for table in found.keys().filter(|t| !named.contains(*t)) {
        out.push(format!("table {table}: not in the manifest"));
    }
    out
}

/// What a restored copy holds: each table's report, the tables that could
/// not be read (with why), and what the integrity check found besides.
struct Restored {
    tables: Vec<TableSum>,
    unreadable: Vec<(String, String)>,
    integrity: Option<String>,
}

/// Restores a SQLite backup into a scratch copy and reports it table by
/// table, so a damaged page names the table it belongs to.
fn restored_sqlite(file: &Path, expected: &[TableSum]) -> Result<Restored, String> {
    let scratch =
        std::env::temp_dir().join(format!("cus-verify-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("scratch directory: {e}"))?;
    let copy = scratch.join("restored.db");
    let outcome = (|| {
        std::fs::copy(file, &copy).map_err(|e| format!("{} is unreadable: {e}", file.display()))?;
        let target = copy.to_str().ok_or("the scratch path is not UTF-8")?;
        let unreadable = |e: &dyn std::fmt::Display| {
            format!("{} is unreadable as a SQLite database: {e}", file.display())
        };
        let mut c = SqliteConnection::establish(target).map_err(|e| unreadable(&e))?;
        let listed = backup::sqlite_tables(&mut c).map_err(|e| unreadable(&e))?;
        let mut names: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
        // A table the damaged schema lost is still looked for by name.
        names.extend(expected.iter().map(|t| t.table.as_str()));
        let mut restored = Restored {
            tables: vec![],
            unreadable: vec![],
            integrity: None,
        };
        for table in names {
            match backup::sqlite_table_sum(&mut c, table) {
                Ok(sum) => restored.tables.push(sum),
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().starts_with("no such table") => {}
                Err(e) => restored.unreadable.push((table.to_string(), e.to_string())),
            }
        }
        if restored.unreadable.is_empty() {
            #[derive(QueryableByName)]
            struct Line {
                #[diesel(sql_type = diesel::sql_types::Text)]
                quick_check: String,
            }
            let check: Vec<Line> = diesel::sql_query("SELECT quick_check FROM pragma_quick_check")
                .load(&mut c)
                .map_err(|e| unreadable(&e))?;
            let problems: Vec<String> = check
                .into_iter()
                .flat_map(|l| {
                    l.quick_check
                        .lines()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .filter(|l| l != "ok" && !l.starts_with("***"))
                .map(|l| name_the_tree(&mut c, l))
                .collect();
            if !problems.is_empty() {
                restored.integrity =
                    Some(format!("SQLite's integrity check: {}", problems.join("; ")));
            }
        }
        Ok(restored)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

/// A quick_check line about a b-tree ("Tree 3 page 3: …") with the table
/// (or index, and its table) that the tree holds.
fn name_the_tree(conn: &mut SqliteConnection, line: String) -> String {
    #[derive(QueryableByName)]
    struct Object {
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        tbl_name: String,
    }
    let Some(root) = line
        .strip_prefix("Tree ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<i32>().ok())
    else {
        return line;
    };
    let found: Option<Object> = diesel::sql_query(
        "SELECT type AS kind, name, tbl_name FROM sqlite_schema WHERE rootpage = ?",
    )
    .bind::<diesel::sql_types::Integer, _>(root)
    .get_result(conn)
    .ok();
    match found {
        Some(o) if o.kind == "table" => format!("table {}: {line}", o.name),
        Some(o) => format!("table {} ({} {}): {line}", o.tbl_name, o.kind, o.name),
        None => line,
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String, String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let (server, _) = base
        .rsplit_once('/')
        .filter(|(s, _)| s.contains("://") && !s.ends_with(':') && !s.ends_with('/'))
        .ok_or_else(|| "the PostgreSQL URL names no database".to_string())?;
    Ok(format!("{server}/{name}{query}"))
}

/// Restores a PostgreSQL dump into a database of its own on the server of
/// `url`, reports it, and drops it.
fn restored_postgres(url: &str, file: &Path) -> Result<Restored, String> {
    let db = DatabaseUrl::parse(url);
    if db.backend != Backend::Postgres {
        return Err(
            "a PostgreSQL backup is restored on a PostgreSQL server: pass --database postgres://…"
                .into(),
        );
    }
    let name = format!("cus_verify_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&db.target).map_err(|e| format!("database: {e}"))?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| {
            format!("cannot create the scratch database {name} (the role needs CREATEDB): {e}")
        })?;
    let scratch = with_database(&db.target, &name);
    let outcome = scratch.and_then(|scratch| {
        let mut cmd = Command::new(backup::pg_tool("pg_restore")?);
        cmd.args(["--no-owner", "--no-privileges", "--exit-on-error"])
            .arg("--dbname")
            .arg(&scratch)
            .arg(file);
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run pg_restore: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{} is unreadable by pg_restore: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let mut c = PgConnection::establish(&scratch).map_err(|e| format!("scratch: {e}"))?;
        c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .map_err(|e| e.to_string())?;
        let sums = backup::pg_sums(&mut c);
        let _ = c.batch_execute("COMMIT");
        sums.map(|tables| Restored {
            tables,
            unreadable: vec![],
            integrity: None,
        })
    });
    if let Err(e) = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
        tracing::warn!(database = %name, error = %e, "cannot drop the scratch database");
    }
    outcome
}

/// `cus backup verify FILE`: restores FILE into a scratch database and
/// compares each table with its manifest. `Ok` says what was compared;
/// `Err` names the tables that differ (or why the file is unreadable).
/// `url` is the server a PostgreSQL dump is restored on.
pub fn verify(url: &str, file: &Path) -> Result<String, String> {
    if !file.is_file() {
        return Err(format!("no backup at {}", file.display()));
    }
    let manifest = read_manifest(file)?;
    let (sha256, _) = file_digest(file)?;
    let restored = match manifest.backend.as_str() {
        "sqlite" => restored_sqlite(file, &manifest.tables)?,
        "postgres" => restored_postgres(url, file)?,
        other => return Err(format!("the manifest names an unknown backend {other:?}")),
    };
    let mut diff: Vec<String> = restored
        .unreadable
        .iter()
        .map(|(table, why)| format!("table {table}: unreadable ({why})"))
        .collect();
    let expected: Vec<TableSum> = manifest
        .tables
        .iter()
        .filter(|t| !restored.unreadable.iter().any(|(u, _)| *u == t.table))
        .cloned()
        .collect();
    diff.extend(differences(&expected, &restored.tables));
    diff.extend(restored.integrity);
    if !diff.is_empty() {
        return Err(diff.join("; "));
    }
    if sha256 != manifest.sha256 {
        return Err(format!(
            "every table matches, but the file's SHA-256 differs from the manifest's ({})",
            file.display()
        ));
    }
    let rows: u64 = restored.tables.iter().map(|t| t.rows).sum();
    Ok(format!(
        "{} tables, {rows} rows restored and equal to the manifest",
        restored.tables.len()
    ))
}

/// [`verify`], with its outcome recorded beside the file for `list`.
pub fn verify_and_record(url: &str, file: &Path) -> Result<String, String> {
    let outcome = verify(url, file);
    let check = Check {
        checked_at: rfc3339(Utc::now()),
        ok: outcome.is_ok(),
        detail: match &outcome {
            Ok(s) | Err(s) => s.clone(),
        },
    };
    // A file that is not there has nothing to record beside it.
    if file.is_file() {
        write_json(&check_path(file), &check)?;
    }
    if let Err(why) = &outcome {
        metrics::counter!(crate::platform::metrics::BACKUP_VERIFY_FAILURES).increment(1);
        tracing::error!(file = %file.display(), reason = %why, "backup failed verification");
    }
    outcome
}

/// One backup of a directory.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub file: PathBuf,
    pub bytes: u64,
    /// From the name (`cus-YYYYMMDDTHHMMSSZ.*`) or the manifest.
    pub created_at: Option<DateTime<Utc>>,
    /// `None`: never verified.
    pub check: Option<Check>,
    /// The job's own naming: only these are ever pruned.
    pub scheduled_name: bool,
}

impl Listed {
    pub fn ok(&self) -> bool {
        self.check.as_ref().is_some_and(|c| c.ok)
    }
}

/// The instant in a name the job gives (`cus-20261207T020000Z.db`).
fn stamp_of(name: &str) -> Option<DateTime<Utc>> {
    let rest = name.strip_prefix("cus-")?;
    let (stamp, ext) = rest.split_once('.')?;
    if ext != "db" && ext != "dump" {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()
        .map(|t| t.and_utc())
}

/// The backups of `dir`, newest first: the files with a manifest beside
/// them and the files the job names that lost theirs (an interrupted run).
pub fn list(dir: &Path) -> Result<Vec<Listed>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = vec![];
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(MANIFEST_SUFFIX)
            || name.ends_with(CHECK_SUFFIX)
            || name.ends_with(".tmp")
            || !path.is_file()
        {
            continue;
        }
        let stamp = stamp_of(name);
        let manifest = read_manifest(&path).ok();
        if stamp.is_none() && manifest.is_none() {
            continue;
        }
        let created_at = stamp.or_else(|| {
            manifest
                .as_ref()
                .and_then(|m| DateTime::parse_from_rfc3339(&m.created_at).ok())
                .map(|t| t.with_timezone(&Utc))
        });
        let check = if manifest.is_none() {
            Some(Check {
                checked_at: String::new(),
                ok: false,
                detail: "no manifest (an interrupted backup)".into(),
            })
        } else {
            read_check(&path)
        };
        out.push(Listed {
            bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
            file: path,
            created_at,
            check,
            scheduled_name: stamp.is_some(),
        });
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.file.cmp(&a.file)));
    Ok(out)
}

/// An unverified backup younger than this may still be being verified by
/// another server's run: retention leaves it alone.
const IN_PROGRESS: chrono::Duration = chrono::Duration::hours(1);

/// The backups retention keeps at `now`: of the verified ones the job
/// named, the newest of each of the last `keep_daily` days (UTC, today
/// included) and the newest of each of the `keep_weekly` ISO weeks before
/// those; always the newest verified backup, whatever the settings; and
/// whatever may still be in progress (made at or after `now`, or unverified
/// and younger than an hour).
pub fn keepers(
    backups: &[Listed],
    now: DateTime<Utc>,
    keep_daily: u32,
    keep_weekly: u32,
) -> BTreeSet<PathBuf> {
    let today = now.date_naive();
    let mut verified: Vec<(&Listed, DateTime<Utc>)> = backups
        .iter()
        .filter(|b| b.scheduled_name && b.ok())
        .filter_map(|b| b.created_at.map(|t| (b, t)))
        .collect();
    verified.sort_by(|a, b| b.1.cmp(&a.1));
    let mut keep: BTreeSet<PathBuf> = backups
        .iter()
        .filter(|b| match b.created_at {
            Some(t) if t >= now => true,
            Some(t) => b.check.is_none() && now - t < IN_PROGRESS,
            None => false,
        })
        .map(|b| b.file.clone())
        .collect();
    if let Some((newest, _)) = verified.first() {
        keep.insert(newest.file.clone());
    }
    let first_daily = today - chrono::Duration::days(i64::from(keep_daily.max(1)) - 1);
    let days: BTreeSet<NaiveDate> = (0..keep_daily)
        .map(|i| today - chrono::Duration::days(i64::from(i)))
        .collect();
    // The ISO weeks before the daily window: the week of the day before it,
    // and the ones before that.
    let before = first_daily - chrono::Duration::days(1);
    let weeks: BTreeSet<(i32, u32)> = (0..keep_weekly)
        .map(|i| {
            let w = (before - chrono::Duration::weeks(i64::from(i))).iso_week();
            (w.year(), w.week())
        })
        .collect();
    let mut taken_days = BTreeSet::new();
    let mut taken_weeks = BTreeSet::new();
    for (b, t) in &verified {
        let day = t.date_naive();
        if day > today {
            // A clock that went back: never delete what looks newer.
            keep.insert(b.file.clone());
        } else if day >= first_daily {
            if days.contains(&day) && taken_days.insert(day) {
                keep.insert(b.file.clone());
            }
        } else {
            let w = day.iso_week();
            let week = (w.year(), w.week());
            if weeks.contains(&week) && taken_weeks.insert(week) {
                keep.insert(b.file.clone());
            }
        }
    }
    keep
}

/// Deletes the job-named backups of `dir` that [`keepers`] does not keep,
/// with their manifests and checks; returns the files deleted. Files of
/// other names are never touched.
pub fn prune(
    dir: &Path,
    now: DateTime<Utc>,
    keep_daily: u32,
    keep_weekly: u32,
) -> Result<Vec<PathBuf>, String> {
    let backups = list(dir)?;
    let keep = keepers(&backups, now, keep_daily, keep_weekly);
    let mut deleted = vec![];
    for b in backups
        .iter()
        .filter(|b| b.scheduled_name && !keep.contains(&b.file))
    {
        std::fs::remove_file(&b.file).map_err(|e| format!("{}: {e}", b.file.display()))?;
        for extra in [manifest_path(&b.file), check_path(&b.file)] {
            match std::fs::remove_file(&extra) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{}: {e}", extra.display())),
            }
        }
        deleted.push(b.file.clone());
    }
    Ok(deleted)
}

/// Refuses a directory the job cannot write to before anything is made.
fn ensure_writable(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the backup directory {}: {e}", dir.display()))?;
    let probe = dir.join(format!(
        ".cus-write-probe-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&probe, b"").map_err(|e| {
        format!(
            "the backup directory {} is not writable: {e}",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The `backup` job: a new backup in `dir`, verified, then the old ones
/// pruned. A failure (unwritable directory, failed verification) is an
/// error and prunes nothing, so the previous backups stay.
pub fn scheduled(
    url: &str,
    dir: &Path,
    now: DateTime<Utc>,
    keep_daily: u32,
    keep_weekly: u32,
) -> Result<String, String> {
    ensure_writable(dir)?;
    let ext = match DatabaseUrl::parse(url).backend {
        Backend::Sqlite => "db",
        Backend::Postgres => "dump",
    };
    // Two runs in one second (two servers, a run by hand) would want one
    // name: the later one takes the next second's.
    let mut at = now;
    let mut name = format!("cus-{}.{ext}", at.format(STAMP));
    for _ in 0..2 {
        if !dir.join(&name).exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1000));
        at = Utc::now();
        name = format!("cus-{}.{ext}", at.format(STAMP));
    }
    let path = dir.join(&name);
    let (report, _) = create(url, &path)?;
    if let Err(why) = verify_and_record(url, &path) {
        return Err(format!("{name} failed verification: {why}"));
    }
    let pruned = prune(dir, now, keep_daily, keep_weekly)?;
    Ok(format!(
        "wrote {name} ({} tables, {} rows), verified; pruned {}",
        report.tables.len(),
        report.total_rows(),
        pruned.len()
    ))
}

/// `cus backup list`: one backup a line, `ok`, `FAILED` or `unverified`.
pub fn render_list(backups: &[Listed]) -> String {
    let mut out = String::new();
    for b in backups {
        let name = b
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let created = b.created_at.map(rfc3339).unwrap_or_else(|| "-".to_string());
        let (state, detail) = match &b.check {
            Some(c) if c.ok => ("ok", format!("verified {}", c.checked_at)),
            Some(c) => ("FAILED", c.detail.clone()),
            None => ("unverified", String::new()),
        };
        out.push_str(
            format!(
                "{name:<28}  {created:<20}  {:>12}  {state:<10}  {detail}",
                b.bytes
            )
            .trim_end(),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(stamp: &str, ok: bool) -> Listed {
        Listed {
            file: PathBuf::from(format!("cus-{stamp}.db")),
            bytes: 1,
            created_at: stamp_of(&format!("cus-{stamp}.db")),
            check: Some(Check {
                checked_at: String::new(),
                ok,
                detail: String::new(),
            }),
            scheduled_name: true,
        }
    }

    fn kept(backups: &[Listed], today: NaiveDate, daily: u32, weekly: u32) -> Vec<String> {
        let now = today.and_hms_opt(23, 0, 0).unwrap().and_utc();
        keepers(backups, now, daily, weekly)
            .into_iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    #[test]
    fn names_carry_their_instant() {
        assert_eq!(
            stamp_of("cus-20261207T020000Z.db").map(rfc3339).as_deref(),
            Some("2026-12-07T02:00:00Z")
        );
        assert!(stamp_of("cus-20261207T020000Z.db.manifest.json").is_none());
        assert!(stamp_of("notes.txt").is_none());
        assert!(stamp_of("cus-yesterday.db").is_none());
    }

    #[test]
    fn retention_keeps_the_newest_of_each_day_then_of_each_week() {
        // Relative to a fixed Monday so the weeks are easy to read; the rule
        // only looks at differences of days.
        let today = NaiveDate::from_ymd_opt(2030, 3, 18).unwrap(); // Monday, ISO week 12
        let at = |d: NaiveDate, h: u32| format!("{}T{h:02}0000Z", d.format("%Y%m%d"));
        let day = |n: i64| today - chrono::Duration::days(n);
        let mut all = vec![];
        for n in 0..40 {
            all.push(listed(&at(day(n), 2), true));
            all.push(listed(&at(day(n), 14), true));
        }
        let keep = kept(&all, today, 3, 2);
        // Days 0, 1, 2 (the 18th to the 16th): the 14:00 backup of each.
        // Then the two ISO weeks before the window: week 11 (the 11th to
        // the 17th), whose newest backup outside the window is of the 15th,
        // and week 10, whose newest is of Sunday the 10th.
        let mut want: Vec<String> = [day(0), day(1), day(2), day(3), day(8)]
            .iter()
            .map(|d| format!("cus-{}.db", at(*d, 14)))
            .collect();
        want.sort();
        assert_eq!(keep, want);
    }

    #[test]
    fn failed_backups_are_never_kept_but_the_newest_verified_always_is() {
        let today = NaiveDate::from_ymd_opt(2030, 3, 18).unwrap();
        let backups = vec![
            listed("20300318T020000Z", false),
            listed("20300101T020000Z", true),
        ];
        assert_eq!(
            kept(&backups, today, 7, 4),
            vec!["cus-20300101T020000Z.db".to_string()]
        );
    }

    #[test]
    fn what_another_run_may_still_be_verifying_is_left_alone() {
        let now = NaiveDate::from_ymd_opt(2030, 3, 18)
            .unwrap()
            .and_hms_opt(2, 0, 30)
            .unwrap()
            .and_utc();
        let mut verifying = listed("20300318T015959Z", true);
        verifying.check = None;
        let mut stale = listed("20300317T020000Z", true);
        stale.check = None;
        let backups = vec![
            listed("20300318T020031Z", false), // started after this run
            verifying,
            stale,
            listed("20300318T020000Z", true),
        ];
        let keep: Vec<String> = keepers(&backups, now, 7, 4)
            .into_iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            keep,
            vec![
                "cus-20300318T015959Z.db",
                "cus-20300318T020000Z.db",
                "cus-20300318T020031Z.db"
            ]
        );
    }

    #[test]
    fn differences_name_the_table() {
        let t = |table: &str, rows, sha: &str| TableSum {
            table: table.into(),
            rows,
            sha256: sha.into(),
        };
        let want = vec![t("plans", 3, "a"), t("users", 2, "b"), t("gone", 1, "c")];
        let got = vec![t("plans", 3, "a"), t("users", 2, "x"), t("extra", 0, "d")];
        assert_eq!(
            differences(&want, &got),
            vec![
                "table users: checksum differs from the manifest's",
                "table gone: missing from the restored copy",
                "table extra: not in the manifest",
            ]
        );
        assert!(differences(&want, &want).is_empty());
    }

    #[test]
    fn scratch_urls_keep_the_server_and_the_parameters() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/cus?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h/cus", "x").unwrap(),
            "postgres://h/x"
        );
        assert!(with_database("postgres://h", "x").is_err());
    }
}
