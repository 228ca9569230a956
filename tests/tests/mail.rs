use cus_db::Role;
use cus_tests::*;
use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Sink {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the aiosmtpd sink; `None` when python3 with aiosmtpd is missing
/// and CUS_TEST_SMTP is not set (the test script sets it and installs it).
fn start_sink() -> Option<Sink> {
    start_sink_with(&[])
}

/// The sink with options of `tests/smtp_sink.py` (`--delay S`, …).
fn start_sink_with(options: &[&str]) -> Option<Sink> {
    let port = free_port();
    let dir = temp_dir().join("smtp");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_sink.py");
    let spawned = Command::new("python3")
        .args([script, &port.to_string(), dir.to_str().unwrap()])
        .args(options)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CUS_TEST_SMTP").is_err(),
                "cannot start the SMTP sink: {e}"
            );
            return None;
        }
    };
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    if line.trim() != "ready" {
        let _ = child.kill();
        assert!(
            std::env::var("CUS_TEST_SMTP").is_err(),
            "SMTP sink did not start (is aiosmtpd installed?)"
        );
        eprintln!("skipping: no aiosmtpd");
        return None;
    }
    Some(Sink { child, port, dir })
}

fn received(sink: &Sink) -> Vec<String> {
    let mut mails: Vec<String> = std::fs::read_dir(&sink.dir)
        .map(|d| {
            d.flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails
}

/// A real SMTP server receives the request-received mail; a message queued
/// while SMTP was down is kept, sent once it is back, and never twice.
#[tokio::test]
async fn smtp_delivery_survives_an_outage_without_duplicates() {
    let Some(sink) = start_sink() else { return };
    // First the server is down: a port nobody listens on.
    let dead = free_port();
    let app = spawn_with(|c| c.mail.smtp_url = format!("smtp://127.0.0.1:{dead}")).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let rid = app.resident(&desk, &pesel(21)).await;
    let (s, r) = app
        .post(
            "/api/v1/requests",
            &desk,
            json!({"resident_id": rid, "description": "Opieka", "channel": "desk"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let case = r["case_number"].as_str().unwrap().to_string();
    assert_eq!(app.run_job("outbox"), "sent 0, failed 0, retrying 1");
    // Nothing lost: the message waits in the outbox with its error.
    {
        use cus_db::schema::outbox;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().unwrap();
        let (status, attempts, err): (String, i32, Option<String>) = outbox::table
            .select((outbox::status, outbox::attempts, outbox::last_error))
            .first(&mut conn)
            .unwrap();
        assert_eq!((status.as_str(), attempts), ("pending", 1));
        assert!(err.is_some());
        // SMTP is back; the backoff has passed.
        diesel::update(outbox::table)
            .set(outbox::next_attempt_at.eq(cus_db::now()))
            .execute(&mut conn)
            .unwrap();
    }
    let mut config = (*app.state.config).clone();
    config.mail.smtp_url = format!("smtp://127.0.0.1:{}", sink.port);
    let state = cus::platform::state::AppState {
        config: std::sync::Arc::new(config),
        ..app.state.clone()
    };
    let outcome = cus::platform::jobs::run(&state, "outbox", &cus::platform::jobs::manual_slot())
        .unwrap()
        .unwrap();
    assert_eq!(outcome, "sent 1, failed 0, retrying 0");
    let again = cus::platform::jobs::run(&state, "outbox", &cus::platform::jobs::manual_slot())
        .unwrap()
        .unwrap();
    assert_eq!(again, "sent 0, failed 0, retrying 0");
    let mails = received(&sink);
    assert_eq!(mails.len(), 1, "sent exactly once");
    let mail = &mails[0];
    assert!(mail.contains("jan.testowy@test.example"));
    assert!(mail.contains(&case), "{mail}");
    assert!(mail.contains("Message-ID: <"), "{mail}");
    assert!(mail.contains("Dzień dobry"), "Polish body: {mail}");
}

/// Queues `n` mails directly in the outbox; returns their ids.
fn queue(app: &TestApp, n: usize) -> Vec<String> {
    let mut conn = app.state.pool.get().unwrap();
    (0..n)
        .map(|i| {
            cus_db::outbox::enqueue(
                &mut conn,
                "report_due",
                "pl",
                &format!("biuro{i}@ngo.example"),
                &json!({"agreement_id": "a", "number": format!("UM/{i}"), "title": "Zadanie", "due": "2026-12-31"}),
            )
            .unwrap()
        })
        .collect()
}

fn statuses(app: &TestApp) -> Vec<(String, Option<String>)> {
    use cus_db::schema::outbox;
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().unwrap();
    outbox::table
        .order(outbox::created_at)
        .select((outbox::status, outbox::claimed_by))
        .load(&mut conn)
        .unwrap()
}

/// A send slower than the claim keeps its claim (the heartbeat renews it), so
/// a second relay running meanwhile leaves the message alone: it is never
/// sent by two relays at once.
#[tokio::test]
async fn a_slow_send_keeps_its_claim_against_a_second_relay() {
    let Some(sink) = start_sink_with(&["--delay", "3"]) else {
        return;
    };
    let app = spawn_with(|c| {
        c.mail.smtp_url = format!("smtp://127.0.0.1:{}", sink.port);
        c.mail.claim_seconds = 1;
    })
    .await;
    queue(&app, 1);
    let st = app.state.clone();
    let first = std::thread::spawn(move || {
        cus::platform::jobs::run_as(
            &st,
            &cus::platform::jobs::Runner::new("relay-a".into()),
            "outbox",
            &cus::platform::jobs::manual_slot(),
        )
    });
    // Past the one-second claim, while relay-a is still in DATA.
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let st = app.state.clone();
    let second = tokio::task::spawn_blocking(move || {
        cus::platform::jobs::run_as(
            &st,
            &cus::platform::jobs::Runner::new("relay-b".into()),
            "outbox",
            &cus::platform::jobs::manual_slot(),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        second.unwrap().unwrap(),
        "sent 0, failed 0, retrying 0",
        "the claim was renewed"
    );
    let first = first.join().unwrap().unwrap().unwrap();
    assert_eq!(first, "sent 1, failed 0, retrying 0");
    assert_eq!(received(&sink).len(), 1, "sent once");
    assert_eq!(
        statuses(&app),
        vec![("sent".to_string(), Some("relay-a".to_string()))]
    );
}

/// A relay that died with a message claimed delays it by the claim only:
/// the next run after `claim_seconds` sends it.
#[tokio::test]
async fn a_dead_relays_claim_expires_after_claim_seconds() {
    let app = spawn_with(|c| c.mail.claim_seconds = 2).await;
    let ids = queue(&app, 1);
    {
        let mut conn = app.state.pool.get().unwrap();
        assert!(cus_db::outbox::claim(
            &mut conn,
            &ids[0],
            "dead-server:1",
            chrono::Duration::seconds(2)
        )
        .unwrap());
    }
    assert_eq!(
        app.run_job("outbox"),
        "sent 0, failed 0, retrying 0",
        "claimed"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    assert_eq!(app.run_job("outbox"), "sent 1, failed 0, retrying 0");
    assert_eq!(app.mails().len(), 1);
    assert_eq!(statuses(&app)[0].0, "sent");
}

/// On stop (SIGTERM in `serve`) the relay finishes the message in hand and
/// returns; the rest stays queued, unclaimed.
#[tokio::test]
async fn on_stop_the_relay_finishes_the_message_in_hand_and_returns() {
    let Some(sink) = start_sink_with(&["--delay", "1"]) else {
        return;
    };
    let app = spawn_with(|c| c.mail.smtp_url = format!("smtp://127.0.0.1:{}", sink.port)).await;
    queue(&app, 5);
    let runner = cus::platform::jobs::Runner::new("relay-a".into());
    let (st, r) = (app.state.clone(), runner.clone());
    let relay = std::thread::spawn(move || {
        cus::platform::jobs::run_as(&st, &r, "outbox", &cus::platform::jobs::manual_slot())
    });
    // Wait until the first message is in hand (claimed, in the SMTP dialogue).
    for _ in 0..100 {
        if statuses(&app).iter().any(|(s, _)| s == "sending") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    runner.stop();
    let outcome = relay.join().unwrap().unwrap().unwrap();
    assert_eq!(
        outcome,
        "sent 1, failed 0, retrying 0 (stopped: the rest waits)"
    );
    assert_eq!(received(&sink).len(), 1);
    let s = statuses(&app);
    assert_eq!(s.iter().filter(|(s, _)| s == "sent").count(), 1);
    assert_eq!(s.iter().filter(|(s, _)| s == "pending").count(), 4);
}
