use cus_db::Role;
use cus_tests::*;
use reqwest::StatusCode;

#[tokio::test]
async fn home_is_polish_with_an_english_switch() {
    let app = spawn_app().await;
    let b = Browser::new(&app);
    let (s, html) = b.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html lang=\"pl\">"));
    assert!(html.contains("Jedno okienko"));
    assert!(html.contains("href=\"/?lang=en\""));
    let (_, html) = b.get("/?lang=en").await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Single window"));
    // The choice is remembered.
    let (_, html) = b.get("/login").await;
    assert!(html.contains("<html lang=\"en\">"), "cookie keeps English");
    assert!(html.contains("name=\"email\"") && html.contains("name=\"password\""));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let b = Browser::new(&app);
    let (_, _) = b.get("/login").await;
    let (s, _, _) = b
        .post_form("/login", &[("email", &desk.email), ("password", PASSWORD)])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let csrf = b.sign_in(&desk.email, PASSWORD).await;
    let form = [
        ("pesel", "44051401458"),
        ("first_name", "Maria"),
        ("last_name", "Zając"),
        ("address", "ul. Chopina 3"),
    ];
    let (s, html, _) = b.post_form("/residents", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("Brak uprawnień"), "HTML error page in Polish");
    let mut with_token = form.to_vec();
    with_token.push(("csrf", &csrf));
    let (s, _, location) = b.post_form("/residents", &with_token).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/residents/"));
}

#[tokio::test]
async fn desk_registers_and_files_through_the_pages() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let b = Browser::new(&app);
    let csrf = b.sign_in(&desk.email, PASSWORD).await;
    // A wrong PESEL: the form comes back (422) with the reason, in Polish, and what was typed.
    let (s, html, _) = b
        .post_form(
            "/residents",
            &[
                ("csrf", &csrf),
                ("pesel", "44051401459"),
                ("first_name", "Maria"),
                ("last_name", "Zając"),
                ("address", "ul. Chopina 3"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nieprawidłowa cyfra kontrolna PESEL"));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"Zając\""));
    let (s, _, location) = b
        .post_form(
            "/residents",
            &[
                ("csrf", &csrf),
                ("pesel", "44051401458"),
                ("first_name", "Maria"),
                ("last_name", "Zając"),
                ("address", "ul. Chopina 3"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let resident_page = location.unwrap();
    let resident_id = resident_page
        .trim_start_matches("/residents/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (s, html) = b.get(&resident_page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("44051401458"));
    let (s, html) = b
        .get(&format!("/requests/new?resident_id={resident_id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Usługa UO"));
    let (s, _, location) = b
        .post_form(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("resident_id", &resident_id),
                ("service_code", "UO"),
                ("description", "Pomoc w domu po udarze"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = b.get(&location.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("CUS/1428011/"));
    assert!(html.contains("w punkcie informacyjnym"));
    assert!(html.contains("Przekaż sprawę"));
    // Routing to nobody: the page again, with the reason in Polish.
    let request_path = html
        .split("action=\"/requests/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, page, _) = b
        .post_form(
            &format!("/requests/{request_path}"),
            &[("csrf", &csrf), ("to", "janitor"), ("note", "x")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Sprawę można przekazać pracownikowi socjalnemu"));
    let (s, _, _) = b
        .post_form(
            &format!("/requests/{request_path}"),
            &[("csrf", &csrf), ("to", "coordinator"), ("note", "IPUS")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The work list shows it.
    let (_, html) = b.get("/work").await;
    assert!(html.contains("Zając"));
    // Reading the resident went to the audit log.
    let (_, log) = app
        .get(
            &format!("/api/v1/audit?subject_type=resident&subject_id={resident_id}"),
            &organizer,
        )
        .await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "resident.read"));
}

#[tokio::test]
async fn resident_follows_their_case_and_consents_on_the_page() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "KIS").await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let b = Browser::new(&app);
    let csrf = b.sign_in(&resident.email, PASSWORD).await;
    let (s, _, location) = b
        .post_form(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("service_code", "KIS"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{location:?}");
    let (s, _, location) = b
        .post_form(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("service_code", "KIS"),
                ("description", "Szukam pracy"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = b.get(&location.unwrap()).await;
    assert!(html.contains("Wniosek złożony"));
    let (_, html) = b.get("/cases").await;
    assert!(html.contains("złożony"));
    // The coordinator drafts a plan; the resident agrees on the page.
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let (_, me) = app.get("/api/v1/me", &resident).await;
    let (_, plan) = app
        .post(
            "/api/v1/plans",
            &coordinator,
            serde_json::json!({"resident_id": me["resident_id"], "goals": ["Praca"]}),
        )
        .await;
    let id = plan["id"].as_str().unwrap();
    let today = cus_db::today().to_string();
    let (s, _) = app.post(&format!("/api/v1/plans/{id}/items"), &coordinator, serde_json::json!({"service_code": "KIS", "frequency": "co tydzień", "start_date": today, "end_date": today})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, html) = b.get(&format!("/plans/{id}")).await;
    assert!(html.contains("Wyrażam zgodę na plan"));
    let (s, _, _) = b
        .post_form(
            &format!("/plans/{id}/transition"),
            &[("csrf", &csrf), ("to", "agreed")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = b.get(&format!("/plans/{id}")).await;
    assert!(html.contains("uzgodniony z mieszkańcem"));
    // Not theirs to approve: 403, shown as a page.
    let (s, html, _) = b
        .post_form(
            &format!("/plans/{id}/transition"),
            &[("csrf", &csrf), ("to", "approved")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("<html"));
    // Staff pages are not for residents.
    let (s, _) = b.get("/services").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let b = Browser::new(&app);
    let csrf = b.sign_in(&coordinator.email, PASSWORD).await;
    let (s, _) = b.get("/plans").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = b.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = b.get("/plans").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "back to the login page");
}

#[tokio::test]
async fn dates_and_times_are_shown_in_the_readers_language_and_warsaw_time() {
    use chrono::NaiveDate;
    use cus_db::schema::{request_events, requests};
    use diesel::prelude::*;

    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let resident_id = app.resident(&desk, &pesel(41)).await;
    let (s, r) = app
        .post(
            "/api/v1/requests",
            &desk,
            serde_json::json!({"resident_id": resident_id, "service_code": "UO",
                               "description": "Pomoc w domu", "channel": "desk"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    let (_, r) = app.get(&format!("/api/v1/requests/{id}"), &desk).await;
    let deadline = NaiveDate::parse_from_str(r["deadline"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    // The confirmation mail: the localized date alone, no markup.
    app.run_job("outbox");
    let mails = app.mails().join("\n");
    assert!(
        mails.contains(&format!(
            "Termin załatwienia sprawy: {}",
            deadline.format("%d.%m.%Y")
        )),
        "{mails}"
    );
    assert!(!mails.contains("<time"), "{mails}");
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &desk,
            serde_json::json!({"to": "coordinator", "note": "IPUS"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Known instants, stored in UTC: one in summer time, one in winter time.
    app.with_db(|c| {
        let at = |m, d| {
            NaiveDate::from_ymd_opt(2026, m, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
        };
        diesel::update(requests::table.find(&id))
            .set(requests::deadline.eq(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()))
            .execute(c)
            .unwrap();
        let events = request_events::table.filter(request_events::request_id.eq(&id));
        diesel::update(events.filter(request_events::status.eq("submitted")))
            .set(request_events::at.eq(at(7, 1)))
            .execute(c)
            .unwrap();
        diesel::update(events.filter(request_events::status.ne("submitted")))
            .set(request_events::at.eq(at(12, 1)))
            .execute(c)
            .unwrap();
    });
    let b = Browser::new(&app);
    b.sign_in(&desk.email, PASSWORD).await;
    let (s, html) = b.get(&format!("/requests/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for shown in [
        "<time datetime=\"2026-11-24\">24.11.2026</time>",
        "<time datetime=\"2026-07-01T10:00:00Z\">01.07.2026, 12:00</time>",
        "<time datetime=\"2026-12-01T10:00:00Z\">01.12.2026, 11:00</time>",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    let (_, html) = b.get(&format!("/requests/{id}?lang=en")).await;
    for shown in [
        "<time datetime=\"2026-11-24\">24 Nov 2026</time>",
        "<time datetime=\"2026-07-01T10:00:00Z\">1 Jul 2026, 12:00</time>",
        "<time datetime=\"2026-12-01T10:00:00Z\">1 Dec 2026, 11:00</time>",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    // The work list too; the API keeps ISO dates and RFC 3339 UTC.
    let (_, html) = b.get("/work").await;
    assert!(html.contains("<time datetime=\"2026-11-24\">24 Nov 2026</time>"));
    let (_, r) = app.get(&format!("/api/v1/requests/{id}"), &desk).await;
    assert_eq!(r["deadline"], "2026-11-24");
    assert_eq!(r["history"][0]["at"], "2026-07-01T10:00:00Z", "{r}");
}
