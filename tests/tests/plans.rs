use chrono::Duration;
use cus_db::Role;
use cus_tests::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Setup {
    app: TestApp,
    coordinator: User,
    organizer: User,
    resident: User,
    resident_id: String,
}

/// A resident with an account, their request, and the staff around them.
async fn setup() -> Setup {
    let app = spawn_app().await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "KIS").await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (_, r) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"service_code": "KIS", "description": "praca", "channel": "online"}),
        )
        .await;
    let resident_id = r["resident_id"].as_str().unwrap().to_string();
    Setup {
        app,
        coordinator,
        organizer,
        resident,
        resident_id,
    }
}

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

async fn new_plan(s: &Setup) -> String {
    let (st, p) = s
        .app
        .post("/api/v1/plans", &s.coordinator, json!({"resident_id": s.resident_id, "goals": ["Podjęcie pracy"], "resident_commitments": "Udział w KIS"}))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "draft");
    p["id"].as_str().unwrap().to_string()
}

async fn step(s: &Setup, who: &User, id: &str, body: Value) -> (StatusCode, Value) {
    s.app
        .post(&format!("/api/v1/plans/{id}/transition"), who, body)
        .await
}

#[tokio::test]
async fn plan_lifecycle_from_draft_to_closed() {
    let s = setup().await;
    let id = new_plan(&s).await;
    let (st, p) = s
        .app
        .get(&format!("/api/v1/plans/{id}"), &s.coordinator)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["days_to_deadline"], 30);
    // No services yet: cannot be agreed.
    let (st, _) = step(&s, &s.coordinator, &id, json!({"to": "agreed"})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The plan lasts at most a year.
    let items = format!("/api/v1/plans/{id}/items");
    let (st, b) = s.app.post(&items, &s.coordinator, json!({"service_code": "KIS", "frequency": "3x/tydz", "start_date": day(0), "end_date": day(400)})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["end_date"].is_array(), "{b}");
    let (st, _) = s.app.post(&items, &s.coordinator, json!({"service_code": "KIS", "frequency": "x", "start_date": day(10), "end_date": day(0)})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "dates out of order");
    let (st, b) = s.app.post(&items, &s.coordinator, json!({"service_code": "KIS", "provider": "Spółdzielnia", "frequency": "3 razy w tygodniu", "hours_per_month": 48, "start_date": day(0), "end_date": day(180)})).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    // Skipping steps is a conflict.
    for to in ["approved", "active", "review", "closed"] {
        let (st, _) = step(
            &s,
            &s.coordinator,
            &id,
            json!({"to": to, "note": "x", "outcome": "employment"}),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT, "draft → {to}");
    }
    let (st, b) = step(&s, &s.coordinator, &id, json!({"to": "nonsense"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The resident gives consent themself.
    let (st, p) = step(&s, &s.resident, &id, json!({"to": "agreed"})).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert!(p["consent_at"].is_string());
    // Services are frozen once agreed.
    let (st, _) = s.app.post(&items, &s.coordinator, json!({"service_code": "KIS", "frequency": "x", "start_date": day(0), "end_date": day(1)})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // Only the organizer approves.
    let (st, _) = step(&s, &s.coordinator, &id, json!({"to": "approved"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = step(&s, &s.organizer, &id, json!({"to": "approved"})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, p) = step(
        &s,
        &s.coordinator,
        &id,
        json!({"to": "active", "review_date": day(60)}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["review_date"], day(60));
    let (st, _) = step(
        &s,
        &s.coordinator,
        &id,
        json!({"to": "review", "note": "przegląd półroczny"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // Closing needs a summary and an outcome.
    let (st, b) = step(&s, &s.coordinator, &id, json!({"to": "closed"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["note"].is_array() && b["fields"]["outcome"].is_array(),
        "{b}"
    );
    let (st, p) = step(
        &s,
        &s.coordinator,
        &id,
        json!({"to": "closed", "note": "Podjął pracę w spółdzielni.", "outcome": "employment"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["outcome"], "employment");
    let (st, _) = step(&s, &s.coordinator, &id, json!({"to": "active"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "closed is final");
    let (_, p) = s.app.get(&format!("/api/v1/plans/{id}"), &s.resident).await;
    let statuses: Vec<&str> = p["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["draft", "agreed", "approved", "active", "review", "closed"]
    );
}

#[tokio::test]
async fn plan_reads_are_audited_and_scoped() {
    let s = setup().await;
    let id = new_plan(&s).await;
    for u in [&s.coordinator, &s.resident, &s.coordinator] {
        let (st, _) = s.app.get(&format!("/api/v1/plans/{id}"), u).await;
        assert_eq!(st, StatusCode::OK);
    }
    let (st, log) = s
        .app
        .get(
            &format!("/api/v1/audit?subject_type=plan&subject_id={id}"),
            &s.organizer,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let reads = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "plan.read")
        .count();
    assert_eq!(reads, 3);
    let row = &log["items"][0];
    assert!(row["actor_id"].is_string() && row["at"].as_str().unwrap().ends_with('Z'));
    // Another resident, a social worker, and another municipality: 404.
    let stranger = s.app.user(Role::Resident, SOCHACZEW).await;
    let sw = s.app.user(Role::SocialWorker, SOCHACZEW).await;
    let far = s.app.user(Role::Coordinator, BRZEZINY).await;
    for u in [&stranger, &sw, &far] {
        let (st, _) = s.app.get(&format!("/api/v1/plans/{id}"), u).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{}", u.email);
        let (st, _) = step(&s, u, &id, json!({"to": "agreed"})).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{}", u.email);
    }
    // The other municipality's organizer sees none of these audit rows.
    let far_org = s.app.user(Role::Organizer, BRZEZINY).await;
    let (_, log) = s
        .app
        .get(&format!("/api/v1/audit?subject_id={id}"), &far_org)
        .await;
    assert_eq!(log["total"], 0);
}

#[tokio::test]
async fn plan_document_prints_for_coordinator_and_resident() {
    let s = setup().await;
    let id = new_plan(&s).await;
    for u in [&s.coordinator, &s.resident] {
        let r = s
            .app
            .client
            .get(s.app.url(&format!("/plans/{id}/document")))
            .bearer_auth(&u.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Indywidualny plan usług społecznych"));
        assert!(html.contains("Podjęcie pracy"));
        assert!(html.contains("Podpis mieszkańca"));
    }
    let other = s.app.user(Role::Resident, SOCHACZEW).await;
    let r = s
        .app
        .client
        .get(s.app.url(&format!("/plans/{id}/document")))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn overdue_plans_are_flagged_by_the_job() {
    let s = setup().await;
    let (st, p) = s
        .app
        .post(
            "/api/v1/plans",
            &s.coordinator,
            json!({"resident_id": s.resident_id, "goals": ["g"], "application_date": day(-45)}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["deadline"], day(-15));
    let fresh = new_plan(&s).await;
    let (st, _) = s
        .app
        .post(
            "/api/v1/plans",
            &s.coordinator,
            json!({"resident_id": s.resident_id, "goals": ["g"], "application_date": day(3)}),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "application in the future"
    );
    assert_eq!(s.app.run_job("plan-deadlines"), "flagged 1 plans");
    assert_eq!(s.app.run_job("plan-deadlines"), "flagged 0 plans");
    let (_, list) = s.app.get("/api/v1/plans", &s.coordinator).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["overdue"], true, "overdue plans first");
    assert!(items
        .iter()
        .any(|p| p["id"] == fresh.as_str() && p["overdue"] == false));
}

#[tokio::test]
async fn consent_request_mails_the_resident() {
    let s = setup().await;
    let id = new_plan(&s).await;
    let (st, b) = s
        .app
        .post(
            &format!("/api/v1/plans/{id}/consent-request"),
            &s.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["mailed"], true);
    s.app.run_job("outbox");
    let mails = s.app.mails().join("\n");
    assert!(mails.contains(&s.resident.email));
    assert!(mails.contains(&format!("/plans/{id}")), "{mails}");
}

#[tokio::test]
async fn out_of_range_dates_and_hours_are_refused_in_plans() {
    let s = setup().await;
    for date in ["10000-01-01", "+262142-01-01", "1899-12-31"] {
        let (st, b) = s
            .app
            .post(
                "/api/v1/plans",
                &s.coordinator,
                json!({"resident_id": s.resident_id, "goals": ["Praca"], "application_date": date}),
            )
            .await;
        assert_eq!(refusal(st, &b, "application_date"), DATE_RANGE_EN, "{date}");
    }
    let id = new_plan(&s).await;
    let items = format!("/api/v1/plans/{id}/items");
    let item = |start: &str, end: &str, hours: Value| {
        json!({"service_code": "KIS", "frequency": "co tydzień", "hours_per_month": hours,
               "start_date": start, "end_date": end})
    };
    let (st, b) = s
        .app
        .post(
            &items,
            &s.coordinator,
            item("+262142-01-01", &day(30), json!(8)),
        )
        .await;
    assert_eq!(refusal(st, &b, "start_date"), DATE_RANGE_EN);
    let (st, b) = s
        .app
        .post(
            &items,
            &s.coordinator,
            item(&day(0), "9999-12-31", json!(8)),
        )
        .await;
    assert_eq!(refusal(st, &b, "end_date"), DATE_RANGE_EN);
    let (st, b) = s
        .app
        .post(
            &items,
            &s.coordinator,
            item(&day(0), &day(30), json!(i64::MAX)),
        )
        .await;
    assert_eq!(refusal(st, &b, "hours_per_month"), OUT_OF_RANGE_EN);
    let (st, b) = s
        .app
        .post(&items, &s.coordinator, item(&day(0), &day(30), json!(745)))
        .await;
    assert_eq!(
        refusal(st, &b, "hours_per_month"),
        "Hours per month: from 0 to 744."
    );
    let (st, b) = step(
        &s,
        &s.coordinator,
        &id,
        json!({"to": "active", "review_date": "+262142-01-01"}),
    )
    .await;
    assert_eq!(refusal(st, &b, "review_date"), DATE_RANGE_EN);
    // A page number whose offset would overflow.
    let (st, b) = s
        .app
        .get("/api/v1/audit?page=9223372036854775807", &s.organizer)
        .await;
    assert_eq!(refusal(st, &b, "page"), OUT_OF_RANGE_EN);
    let (st, b) = s
        .app
        .get("/api/v1/audit?page=10000000&per_page=100", &s.organizer)
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["items"], json!([]));
    // The same checks on the pages, in the user's language.
    let browser = Browser::new(&s.app);
    let csrf = browser.sign_in(&s.coordinator.email, PASSWORD).await;
    let (st, html, _) = browser
        .post_form(
            "/plans/new",
            &[
                ("csrf", &csrf),
                ("resident_id", &s.resident_id),
                ("goals", "Praca"),
                ("application_date", "10000-01-01"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Data musi mieścić się w latach 1900–2200."));
    let (today, in_a_month) = (day(0), day(30));
    for (start, hours, lang, message) in [
        ("+262142-01-01", "8", "en", DATE_RANGE_EN),
        (
            today.as_str(),
            "9223372036854775807",
            "pl",
            "Liczba spoza dopuszczalnego zakresu.",
        ),
    ] {
        let (st, html, _) = browser
            .post_form(
                &format!("/plans/{id}/items?lang={lang}"),
                &[
                    ("csrf", &csrf),
                    ("service_code", "KIS"),
                    ("frequency", "co tydzień"),
                    ("hours_per_month", hours),
                    ("start_date", start),
                    ("end_date", &in_a_month),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(message), "{message}");
    }
    let (st, html, _) = browser
        .post_form(
            &format!("/plans/{id}/transition"),
            &[
                ("csrf", &csrf),
                ("to", "active"),
                ("review_date", "+262142-01-01"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Data musi mieścić się w latach 1900–2200."));
    // The server kept working.
    let (st, b) = s
        .app
        .post(&items, &s.coordinator, item(&day(0), &day(30), json!(8)))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}
