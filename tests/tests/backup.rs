//! Backup and restore (`cus backup`, `cus restore`): a backup taken while
//! the API keeps writing restores to exactly the rows of the backup — same
//! per-table counts and checksums — and holds every write acknowledged
//! before it started.

use cus_db::schema::municipalities;
use cus_db::{DomainError, Role};
use cus_tests::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Distinct valid municipality codes (kind digit 2: never a fixture's).
fn teryt(n: u32) -> String {
    format!("{:02}{:04}2", 2 * (1 + (n / 10_000) % 16), n % 10_000)
}

fn codes(url: &str) -> BTreeSet<String> {
    let pool = cus_db::connect(url, 1).expect("open the database");
    let mut conn = pool.get().expect("a connection");
    municipalities::table
        .select(municipalities::teryt)
        .load::<String>(&mut conn)
        .expect("codes")
        .into_iter()
        .collect()
}

fn rows_of(tables: &[cus::platform::backup::TableSum], table: &str) -> u64 {
    tables
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| panic!("no table {table} in the report"))
        .rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_restores_to_the_same_rows() {
    let app = spawn_app().await;
    let admin = app.user(Role::Admin, "").await;

    // Enough rows that the copy takes a while: some directly, some through
    // the API (acknowledged: 201).
    let pool = app.state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        cus_db::transaction::<(), DomainError, _>(&mut conn, |c| {
            for n in 0..3000 {
                cus::platform::admin::add_municipality(
                    c,
                    &teryt(n),
                    &format!("Gmina wsadowa {n}"),
                )?;
            }
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    let mut acknowledged: BTreeSet<String> = (0..3000).map(teryt).collect();
    for n in 3000..3050 {
        let (s, b) = app
            .post(
                "/api/v1/municipalities",
                &admin,
                json!({"teryt": teryt(n), "name": format!("Gmina przed {n}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        acknowledged.insert(teryt(n));
    }

    // A writer that keeps POSTing while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    let writer = {
        let stop = stop.clone();
        let client = app.client.clone();
        let url = app.url("/api/v1/municipalities");
        let token = admin.token.clone();
        tokio::spawn(async move {
            let mut first = Some(first_tx);
            let mut acked: Vec<(String, Instant)> = vec![];
            let mut n = 10_000;
            while !stop.load(Ordering::SeqCst) {
                let resp = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"teryt": teryt(n), "name": format!("Gmina w trakcie {n}")}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(resp.status(), StatusCode::CREATED);
                acked.push((teryt(n), Instant::now()));
                if let Some(tx) = first.take() {
                    let _ = tx.send(());
                }
                n += 1;
            }
            acked
        })
    };
    first_rx.await.expect("the writer writes");

    let path = app.dir.join(if backend() == "postgres" {
        "backup.dump"
    } else {
        "backup.db"
    });
    let url = app.database_url.clone();
    let p = path.clone();
    let started = Instant::now();
    let backup = tokio::task::spawn_blocking(move || cus::platform::backup::backup(&url, &p))
        .await
        .unwrap()
        .expect("backup");
    let finished = Instant::now();
    stop.store(true, Ordering::SeqCst);
    let during = writer.await.unwrap();
    // Writes acknowledged before the backup started must be in it.
    for (code, at) in &during {
        if *at < started {
            acknowledged.insert(code.clone());
        }
    }
    let overlapping = during
        .iter()
        .filter(|(_, at)| *at >= started && *at <= finished)
        .count();
    eprintln!(
        "backup: {} tables, {} rows, {} ms; {} writes acknowledged while it ran",
        backup.tables.len(),
        backup.total_rows(),
        backup.took.as_millis(),
        overlapping
    );
    print!("{}", backup.render());

    // The file is there and is never overwritten.
    assert!(path.is_file());
    let url = app.database_url.clone();
    let p = path.clone();
    let again = tokio::task::spawn_blocking(move || cus::platform::backup::backup(&url, &p))
        .await
        .unwrap();
    assert!(
        again.unwrap_err().contains("already exists"),
        "a second backup to the same path is refused"
    );

    // On SQLite the report is the backup file's own.
    if backend() != "postgres" {
        let file = format!("sqlite://{}", path.display());
        let sums = tokio::task::spawn_blocking(move || cus::platform::backup::sums(&file))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sums, backup.tables);
    }

    // Restore into a fresh database: the same tables, rows and checksums.
    let restored_dir = app.dir.join("restored");
    std::fs::create_dir_all(&restored_dir).unwrap();
    let fresh = fresh_database(&restored_dir);
    let (target, p) = (fresh.clone(), path.clone());
    let restored =
        tokio::task::spawn_blocking(move || cus::platform::backup::restore(&target, &p, false))
            .await
            .unwrap()
            .expect("restore");
    print!("{}", restored.render());
    assert_eq!(restored.tables, backup.tables);

    // Every row acknowledged before the backup started is in the restore;
    // nothing that was never written is.
    let restored_codes = codes(&fresh);
    let missing: Vec<_> = acknowledged.difference(&restored_codes).collect();
    assert!(missing.is_empty(), "acknowledged rows missing: {missing:?}");
    let all_written: BTreeSet<String> = acknowledged
        .iter()
        .cloned()
        .chain(during.iter().map(|(c, _)| c.clone()))
        .chain([SOCHACZEW.to_string(), BRZEZINY.to_string()])
        .collect();
    assert!(restored_codes.is_subset(&all_written));
    assert_eq!(
        rows_of(&restored.tables, "municipalities"),
        restored_codes.len() as u64
    );
    // The live database went on: it has every write, the backup a prefix.
    let live = codes(&app.database_url);
    assert!(live.len() as u64 >= rows_of(&backup.tables, "municipalities"));
    assert_eq!(live.len(), all_written.len());

    // SQLite: an existing database is replaced only with --force, and never
    // while a server has it open.
    if backend() != "postgres" {
        let (target, p) = (app.database_url.clone(), path.clone());
        let in_use =
            tokio::task::spawn_blocking(move || cus::platform::backup::restore(&target, &p, true))
                .await
                .unwrap();
        assert!(in_use.unwrap_err().contains("in use"));
        let (target, p) = (fresh.clone(), path.clone());
        let refused =
            tokio::task::spawn_blocking(move || cus::platform::backup::restore(&target, &p, false))
                .await
                .unwrap();
        assert!(refused.unwrap_err().contains("--force"));
        let (target, p) = (fresh.clone(), path.clone());
        let forced =
            tokio::task::spawn_blocking(move || cus::platform::backup::restore(&target, &p, true))
                .await
                .unwrap()
                .expect("forced restore");
        assert_eq!(forced.tables, backup.tables);
    }
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_backup() {
    let dir = temp_dir();
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let fresh = fresh_database(&dir);
    let outcome =
        tokio::task::spawn_blocking(move || cus::platform::backup::restore(&fresh, &junk, false))
            .await
            .unwrap();
    assert!(outcome.is_err(), "junk is refused: {outcome:?}");
    let missing = dir.join("no-such-file");
    let fresh = fresh_database(&dir.join("other"));
    let outcome = tokio::task::spawn_blocking(move || {
        cus::platform::backup::restore(&fresh, &missing, false)
    })
    .await
    .unwrap();
    assert!(outcome.unwrap_err().contains("no backup"));
}
