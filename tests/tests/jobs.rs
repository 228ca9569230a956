//! Scheduled jobs across servers (issue 13): every (job, tick) is claimed
//! once and none is missed by two servers on one database; a start after
//! every server was down runs the newest missed tick once; reminders are
//! idempotent by themselves; `GET /api/v1/jobs`; `serve` exits in bounded time.

use chrono::{DateTime, Utc};
use cus::platform::config::Config;
use cus::platform::jobs::{parse_slot, slot_key, Schedule};
use cus_db::jobs::JobRun;
use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::time::Duration;

/// The jobs the two-server test runs every second (the `backup` job keeps
/// its daily schedule there: it writes files).
const JOBS: [&str; 8] = [
    "outbox",
    "plan-deadlines",
    "housekeeping",
    "forum-digest",
    "report-reminders",
    "assessments",
    "corrective-actions",
    "retention",
];

fn every_second(c: &mut Config) {
    for s in [
        &mut c.jobs.outbox,
        &mut c.jobs.plan_deadlines,
        &mut c.jobs.housekeeping,
        &mut c.jobs.forum_digest,
        &mut c.jobs.report_reminders,
        &mut c.jobs.assessments,
        &mut c.jobs.corrective_actions,
        &mut c.jobs.retention,
    ] {
        *s = "* * * * * *".into();
    }
}

fn runs(state: &cus::platform::state::AppState, job: &str) -> Vec<JobRun> {
    let mut conn = state.pool.get().unwrap();
    let epoch = chrono::DateTime::UNIX_EPOCH.naive_utc();
    cus_db::jobs::runs_since(&mut conn, job, epoch).unwrap()
}

/// Sleeps until `millis` past the next whole second.
async fn sleep_to_fraction(millis: u32) {
    let now = Utc::now();
    let into = now.timestamp_subsec_millis();
    let wait = if into < millis {
        millis - into
    } else {
        1000 - into + millis
    };
    tokio::time::sleep(Duration::from_millis(wait as u64)).await;
}

/// Two application instances (each its own pool and HTTP server) on one
/// database, every job every second for over 20 ticks; the second starts
/// half a second into a second, which made issue 13's duplicates. Every
/// (job, tick) is claimed exactly once and none is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_claim_every_tick_once_and_miss_none() {
    let a = spawn_with(every_second).await;
    let b_state = cus::open((*a.state.config).clone(), false).expect("second instance");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    tokio::spawn(cus::serve(b_state.clone(), listener).unwrap());

    sleep_to_fraction(100).await;
    let started = Utc::now();
    let server_a = cus::platform::jobs::start_as(a.state.clone(), "server-a".into())
        .await
        .unwrap();
    sleep_to_fraction(600).await;
    let server_b = cus::platform::jobs::start_as(b_state.clone(), "server-b".into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(21_500)).await;
    let stopping = Utc::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    assert!(server_a.stop(deadline).await, "server a stops");
    assert!(server_b.stop(deadline).await, "server b stops");

    let schedule = Schedule::parse("* * * * * *", &a.state.config.jobs.timezone).unwrap();
    let first = schedule.next_after(started).unwrap();
    // Ticks up to a second before the stop were surely served.
    let last = schedule.slot_at(stopping).unwrap() - chrono::Duration::seconds(1);
    let expected: Vec<String> = std::iter::successors(Some(first), |t| schedule.next_after(*t))
        .take_while(|t| *t <= last)
        .map(slot_key)
        .collect();
    assert!(expected.len() >= 20, "{} ticks", expected.len());
    let mut servers = BTreeSet::new();
    for job in JOBS {
        let rows = runs(&a.state, job);
        let slots: Vec<String> = rows.iter().map(|r| r.slot.clone()).collect();
        let in_window: Vec<&String> = slots
            .iter()
            .filter(|s| **s >= expected[0] && **s <= *expected.last().unwrap())
            .collect();
        assert_eq!(
            in_window,
            expected.iter().collect::<Vec<_>>(),
            "{job}: every tick once, none missing"
        );
        for r in &rows {
            let tick: DateTime<Utc> = parse_slot(&r.slot).expect("a scheduled slot");
            assert!(tick >= first, "{job}: {} before the start", r.slot);
            assert!(tick <= schedule.slot_at(stopping).unwrap() + chrono::Duration::seconds(1));
            let claimed = r.claimed_at.and_utc();
            assert!(claimed >= tick, "{job}: {} claimed before its tick", r.slot);
            assert!(
                claimed - tick < chrono::Duration::seconds(5),
                "{job}: {} claimed {} late",
                r.slot,
                claimed - tick
            );
            assert!(r.finished_at.is_some(), "{job}: {} finished", r.slot);
            assert!(
                !r.outcome.as_deref().unwrap_or("").starts_with("error"),
                "{job}: {:?}",
                r.outcome
            );
            servers.insert(r.claimed_by.clone());
        }
    }
    assert_eq!(
        servers,
        BTreeSet::from(["server-a".to_string(), "server-b".to_string()]),
        "both servers served ticks"
    );
}

/// Every server was down for ten minutes: the next start runs the job once,
/// for the newest missed tick, not once per missed tick; a second server
/// starting next finds that tick taken. A job that never ran on schedule
/// (a new installation) does not catch up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_after_every_server_was_down_runs_the_newest_missed_tick_once() {
    let app = spawn_with(|c| {
        every_second(c);
        c.jobs.housekeeping = "0 * * * * *".into();
        c.jobs.outbox = "0 0 0 1 1 *".into();
        c.jobs.plan_deadlines = "0 0 0 1 1 *".into();
        c.jobs.forum_digest = "0 0 0 1 1 *".into();
        c.jobs.report_reminders = "0 0 0 1 1 *".into();
    })
    .await;
    // Keep clear of a minute boundary, so the test sees one newest tick.
    if Utc::now().timestamp() % 60 >= 55 {
        tokio::time::sleep(Duration::from_secs(7)).await;
    }
    let schedule = Schedule::parse("0 * * * * *", &app.state.config.jobs.timezone).unwrap();
    let newest = schedule.slot_at(Utc::now()).unwrap();
    let old = newest - chrono::Duration::minutes(10);
    {
        let mut conn = app.state.pool.get().unwrap();
        assert!(cus_db::jobs::claim(&mut conn, "housekeeping", &slot_key(old), "gone:1").unwrap());
        cus_db::jobs::finish(&mut conn, "housekeeping", &slot_key(old), "removed 0 rows").unwrap();
    }
    let first = cus::platform::jobs::start_as(app.state.clone(), "server-a".into())
        .await
        .unwrap();
    let mut caught_up = false;
    for _ in 0..100 {
        if runs(&app.state, "housekeeping").len() == 2 {
            caught_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(caught_up, "the start caught up");
    let second = cus::platform::jobs::start_as(app.state.clone(), "server-b".into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    assert!(first.stop(deadline).await && second.stop(deadline).await);

    let rows = runs(&app.state, "housekeeping");
    let slots: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.slot.as_str(), r.claimed_by.as_str()))
        .collect();
    assert_eq!(
        slots,
        vec![
            (slot_key(old).as_str(), "gone:1"),
            (slot_key(newest).as_str(), "server-a")
        ],
        "once, for the newest missed tick"
    );
    for job in [
        "outbox",
        "plan-deadlines",
        "forum-digest",
        "report-reminders",
    ] {
        assert!(runs(&app.state, job).is_empty(), "{job} had no history");
    }
}

/// `report-reminders` run twice for one day — two at once (two servers, or
/// a hand run beside the scheduled one) and once more — queues its mail once.
#[tokio::test]
async fn report_reminders_twice_on_one_day_queue_their_mail_once() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (s, org) = app
        .post(
            "/api/v1/organizations",
            &organizer,
            crate::contracting::org_body("Przypominani dwa razy", 61),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{org}");
    let today = cus_db::today();
    let (start, end) = (
        today - chrono::Duration::days(90),
        today - chrono::Duration::days(25),
    );
    use chrono::Datelike;
    let tranches: Vec<_> = (start.year()..=end.year())
        .map(|y| json!({"year": y, "amount_grosze": 100_000}))
        .collect();
    let (s, ag) = app
        .post("/api/v1/agreements", &organizer, json!({"organization_id": org["id"], "mode": "partnership", "start_date": start.to_string(), "end_date": end.to_string(), "tranches": tranches}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");

    let runs: Vec<_> = (0..2)
        .map(|_| {
            let st = app.state.clone();
            std::thread::spawn(move || {
                cus::platform::jobs::run(
                    &st,
                    "report-reminders",
                    &cus::platform::jobs::manual_slot(),
                )
                .unwrap()
                .unwrap()
            })
        })
        .collect();
    let mut outcomes: Vec<String> = runs.into_iter().map(|t| t.join().unwrap()).collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        ["reminded 0 organizations", "reminded 1 organizations"]
    );
    assert_eq!(app.run_job("report-reminders"), "reminded 0 organizations");
    let mut conn = app.state.pool.get().unwrap();
    use cus_db::schema::{outbox, sent_reminders};
    let queued: i64 = outbox::table
        .filter(outbox::template.eq("report_due"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(queued, 1, "one mail");
    let (agreement, kind, day): (String, String, chrono::NaiveDate) = sent_reminders::table
        .select((
            sent_reminders::agreement_id,
            sent_reminders::kind,
            sent_reminders::day,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(agreement, ag["id"].as_str().unwrap());
    assert_eq!(kind, "final_report_due");
    assert_eq!(day, cus_db::today());
    drop(conn);
    app.run_job("outbox");
    assert_eq!(app.mails().len(), 1);
}

/// `GET /api/v1/jobs`: 401 without a token, 403 but for an admin; the
/// schedule and newest run of every job, as `cus jobs list` shows them.
#[tokio::test]
async fn the_jobs_route_is_for_admins_and_shows_the_last_runs() {
    let app = spawn_app().await;
    let (s, _) = app.call(Method::GET, "/api/v1/jobs", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let (s, _) = app.get("/api/v1/jobs", &desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin = app.user(Role::Admin, "").await;
    app.run_job("housekeeping");
    let (s, b) = app.get("/api/v1/jobs", &admin).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let items = b["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, [JOBS.as_slice(), &["backup"]].concat());
    let hk = &items[2];
    assert_eq!(hk["schedule"], app.state.config.jobs.housekeeping.as_str());
    assert_eq!(hk["timezone"], "Europe/Warsaw");
    assert!(hk["next_slot"].as_str().unwrap().ends_with('Z'), "{hk}");
    let last = &hk["last_run"];
    assert!(
        last["slot"].as_str().unwrap().starts_with("manual-"),
        "{last}"
    );
    assert_eq!(last["scheduled"], false);
    assert_eq!(last["state"], "ok");
    assert_eq!(last["outcome"], "removed 0 rows");
    assert!(last["server"].as_str().unwrap().contains(':'), "{last}");
    assert!(last["duration_ms"].as_i64().unwrap() >= 0);
    assert!(items[0]["last_run"].is_null(), "outbox never ran");
    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert!(doc["paths"]["/api/v1/jobs"]["get"].is_object());
}

/// SIGTERM while the relay is stuck in an SMTP dialogue with a server that
/// never answers: `cus serve` exits within `shutdown_seconds`, and the
/// message's claim expires within `claim_seconds`, for the next relay.
#[tokio::test]
async fn serve_exits_within_its_grace_period_when_smtp_hangs() {
    let dir = temp_dir();
    let Some(bin) = cus_binary(
        &dir,
        &["--database", "probe.db", "jobs", "list", "--json"],
        "\"next_slot\"",
    ) else {
        eprintln!(
            "skipping: target/debug/cus is missing or not this tree's build (cargo build --bins)"
        );
        return;
    };
    // Accepts connections (the kernel does) and never says a word.
    let hung = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = fresh_database(&dir);
    let mut config = Config::for_tests();
    config.database.url = url.clone();
    let state = cus::open(config, true).unwrap();
    let id = {
        let mut conn = state.pool.get().unwrap();
        cus_db::outbox::enqueue(
            &mut conn,
            "report_due",
            "pl",
            "biuro@ngo.example",
            &json!({"agreement_id": "a", "number": "UM/1", "title": "Zadanie", "due": "2026-12-31"}),
        )
        .unwrap()
    };
    let file = dir.join("serve.toml");
    std::fs::write(
        &file,
        format!(
            "[server]\nworkers = 1\nshutdown_seconds = 3\n\
             [mail]\nsmtp_url = \"smtp://127.0.0.1:{}\"\nsmtp_timeout_seconds = 120\nclaim_seconds = 5\nmail_dir = \"{}\"\n\
             [jobs]\nenabled = true\noutbox = \"* * * * * *\"\nplan_deadlines = \"0 0 0 1 1 *\"\n\
             housekeeping = \"0 0 0 1 1 *\"\nforum_digest = \"0 0 0 1 1 *\"\nreport_reminders = \"0 0 0 1 1 *\"\n",
            hung.local_addr().unwrap().port(),
            dir.join("mail").display()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(&bin)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database",
            &url,
            "--config",
        ])
        .arg(&file)
        .env("CUS_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = |state: &cus::platform::state::AppState| -> String {
        use cus_db::schema::outbox;
        let mut conn = state.pool.get().unwrap();
        outbox::table
            .find(&id)
            .select(outbox::status)
            .first(&mut conn)
            .unwrap()
    };
    let mut in_hand = false;
    for _ in 0..150 {
        if status(&state) == "sending" {
            in_hand = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(in_hand, "the relay took the message");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = std::time::Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if sent.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = sent.elapsed();
    let exit = exit.expect("cus serve exited");
    assert!(exit.success(), "{exit:?}");
    assert!(
        took < Duration::from_millis(4500),
        "exited {took:?} after SIGTERM (grace 3 s)"
    );
    // The message in hand is still claimed; the claim runs out in 5 s and
    // the next relay sends it (at least once).
    assert_eq!(status(&state), "sending");
    tokio::time::sleep(Duration::from_millis(5200)).await;
    let mut conn = state.pool.get().unwrap();
    assert_eq!(cus_db::outbox::release_expired(&mut conn).unwrap(), 1);
    drop(hung);
}
