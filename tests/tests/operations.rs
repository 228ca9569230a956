//! Operations (API.md "Operations"): Prometheus metrics by route pattern
//! behind a token, readiness beside liveness, verified backups and the
//! `backup` job with its retention, JSON logs, and JSON bodies that name a
//! key twice.

use chrono::{Datelike, Duration, Utc};
use cus::platform::backups;
use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

const TOKEN: &str = "metrics-token-for-tests";

/// The extension the backup job gives this backend's backups.
fn backup_ext() -> &'static str {
    if backend() == "postgres" {
        "dump"
    } else {
        "db"
    }
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The value of the first sample of `name` whose labels include every one
/// of `labels` (`key="value"` as the text format writes them).
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_behind_a_token() {
    let backup_dir = temp_dir().join("backups");
    let dir = backup_dir.clone();
    let app = spawn_with(move |c| {
        c.metrics.token = TOKEN.into();
        c.backup.dir = dir;
    })
    .await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;

    // No token, a wrong one: 401, nothing shown and nothing counted.
    for token in [None, Some("wrong"), Some("")] {
        let (s, body) = scrape(&app, token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(!body.contains("cus_"), "{body}");
    }

    // Two ids of one route and a path no route has.
    let ids = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
    for id in ids {
        let (s, _) = app.get(&format!("/api/v1/plans/{id}"), &coordinator).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, _) = app
        .call(Method::GET, "/no-such-page/secret-segment", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A write through the API (on SQLite, a batch of the writer).
    let admin = app.user(Role::Admin, "").await;
    let (s, b) = app
        .post(
            "/api/v1/municipalities",
            &admin,
            json!({"teryt": "1465011", "name": "Warszawa"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // Something queued for a while, and a job that ran.
    app.with_db(|c| {
        cus_db::outbox::enqueue(c, "email_confirm", "pl", "queued@test.example", &json!({}))
            .unwrap();
        diesel::update(cus_db::schema::outbox::table)
            .set(cus_db::schema::outbox::created_at.eq(cus_db::now() - Duration::seconds(120)))
            .execute(c)
            .unwrap();
    });
    app.run_job("housekeeping");

    let (s, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(s, StatusCode::OK, "{text}");
    let plans = [
        "route=\"/api/v1/plans/{id}\"",
        "method=\"GET\"",
        "status=\"404\"",
    ];
    assert!(
        sample(&text, "cus_http_requests_total", &plans).unwrap_or(0.0) >= 2.0,
        "{text}"
    );
    assert!(
        sample(
            &text,
            "cus_http_requests_total",
            &["route=\"unmatched\"", "status=\"404\""]
        )
        .is_some(),
        "{text}"
    );
    // Never a raw path: neither the ids nor the unmatched path's words.
    for id in ids {
        assert!(!text.contains(&id.to_string()), "{id} in {text}");
    }
    assert!(!text.contains("secret-segment"));
    // The refused scrapes counted nothing.
    assert!(!text.contains("route=\"/metrics\""), "{text}");
    assert!(
        sample(
            &text,
            "cus_http_request_duration_seconds_bucket",
            &["route=\"/api/v1/plans/{id}\"", "le=\"+Inf\""]
        )
        .unwrap_or(0.0)
            >= 2.0,
        "{text}"
    );
    assert!(sample(&text, "cus_db_pool_connections", &["state=\"idle\""]).is_some());
    assert!(sample(&text, "cus_db_pool_connections", &["state=\"in_use\""]).is_some());
    assert_eq!(
        sample(&text, "cus_outbox_pending", &[]),
        Some(1.0),
        "{text}"
    );
    let oldest = sample(&text, "cus_outbox_oldest_pending_seconds", &[]).unwrap();
    assert!((119.0..600.0).contains(&oldest), "{oldest}");
    let ran = sample(
        &text,
        "cus_job_last_success_timestamp_seconds",
        &["job=\"housekeeping\""],
    )
    .expect("housekeeping's last success");
    assert!((Utc::now().timestamp() as f64 - ran).abs() < 120.0, "{ran}");
    assert_eq!(sample(&text, "cus_database_up", &[]), Some(1.0));
    if backend() == "sqlite" {
        assert!(
            sample(&text, "cus_db_writer_batch_size_count", &[]).unwrap_or(0.0) >= 1.0,
            "{text}"
        );
    }

    // A backup job that fails shows in /metrics (and in the jobs' list).
    std::fs::create_dir_all(&backup_dir).unwrap();
    occupy_next_backup_names(&backup_dir);
    let failed =
        cus::platform::jobs::run(&app.state, "backup", &cus::platform::jobs::manual_slot());
    assert!(failed.is_err(), "{failed:?}");
    let (_, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(
        sample(&text, "cus_job_last_run_failed", &["job=\"backup\""]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "cus_job_last_run_failed", &["job=\"housekeeping\""]),
        Some(0.0)
    );
}

#[tokio::test]
async fn metrics_are_404_without_a_configured_token() {
    let app = spawn_app().await;
    for token in [None, Some(TOKEN)] {
        let (s, _) = scrape(&app, token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

/// Directories named as the backups of the next few seconds would be: the
/// job finds its file name taken and fails before writing anything.
fn occupy_next_backup_names(dir: &Path) {
    let now = Utc::now();
    for s in 0..30 {
        let t = now + Duration::seconds(s);
        let ext = backup_ext();
        let name = format!("cus-{}.{ext}", t.format("%Y%m%dT%H%M%SZ"));
        let path = dir.join(name);
        if !path.exists() {
            std::fs::create_dir_all(path).unwrap();
        }
    }
}

async fn ready(app: &TestApp) -> (StatusCode, Value) {
    app.call(Method::GET, "/api/v1/ready", None, None).await
}

#[tokio::test]
async fn ready_says_why_not_while_health_stays_200() {
    let app = spawn_with(|c| c.database.pool_size = 2).await;
    let (s, b) = ready(&app).await;
    assert_eq!(
        (s, b["status"].clone()),
        (StatusCode::OK, json!("ready")),
        "{b}"
    );

    // Migrations behind: the newest one forgotten.
    let newest: String = app.with_db(|c| {
        diesel::sql_query(
            "DELETE FROM __diesel_schema_migrations WHERE version = \
             (SELECT MAX(version) FROM __diesel_schema_migrations)",
        )
        .execute(c)
        .unwrap();
        cus_db::pending_migrations(c).unwrap().join(",")
    });
    assert!(!newest.is_empty());
    let (s, b) = ready(&app).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(b["status"], "not_ready");
    assert!(
        b["reason"]
            .as_str()
            .unwrap()
            .contains("migrations are behind")
            && b["reason"].as_str().unwrap().contains(&newest),
        "{b}"
    );
    app.with_db(|c| {
        diesel::sql_query(format!(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('{newest}')"
        ))
        .execute(c)
        .unwrap()
    });
    assert_eq!(ready(&app).await.0, StatusCode::OK);

    // A database that does not answer: every connection held elsewhere.
    let pool = app.state.pool.clone();
    let held = tokio::task::spawn_blocking(move || {
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        (a, b)
    })
    .await
    .unwrap();
    let started = Instant::now();
    let (s, b) = ready(&app).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert!(
        b["reason"].as_str().unwrap().contains("did not answer"),
        "{b}"
    );
    assert!(started.elapsed().as_secs_f64() < 15.0);
    let (s, h) = app.call(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!((s, h["status"].clone()), (StatusCode::OK, json!("ok")));
    drop(held);
    assert_eq!(ready(&app).await.0, StatusCode::OK);

    // SQLite: a writer that stopped.
    if let Some(writer) = &app.state.writer {
        writer.halt();
        for _ in 0..50 {
            if !writer.is_running() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let (s, b) = ready(&app).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
        assert!(b["reason"].as_str().unwrap().contains("writer"), "{b}");
        let (s, _) = app.call(Method::GET, "/api/v1/health", None, None).await;
        assert_eq!(s, StatusCode::OK);
    }
}

/// The name of a fake backup of `day`, at midnight UTC (never later than now).
fn name_of(day: chrono::NaiveDate, ext: &str) -> String {
    format!("cus-{}T000000Z.{ext}", day.format("%Y%m%d"))
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_backup_job(app: &TestApp) -> Result<Option<String>, String> {
    cus::platform::jobs::run(&app.state, "backup", &cus::platform::jobs::manual_slot())
}

fn backup_job_state(app: &TestApp) -> (String, String) {
    let jobs = cus::platform::jobs::status(&app.state).unwrap();
    let job = jobs
        .iter()
        .find(|j| j.name == "backup")
        .expect("the backup job");
    assert_eq!(job.schedule, "0 0 2 * * *", "daily at 02:00 by default");
    let last = job.last_run.as_ref().expect("a run");
    (last.state.clone(), last.outcome.clone().unwrap_or_default())
}

#[tokio::test]
async fn the_backup_job_writes_verifies_and_keeps_one_a_day_then_one_a_week() {
    let dir = temp_dir().join("backups");
    let configured = dir.clone();
    let app = spawn_with(move |c| {
        c.backup.dir = configured;
        c.backup.keep_daily = 3;
        c.backup.keep_weekly = 2;
    })
    .await;
    let ext = backup_ext();
    app.with_db(|c| cus::platform::admin::add_municipality(c, "1465011", "Warszawa").unwrap());

    // The directory is made; the backup is written, verified and listed.
    let first = run_backup_job(&app).unwrap().expect("claimed");
    assert!(first.contains("verified"), "{first}");
    assert_eq!(backup_job_state(&app).0, "ok");
    let listed = backups::list(&dir).unwrap();
    assert_eq!(listed.len(), 1);
    let made = listed[0].file.clone();
    assert!(listed[0].ok(), "{listed:?}");
    assert!(
        made.to_string_lossy().ends_with(&format!("Z.{ext}")),
        "{made:?}"
    );
    let manifest = backups::read_manifest(&made).unwrap();
    assert_eq!(manifest.backend, backend());
    let rows = manifest
        .tables
        .iter()
        .find(|t| t.table == "municipalities")
        .map(|t| t.rows);
    assert_eq!(rows, Some(3));

    // Forty days of older backups (copies of this one, verified), a file of
    // another name, and a backup of another name: retention keeps the newest
    // of today, of each of the two days before, and of each of the two ISO
    // weeks before those; it never touches the other names.
    let today = chrono::Utc::now().date_naive(); // backup names are UTC
    for n in 0..40 {
        let to = dir.join(name_of(today - Duration::days(n), ext));
        std::fs::copy(&made, &to).unwrap();
        std::fs::copy(backups::manifest_path(&made), backups::manifest_path(&to)).unwrap();
        std::fs::copy(backups::check_path(&made), backups::check_path(&to)).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    std::fs::copy(&made, dir.join(format!("before-upgrade.{ext}"))).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = run_backup_job(&app).unwrap().expect("claimed");
    let day3 = today - Duration::days(3);
    let sunday_before_its_week =
        day3 - Duration::days(i64::from(day3.weekday().num_days_from_monday()) + 1);
    let newest = backups::list(&dir).unwrap()[0].file.clone();
    let mut want: Vec<String> = [
        today - Duration::days(1),
        today - Duration::days(2),
        day3,
        sunday_before_its_week,
    ]
    .iter()
    .map(|d| name_of(*d, ext))
    .collect();
    want.push(newest.file_name().unwrap().to_string_lossy().into_owned());
    let mut expected = vec![format!("before-upgrade.{ext}"), "notes.txt".to_string()];
    for w in &want {
        expected.push(w.clone());
        expected.push(format!("{w}{}", backups::CHECK_SUFFIX));
        expected.push(format!("{w}{}", backups::MANIFEST_SUFFIX));
    }
    expected.sort();
    assert_eq!(files_of(&dir), expected, "{second}");
    // 40 copies and the first backup, less the four kept.
    assert!(second.contains("pruned 37"), "{second}");

    // A run that cannot write its file fails, prunes nothing, and says so in
    // the jobs' list.
    occupy_next_backup_names(&dir);
    let before = files_of(&dir);
    let err = run_backup_job(&app).unwrap_err();
    assert!(err.contains("already exists"), "{err}");
    let (state, outcome) = backup_job_state(&app);
    assert_eq!(state, "error");
    assert!(outcome.contains("already exists"), "{outcome}");
    assert_eq!(files_of(&dir), before);
    // Nor can a directory under a file be made: a clear error.
    let blocked = app.dir.join("a-file");
    std::fs::write(&blocked, "").unwrap();
    let err = backups::scheduled(
        &app.database_url,
        &blocked.join("backups"),
        Utc::now(),
        7,
        4,
    )
    .unwrap_err();
    assert!(err.contains("cannot create the backup directory"), "{err}");
}

#[tokio::test]
async fn verification_names_the_table_that_differs() {
    let app = spawn_app().await;
    let url = app.database_url.clone();
    app.with_db(|c| cus::platform::admin::add_municipality(c, "1465011", "Warszawa").unwrap());
    let ext = backup_ext();
    let file = app.dir.join(format!("manual.{ext}"));
    backups::create(&url, &file).unwrap();
    assert!(backups::verify_and_record(&url, &file).is_ok());

    // A manifest that says otherwise: the table is named.
    let good = std::fs::read_to_string(backups::manifest_path(&file)).unwrap();
    let mut m: Value = serde_json::from_str(&good).unwrap();
    for t in m["tables"].as_array_mut().unwrap() {
        if t["table"] == "municipalities" {
            t["rows"] = json!(4);
        }
    }
    std::fs::write(backups::manifest_path(&file), m.to_string()).unwrap();
    let why = backups::verify_and_record(&url, &file).unwrap_err();
    assert!(
        why.contains("table municipalities: 3 rows restored, the manifest says 4"),
        "{why}"
    );
    let listed = backups::list(&app.dir).unwrap();
    let entry = listed.iter().find(|l| l.file == file).unwrap();
    assert!(!entry.ok());
    assert!(backups::render_list(&listed).contains("FAILED"));
    std::fs::write(backups::manifest_path(&file), &good).unwrap();

    // The file itself changed.
    if backend() == "sqlite" {
        let copy = app.dir.join("changed.db");
        std::fs::copy(&file, &copy).unwrap();
        std::fs::copy(backups::manifest_path(&file), backups::manifest_path(&copy)).unwrap();
        let mut c = diesel::SqliteConnection::establish(copy.to_str().unwrap()).unwrap();
        diesel::sql_query("UPDATE municipalities SET name = 'Zmieniona' WHERE teryt = '1465011'")
            .execute(&mut c)
            .unwrap();
        drop(c);
        let why = backups::verify(&url, &copy).unwrap_err();
        assert!(
            why.contains("table municipalities: checksum differs"),
            "{why}"
        );
    }
    // Garbage where the backup was: unreadable, never a panic.
    let bytes = std::fs::read(&file).unwrap();
    let mut damaged = bytes.clone();
    let len = damaged.len();
    for b in &mut damaged[len / 3..len / 3 + 4096.min(len / 3)] {
        *b = 0xA5;
    }
    std::fs::write(&file, &damaged).unwrap();
    let why = backups::verify(&url, &file).unwrap_err();
    assert!(
        why.contains("table ") || why.contains("unreadable") || why.contains("SHA-256"),
        "{why}"
    );
    std::fs::write(&file, &bytes[..100.min(bytes.len())]).unwrap();
    let why = backups::verify(&url, &file).unwrap_err();
    assert!(
        why.contains("unreadable") || why.contains("table "),
        "{why}"
    );
    let why = backups::verify(&url, &app.dir.join("nothing-here.db")).unwrap_err();
    assert!(why.contains("no backup at"), "{why}");
}

#[tokio::test]
async fn a_json_body_that_names_a_key_twice_is_refused() {
    let app = spawn_app().await;
    let admin = app.user(Role::Admin, "").await;
    let raw = |body: &'static str, path: &'static str| {
        let req = app
            .client
            .post(app.url(path))
            .bearer_auth(&admin.token)
            .header("content-type", "application/json")
            .body(body);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, b) = raw(
        r#"{"email":"a@b.pl","email":"c@d.pl","password":"x"}"#,
        "/api/v1/session",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `email`"),
        "{b}"
    );
    // At any depth, and on a signed-in route.
    let (s, b) = raw(
        r#"{"teryt":"1465011","name":"Warszawa","name":"Kraków"}"#,
        "/api/v1/municipalities",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, _) = raw(
        r#"{"teryt":"1465011","name":"Warszawa"}"#,
        "/api/v1/municipalities",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let count: i64 = app.with_db(|c| {
        cus_db::schema::municipalities::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(count, 3, "only the body without a duplicate was taken");
}

fn binary(dir: &Path) -> Option<PathBuf> {
    let bin = cus_binary(dir, &["backup", "--help"], "verify");
    if bin.is_none() {
        eprintln!(
            "skipping: target/debug/cus is missing or not this tree's build (cargo build --bins)"
        );
    }
    bin
}

#[test]
fn backup_commands_create_verify_and_list() {
    let dir = temp_dir();
    let Some(bin) = binary(&dir) else { return };
    let url = fresh_database(&dir);
    assert!(run_cus(&bin, &url, &["migrate"]).status.success());
    let ext = backup_ext();
    let file = dir.join(format!("copy.{ext}"));
    let f = file.to_str().unwrap();
    // `cus backup PATH` as before: the report, and now the manifest and check.
    let out = run_cus(&bin, &url, &["backup", f]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("verified:") && stdout.contains("SHA-256"),
        "{stdout}"
    );
    assert!(backups::manifest_path(&file).is_file());
    let out = run_cus(&bin, &url, &["backup", "verify", f]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok ("));
    let out = run_cus(
        &bin,
        &url,
        &["backup", "list", "--dir", dir.to_str().unwrap()],
    );
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with(&format!("copy.{ext}")) && l.contains(" ok ")),
        "{listing}"
    );
    // `create` refuses to overwrite.
    let out = run_cus(&bin, &url, &["backup", "create", f]);
    assert!(!out.status.success());
    // A manifest that disagrees: non-zero, naming the table.
    let path = backups::manifest_path(&file);
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for t in m["tables"].as_array_mut().unwrap() {
        if t["table"] == "users" {
            t["sha256"] = json!("0".repeat(64));
        }
    }
    std::fs::write(&path, m.to_string()).unwrap();
    let out = run_cus(&bin, &url, &["backup", "verify", f]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("table users: checksum differs"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let out = run_cus(
        &bin,
        &url,
        &["backup", "list", "--dir", dir.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAILED"));
}

#[test]
fn json_logs_are_one_object_a_line_and_a_fault_carries_its_correlation_id() {
    let dir = temp_dir();
    let Some(bin) = binary(&dir) else { return };
    let url = fresh_database(&dir);
    assert!(run_cus(&bin, &url, &["migrate"]).status.success());
    let config = dir.join("cus.toml");
    std::fs::write(
        &config,
        format!(
            "[log]\nformat = \"json\"\n[jobs]\nenabled = false\n[mail]\nmail_dir = \"{}\"\n",
            dir.join("mail").display()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(&bin)
        .args(["--config", config.to_str().unwrap(), "--database", &url])
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("CUS_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A failed assertion below must not leave the server running.
    struct Stop(u32);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
    let _stop = Stop(child.id());
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    stdout.read_line(&mut banner).unwrap();
    let base = banner
        .split("running at ")
        .nth(1)
        .and_then(|r| r.split('/').take(3).collect::<Vec<_>>().join("/").into())
        .unwrap_or_default();
    assert!(base.starts_with("http://127.0.0.1:"), "{banner}");
    assert_eq!(http_get(&format!("{base}/api/v1/health")).0, 200);
    // A table gone under the server: the read fails, 500 with an id.
    let pool = cus_db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query("ALTER TABLE municipalities RENAME TO municipalities_gone")
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    drop(pool);
    let (status, body) = http_get(&format!("{base}/api/v1/municipalities"));
    assert_eq!(status, 500, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["correlation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut lines = 0;
    let mut fault = None;
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
        for key in ["timestamp", "level", "target", "message"] {
            assert!(v.get(key).is_some(), "{key} missing: {line}");
        }
        if v["level"] == "ERROR" && v.get("path").is_some() {
            assert!(
                v["correlation_id"].is_string(),
                "a request's error line without its id: {line}"
            );
        }
        if v["correlation_id"] == id.as_str() {
            fault = Some(v);
        }
        lines += 1;
    }
    assert!(lines >= 2, "{stderr}");
    let fault = fault.unwrap_or_else(|| panic!("no line with {id}: {stderr}"));
    assert_eq!(fault["level"], "ERROR");
    assert_eq!(fault["path"], "/api/v1/municipalities");
}

/// A blocking HTTP GET over std (no runtime inside a sync test).
fn http_get(url: &str) -> (u16, String) {
    {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

/// The scheduler inside `serve` runs the `backup` job on its cron schedule
/// (every 2 s here; daily at 02:00 by default): two servers on one
/// database, each tick's backup written and verified once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_backs_up_on_its_schedule_once_across_servers() {
    let dir = temp_dir().join("backups");
    let configured = dir.clone();
    let app = spawn_with(move |c| {
        c.backup.dir = configured;
        c.jobs.backup = "*/2 * * * * *".into();
        for quiet in [
            &mut c.jobs.outbox,
            &mut c.jobs.plan_deadlines,
            &mut c.jobs.housekeeping,
            &mut c.jobs.forum_digest,
            &mut c.jobs.report_reminders,
            &mut c.jobs.assessments,
            &mut c.jobs.corrective_actions,
        ] {
            *quiet = "0 0 0 1 1 *".into();
        }
    })
    .await;
    let second = cus::open((*app.state.config).clone(), false).unwrap();
    let a = cus::platform::jobs::start_as(app.state.clone(), "server-a".into())
        .await
        .unwrap();
    let b = cus::platform::jobs::start_as(second, "server-b".into())
        .await
        .unwrap();
    let finished = || -> i64 {
        app.with_db(|c| {
            use cus_db::schema::job_runs;
            job_runs::table
                .filter(job_runs::job.eq("backup"))
                .filter(job_runs::finished_at.is_not_null())
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    for _ in 0..200 {
        if finished() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    assert!(a.stop(deadline).await && b.stop(deadline).await);
    // Retention keeps one a day: the newest; every run was verified.
    let kept = backups::list(&dir).unwrap();
    assert!(!kept.is_empty(), "no backup written on schedule");
    assert!(kept.iter().all(|b| b.ok()), "{kept:?}");
    let runs: Vec<(String, String, Option<String>)> = app.with_db(|c| {
        use cus_db::schema::job_runs;
        job_runs::table
            .filter(job_runs::job.eq("backup"))
            .select((job_runs::slot, job_runs::claimed_by, job_runs::outcome))
            .load(c)
            .unwrap()
    });
    assert!(runs.len() >= 2, "{runs:?}");
    let slots: std::collections::BTreeSet<&String> = runs.iter().map(|r| &r.0).collect();
    assert_eq!(slots.len(), runs.len(), "a tick ran twice: {runs:?}");
    for (_, _, outcome) in &runs {
        let outcome = outcome.as_deref().unwrap_or("unfinished");
        assert!(outcome.contains("verified"), "{outcome}");
    }
}
