//! The write path: a panic or an error inside a unit of work rolls back only
//! that unit, no connection is handed out mid-transaction, and whatever was
//! acknowledged is there for a fresh connection (as after a restart).

use cus_db::schema::municipalities;
use cus_db::{DbConn, DomainError, Role};
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Counts municipalities named `prefix…` through a brand-new connection: what
/// a restarted server would find.
fn durable_count(app: &TestApp, prefix: &str) -> i64 {
    let pool = cus_db::connect(&app.database_url, 1).expect("reopen the database");
    let mut conn = pool.get().expect("a fresh connection");
    municipalities::table
        .filter(municipalities::name.like(format!("{prefix}%")))
        .count()
        .get_result(&mut conn)
        .expect("count")
}

fn add(conn: &mut DbConn, teryt: &str, name: &str) -> Result<(), DomainError> {
    cus::platform::admin::add_municipality(conn, teryt, name)
}

/// Municipality codes of the Masovian voivodeship, none of them real.
fn teryt(n: u32) -> String {
    format!("14{:04}1", 5000 + n)
}

#[tokio::test]
async fn a_panicking_unit_of_work_rolls_back_and_later_writes_survive() {
    let app = spawn_app().await;
    // The unit writes, then panics: its write must not survive, and the
    // caller hears an error, not a success.
    let outcome = app
        .state
        .tx(|c| {
            add(c, &teryt(1), "Panika przed")?;
            if teryt(1).starts_with('1') {
                panic!("injected fault inside a unit of work");
            }
            Ok(())
        })
        .await;
    assert!(outcome.is_err(), "a panicking unit is not acknowledged");
    assert_eq!(durable_count(&app, "Panika"), 0);

    // The same through a pooled connection's own transaction (the path the
    // jobs and PostgreSQL take): the connection is discarded, not reused
    // mid-transaction.
    let pool = app.state.pool.clone();
    let panicked = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        cus_db::transaction::<(), DomainError, _>(&mut conn, |c| {
            add(c, &teryt(2), "Panika w puli")?;
            panic!("injected fault in a pooled transaction");
        })
    })
    .await;
    assert!(panicked.is_err());
    assert_eq!(durable_count(&app, "Panika"), 0);

    // A pooled connection left inside a transaction by a panicking holder
    // (no rollback at all) is dropped by the pool, not handed out again.
    let pool = app.state.pool.clone();
    let _ = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        type Tm = <DbConn as Connection>::TransactionManager;
        <Tm as diesel::connection::TransactionManager<DbConn>>::begin_transaction(&mut conn)
            .unwrap();
        add(&mut conn, &teryt(3), "Panika bez wycofania").unwrap();
        panic!("holder dies with the transaction open");
    })
    .await;

    // Every pooled connection (and the writer) now commits for real: more
    // writes than the pool has connections, through the API and directly.
    let admin = app.user(Role::Admin, "").await;
    for n in 0..12u32 {
        let (s, b) = app
            .post(
                "/api/v1/municipalities",
                &admin,
                json!({"teryt": teryt(100 + n), "name": format!("Po panice {n}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    for n in 0..12u32 {
        let pool = app.state.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            cus_db::transaction::<(), DomainError, _>(&mut conn, |c| {
                add(c, &teryt(200 + n), &format!("Po panice z puli {n}"))
            })
            .unwrap();
        })
        .await
        .unwrap();
    }
    assert_eq!(durable_count(&app, "Po panice"), 24);
}

#[tokio::test]
async fn one_failing_unit_in_a_batch_does_not_undo_its_neighbours() {
    let app = spawn_app().await;
    // Hold the writer busy so the units below queue up and share a batch.
    let hold = app.state.tx(|_| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(())
    });
    let mut units = Vec::new();
    for n in 0..30u32 {
        units.push(app.state.tx(move |c| {
            add(c, &teryt(300 + n), &format!("Partia {n}"))?;
            match n % 10 {
                3 => Err(DomainError::conflict("error-conflict")),
                7 => panic!("injected panic in unit {n}"),
                // A database error: the same key twice in one unit.
                9 => {
                    add(c, &teryt(300 + n), "Partia duplikat")?;
                    Ok(())
                }
                _ => Ok(()),
            }
        }));
    }
    let (held, results) = tokio::join!(hold, futures_util::future::join_all(units));
    held.unwrap();
    for (n, r) in results.iter().enumerate() {
        let should_fail = matches!(n % 10, 3 | 7 | 9);
        assert_eq!(r.is_err(), should_fail, "unit {n}: {:?}", r.as_ref().err());
    }
    assert_eq!(durable_count(&app, "Partia"), 21);
    // The failed units left nothing behind.
    let pool = cus_db::connect(&app.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let failed: Vec<String> = [3u32, 7, 9, 13, 17, 19, 23, 27, 29]
        .iter()
        .map(|n| teryt(300 + n))
        .collect();
    let left: i64 = municipalities::table
        .filter(municipalities::teryt.eq_any(&failed))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_with_a_correlation_id_and_the_server_lives_on() {
    let app = spawn_app_with_routes(|cfg| {
        cfg.route(
            "/api/test/panic",
            actix_web::web::get().to(|| async {
                if std::hint::black_box(true) {
                    panic!("injected fault in a handler");
                }
                actix_web::HttpResponse::Ok().finish()
            }),
        );
        cfg.route(
            "/test/panic",
            actix_web::web::get().to(|| async {
                if std::hint::black_box(true) {
                    panic!("injected fault in a page handler");
                }
                actix_web::HttpResponse::Ok().finish()
            }),
        );
    })
    .await;
    for _ in 0..3 {
        let (s, b) = app.call(Method::GET, "/api/test/panic", None, None).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b["error"], "internal");
        let id = b["correlation_id"].as_str().expect("a correlation id");
        assert_eq!(id.len(), 32, "{b}");
    }
    let page = app.client.get(app.url("/test/panic")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.headers().contains_key("content-security-policy"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<code>"), "the page shows the reference");
    // The worker survived: ordinary requests are served.
    let (s, b) = app.call(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn an_audited_read_is_in_the_log_when_it_is_served() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let resident = app.resident(&desk, &pesel(71)).await;
    for _ in 0..5 {
        let (s, b) = app
            .get(&format!("/api/v1/residents/{resident}"), &desk)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // Read through a fresh connection right after the answers: every read
    // is already durable in the audit log.
    let pool = cus_db::connect(&app.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use cus_db::schema::audit_log;
    let reads: i64 = audit_log::table
        .filter(audit_log::action.eq("resident.read"))
        .filter(audit_log::subject_id.eq(&resident))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(reads, 5);
}
