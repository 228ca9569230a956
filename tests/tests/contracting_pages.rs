//! A competition run end to end through the pages: an organizer, two NGOs
//! and three commission members, each in their own browser session, ending
//! in a multi-year agreement with a filed report.

use chrono::Duration;
use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::StatusCode;

async fn browser_for(
    app: &TestApp,
    role: Role,
    organization: Option<&str>,
) -> (Browser, String, String) {
    let email = format!(
        "{}-{}@test.example",
        role.as_str(),
        uuid::Uuid::new_v4().simple()
    );
    let id = {
        let mut conn = app.state.pool.get().unwrap();
        cus::platform::auth::create_user(
            &mut conn,
            cus::platform::auth::NewUser {
                email: email.clone(),
                password: PASSWORD.into(),
                role,
                municipality: Some(SOCHACZEW.into()),
                organization_id: organization.map(str::to_string),
                display_name: format!("Członek {}", &email[..16]),
                locale: "pl".into(),
                confirmed: true,
            },
        )
        .unwrap()
    };
    let b = Browser::new(app);
    let csrf = b.sign_in(&email, PASSWORD).await;
    (b, csrf, id)
}

fn org_id_for(app: &TestApp, nip: &str) -> String {
    use cus_db::schema::organizations;
    let mut conn = app.state.pool.get().unwrap();
    organizations::table
        .filter(organizations::nip.eq(nip))
        .select(organizations::id)
        .first(&mut conn)
        .unwrap()
}

#[tokio::test]
async fn a_competition_runs_through_the_pages() {
    let app = spawn_app().await;
    let year = base_year();
    // Two NGOs register themselves on the page.
    for (name, nip, regon, email) in [
        (
            "Stowarzyszenie Razem",
            "5260001246",
            "123456785",
            "razem@ngo.example",
        ),
        ("Fundacja Dom", "7740001454", "732065814", "dom@ngo.example"),
    ] {
        let b = Browser::new(&app);
        let (s, page) = b.get("/organizations/register").await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&page);
        let (s, html, _) = b
            .post_form(
                "/organizations/register",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("legal_form", "association"),
                    ("nip", nip),
                    ("regon", regon),
                    ("address", "ul. Polna 2"),
                    ("postal_code", "96-500"),
                    ("city", "Sochaczew"),
                    ("municipality", SOCHACZEW),
                    ("email", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("Wysłaliśmy wiadomość"));
    }
    let (org_a, org_b) = (
        org_id_for(&app, "5260001246"),
        org_id_for(&app, "7740001454"),
    );
    let (ngo_a, csrf_a, _) = browser_for(&app, Role::Ngo, Some(&org_a)).await;
    let (ngo_b, csrf_b, _) = browser_for(&app, Role::Ngo, Some(&org_b)).await;
    let (organizer, csrf_o, _) = browser_for(&app, Role::Organizer, None).await;
    let mut members = vec![];
    for _ in 0..3 {
        members.push(browser_for(&app, Role::Commission, None).await);
    }
    // The organizer writes and publishes the announcement.
    let deadline = (cus_db::today() + Duration::days(22)).to_string();
    let (start, end) = (format!("{}-01-01", year + 1), format!("{}-12-31", year + 2));
    let mut form = vec![
        ("csrf", csrf_o.as_str()),
        ("title", "Asystencja osobista"),
        ("task", "Asystencja osób z niepełnosprawnością"),
        ("funds", "300 000,00"),
        ("financing", "co_financing"),
        ("period_start", &start),
        ("period_end", &end),
        ("offer_deadline", &deadline),
        ("award_rules", "Do 90% kosztów"),
        ("conditions", "Na terenie gminy"),
        ("award_procedure", "Ocena formalna i merytoryczna"),
        ("prior_funding", "Brak w latach poprzednich"),
        (
            "criteria",
            "Możliwość realizacji | 50 | 10\nJakość | 50 | 10",
        ),
    ];
    let (s, html, _) = organizer
        .post_form(
            "/competitions/manage",
            &[("csrf", &csrf_o), ("title", "x"), ("funds", "abc")],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad amount shown on the form"
    );
    assert!(html.contains("Podaj kwotę w złotych"));
    let (s, _, location) = organizer.post_form("/competitions/manage", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let page = location.unwrap();
    let cid = page
        .trim_start_matches("/competitions/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (s, _, _) = organizer
        .post_form(
            &format!("/competitions/{cid}/publish"),
            &[("csrf", &csrf_o)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, public) = Browser::new(&app).get("/competitions").await;
    assert!(public.contains("Asystencja osobista") && public.contains("300\u{a0}000,00\u{a0}zł"));
    form.clear();
    // Both NGOs submit offers on the page.
    let budget_a = format!(
        "{} | task | Asystenci | 100 000\n{} | task | Asystenci | 100 000",
        year + 1,
        year + 2
    );
    let budget_b = format!("{} | task | Asystenci | 50 000", year + 1);
    for (b, csrf, budget) in [(&ngo_a, &csrf_a, &budget_a), (&ngo_b, &csrf_b, &budget_b)] {
        let offers = format!("/competitions/{cid}/offers");
        let (s, html, _) = b
            .post_form(
                &offers,
                &[
                    ("csrf", csrf),
                    ("title", "Asystent"),
                    ("description", "Opis"),
                    ("budget", budget),
                    ("own_contribution", "5 000"),
                ],
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "declarations are required"
        );
        assert!(html.contains("oświadczeń"));
        let (s, _, _) = b
            .post_form(
                &offers,
                &[
                    ("csrf", csrf),
                    ("title", "Asystent osobisty"),
                    ("description", "Opis zadania"),
                    ("budget", budget),
                    ("own_contribution", "5 000"),
                    ("declarations", "on"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let (_, html) = ngo_a.get(&format!("/competitions/{cid}")).await;
    assert!(html.contains("Oferta mojej organizacji") && html.contains("200\u{a0}000,00\u{a0}zł"));
    assert!(
        !html.contains("Fundacja Dom"),
        "an NGO never sees another's offer"
    );
    // Time passes; the organizer checks the offers and appoints the commission.
    {
        use cus_db::schema::competitions;
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(competitions::table.find(&cid))
            .set(competitions::offer_deadline.eq(cus_db::today() - Duration::days(1)))
            .execute(&mut conn)
            .unwrap();
    }
    let (_, html) = ngo_a.get(&format!("/competitions/{cid}")).await;
    assert!(
        !html.contains("Złóż ofertę"),
        "no offer form after the deadline"
    );
    let offer_ids: Vec<String> = {
        use cus_db::schema::offers;
        let mut conn = app.state.pool.get().unwrap();
        offers::table
            .filter(offers::competition_id.eq(&cid))
            .order(offers::created_at)
            .select(offers::id)
            .load(&mut conn)
            .unwrap()
    };
    for oid in &offer_ids {
        let (s, _, _) = organizer
            .post_form(
                &format!("/offers/{oid}/formal"),
                &[("csrf", &csrf_o), ("passed", "yes")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let member_fields: Vec<String> = members.iter().map(|m| format!("member_{}", m.2)).collect();
    let mut appoint = vec![("csrf", csrf_o.as_str())];
    appoint.extend(member_fields.iter().map(|f| (f.as_str(), "on")));
    let (s, _, _) = organizer
        .post_form(&format!("/competitions/{cid}/commission"), &appoint)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Each member declares, then scores both offers.
    for (b, csrf, _) in &members {
        let (_, html) = b.get(&format!("/competitions/{cid}")).await;
        assert!(html.contains("Oświadczenie o braku konfliktu interesów"));
        let (s, _, _) = b
            .post_form(
                &format!("/competitions/{cid}/declarations"),
                &[("csrf", csrf), ("no_conflict", "yes")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        for (oid, points) in offer_ids.iter().zip(["9", "6"]) {
            let scores = format!("/offers/{oid}/scores");
            let (s, html, _) = b
                .post_form(
                    &scores,
                    &[
                        ("csrf", csrf),
                        ("points_Możliwość realizacji", "11"),
                        ("points_Jakość", points),
                    ],
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "11 > 10");
            assert!(html.contains("maksimum"));
            let (s, _, _) = b
                .post_form(
                    &scores,
                    &[
                        ("csrf", csrf),
                        ("points_Możliwość realizacji", points),
                        ("points_Jakość", points),
                    ],
                )
                .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
        }
    }
    let (s, _, _) = organizer
        .post_form(
            &format!("/competitions/{cid}/resolve"),
            &[("csrf", &csrf_o)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = Browser::new(&app)
        .get(&format!("/competitions/{cid}"))
        .await;
    assert!(
        html.contains("rozstrzygnięty") && html.contains("90"),
        "public results"
    );
    // The winner's multi-year agreement; the NGO files its final report on the page.
    let (_, list) = ngo_a.get("/agreements").await;
    let aid = list
        .split("/agreements/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (_, html) = ngo_a.get(&format!("/agreements/{aid}")).await;
    assert!(
        html.contains(&format!("{}: 100\u{a0}000,00\u{a0}zł", year + 1))
            && html.contains(&format!("{}: 100\u{a0}000,00\u{a0}zł", year + 2))
    );
    let (s, _, _) = ngo_a
        .post_form(
            &format!("/agreements/{aid}/reports"),
            &[
                ("csrf", &csrf_a),
                ("kind", "final"),
                ("period", "całość"),
                ("text", "Zadanie wykonane"),
                ("spent", "195 000"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = ngo_a.get(&format!("/agreements/{aid}")).await;
    assert!(html.contains("5\u{a0}000,00\u{a0}zł"), "refund due shown");
    let (s, doc) = ngo_a.get(&format!("/agreements/{aid}/document")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc.contains("Za organizację") && doc.contains("Zadanie wykonane"));
    let (s, doc) = organizer
        .get(&format!("/offers/{}/document", offer_ids[0]))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc.contains("Kalkulacja kosztów") && doc.contains("Stowarzyszenie Razem"));
    let (s, _) = ngo_b
        .get(&format!("/offers/{}/document", offer_ids[0]))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_ngo_keeps_its_profile_and_accounts_on_the_page() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (s, org) = app
        .post("/api/v1/organizations", &organizer, serde_json::json!({"name": "Klub", "legal_form": "association", "nip": "5260001246", "regon": "123456785", "address": "ul. A 1", "email": "klub@ngo.example"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (b, csrf, _) = browser_for(&app, Role::Ngo, Some(org["id"].as_str().unwrap())).await;
    let (s, page) = b.get("/organization").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"5260001246\""));
    let profile = |nip: &'static str, name: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.into()),
            ("legal_form", "association".into()),
            ("nip", nip.into()),
            ("regon", "123456785".into()),
            ("address", "ul. B 2".into()),
            ("postal_code", "96-500".into()),
            ("city", "Sochaczew".into()),
            ("email", "klub@ngo.example".into()),
        ]
    };
    let bad = profile("5260001247", "Klub");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, html, _) = b.post_form("/organization", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nieprawidłowa cyfra kontrolna NIP"));
    let good = profile("5260001246", "Klub Sąsiedzki");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, _) = b.post_form("/organization", &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = b
        .post_form(
            "/organization/users",
            &[
                ("csrf", &csrf),
                ("name", "Ala"),
                ("email", "ala@ngo.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/organization").await;
    assert!(page.contains("Klub Sąsiedzki") && page.contains("ala@ngo.example"));
    app.login("ala@ngo.example", PASSWORD).await;
}

#[tokio::test]
async fn out_of_range_dates_and_numbers_are_shown_on_the_forms() {
    let app = spawn_app().await;
    let (organizer, csrf, _) = browser_for(&app, Role::Organizer, None).await;
    let range_pl = "Data musi mieścić się w latach 1900–2200.";
    let agreement = |start: &'static str, end: &'static str, capacity: &'static str| {
        [
            ("organization_id", "nieznana"),
            ("mode", "own"),
            ("financing", "full_financing"),
            ("start_date", start),
            ("end_date", end),
            ("tranches", "2027 | 1 000,00"),
            ("capacity_unit", "hours"),
            ("capacity_per_year", capacity),
        ]
    };
    let with_csrf = |fields: &[(&'static str, &'static str)]| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        form
    };
    for (fields, message) in [
        (agreement("+262142-01-01", "+262142-12-31", "10"), range_pl),
        (agreement("2027-01-01", "10000-01-01", "10"), range_pl),
        (
            agreement("2027-01-01", "2027-12-31", "9223372036854775807"),
            "Liczba spoza dopuszczalnego zakresu.",
        ),
    ] {
        let form = with_csrf(&fields);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, html, _) = organizer.post_form("/agreements", &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(html.contains(message), "{message}");
    }
    // A competition's period, in English on request.
    let (s, html, _) = organizer
        .post_form(
            "/competitions/manage?lang=en",
            &[
                ("csrf", &csrf),
                ("title", "Za daleko"),
                ("task", "Zadanie"),
                ("funds", "1 000,00"),
                ("financing", "co_financing"),
                ("period_start", "+262142-01-01"),
                ("period_end", "9999-12-31"),
                ("offer_deadline", "2027-01-01"),
                ("criteria", "Jakość | 100 | 10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The date must fall within the years 1900 to 2200."));
    // A council resolution dated out of range.
    let year = (base_year() + 1).to_string();
    let (s, _, location) = organizer
        .post_form(
            "/programs",
            &[
                ("csrf", &csrf),
                ("title", "Program współpracy"),
                ("year_from", &year),
                ("year_to", &year),
                ("priorities", "usługi opiekuńcze"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let program = location.unwrap();
    let program = program.split('?').next().unwrap();
    let (s, html, _) = organizer
        .post_form(
            &format!("{program}/transition?lang=pl"),
            &[
                ("csrf", &csrf),
                ("to", "adopted"),
                ("resolution_number", "XX/1"),
                ("resolution_date", "+262142-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(range_pl));
    let (s, _) = organizer.get("/agreements").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn typed_page_fields_are_refused_on_the_form_with_what_was_typed() {
    let app = spawn_app().await;
    let (organizer, csrf, _) = browser_for(&app, Role::Organizer, None).await;
    let rows_pl = "Sprawdź format wierszy.";
    let (s, html, _) = organizer
        .post_form(
            "/competitions/manage",
            &[
                ("csrf", &csrf),
                ("title", "Wiersze z błędem"),
                ("task", "Zadanie"),
                ("funds", "1 000,00"),
                ("financing", "co_financing"),
                ("period_start", "2027-01-01"),
                ("period_end", "2027-12-31"),
                ("offer_deadline", "2026-12-01"),
                ("criteria", "Jakość | sto | 10"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(rows_pl) && html.contains("Wiersze z błędem"),
        "{html}"
    );
    let (s, html, _) = organizer
        .post_form(
            "/agreements",
            &[
                ("csrf", &csrf),
                ("organization_id", "nieznana"),
                ("mode", "own"),
                ("start_date", "2027-01-01"),
                ("end_date", "2027-12-31"),
                ("tranches", "2027"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(rows_pl), "{html}");
    let (s, html, _) = organizer
        .post_form(
            "/agreements",
            &[
                ("csrf", &csrf),
                ("organization_id", "nieznana"),
                ("mode", "own"),
                ("start_date", "jutro"),
                ("end_date", "2027-12-31"),
                ("tranches", "2027 | 100"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Nieprawidłowy typ lub format wartości."),
        "{html}"
    );
}

/// A competition's, an offer's, an organization's and a cooperation
/// program's id is a UUID, read where it enters: a path that names none is
/// 404 on the API and on the pages, before any service looks it up.
#[tokio::test]
async fn contracting_paths_that_are_no_uuid_name_nothing() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (browser, csrf, _) = browser_for(&app, Role::Organizer, None).await;
    for bad in ["nieznany", "1%3B%20DROP%20TABLE%20competitions"] {
        for path in [
            format!("/api/v1/competitions/{bad}"),
            format!("/api/v1/competitions/{bad}/offers"),
            format!("/api/v1/competitions/{bad}/results"),
            format!("/api/v1/offers/{bad}"),
            format!("/api/v1/organizations/{bad}"),
            format!("/api/v1/programs/{bad}"),
            format!("/api/v1/programs/{bad}/report?year=2025"),
        ] {
            let (s, _) = app.get(&path, &organizer).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
        for path in [format!("/competitions/{bad}"), format!("/programs/{bad}")] {
            let (s, _) = browser.get(&path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
        for path in [
            format!("/competitions/{bad}/publish"),
            format!("/offers/{bad}/formal"),
            format!("/programs/{bad}/transition"),
        ] {
            let (s, _, _) = browser.post_form(&path, &[("csrf", &csrf)]).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
    }
}
