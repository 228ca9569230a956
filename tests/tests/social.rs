//! The social services program over HTTP: the diagnosis's computed figures
//! against hand-counted fixtures (withheld below the minimum group, frozen
//! when published), the program's lifecycle with its 409s, the
//! consultation report, amendments, planned against actual and the yearly
//! evaluation against hand-computed values, the public page and feed
//! without personal data, and the pages.

use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::assessment::{seed, Fixture};

fn figure<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {d}"))
}

/// A request filed on `day` for catalogue entry `service` (an id), or none.
fn request(f: &mut Fixture, m: &str, by: &str, day: &str, service: Option<&str>) {
    let resident = f.resident(m);
    let id = f.id("req");
    let service = service.map_or("NULL".to_string(), |s| format!("'{s}'"));
    f.sql(&format!(
        "INSERT INTO requests (id, municipality, case_number, resident_id, service_id, description, channel, status, \
         deadline, created_by, created_at, updated_at) VALUES ('{id}', '{m}', '{id}', '{resident}', {service}, 'wniosek', \
         'desk', 'submitted', '{day}', '{by}', '{day} 08:00:00', '{day} 08:00:00')"
    ));
}

/// `people` residents with a 2025 item of catalogue entry `service` (an
/// id), 10 hours a month, in plans approved in 2024.
fn served(f: &mut Fixture, m: &str, by: &str, service: &str, people: usize) {
    for _ in 0..people {
        let (plan, _) = f.plan(m, by, "2024-11-02", Some("2024-11-20"));
        let item = f.id("item");
        f.sql(&format!(
            "INSERT INTO plan_items (id, plan_id, service_id, provider, frequency, hours_per_month, start_date, \
             end_date, created_at) VALUES ('{item}', '{plan}', '{service}', 'own', 'weekly', 10, '2025-01-01', \
             '2025-12-31', '2024-11-20 12:00:00')"
        ));
    }
}

/// The catalogue entry the seed's agreement items are of.
fn care_of(app: &TestApp, agreement: &str) -> String {
    use cus_db::schema::plan_items;
    use diesel::prelude::*;
    app.with_db(|c| {
        plan_items::table
            .filter(plan_items::provider_agreement_id.eq(agreement))
            .select(plan_items::service_id)
            .first::<String>(c)
            .unwrap()
    })
}

fn code_of(app: &TestApp, service_id: &str) -> String {
    use diesel::prelude::*;
    app.with_db(|c| {
        cus_db::schema::services::table
            .find(service_id)
            .select(cus_db::schema::services::code)
            .get_result::<String>(c)
            .unwrap()
    })
}

#[tokio::test]
async fn diagnosis_figures_match_the_fixture_and_freeze_when_published() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let community = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    let (a1, _a2) = seed(&app, &coordinator.id, &coordinator.id);
    let mut f = Fixture::new(&app);
    let care = care_of(&app, &a1);
    // Two more requests for the care entry (withheld: 2 < 5) and six more
    // closings with employment... 4 from the seed + 2 here.
    request(
        &mut f,
        SOCHACZEW,
        &coordinator.id,
        "2025-06-02",
        Some(&care),
    );
    request(
        &mut f,
        SOCHACZEW,
        &coordinator.id,
        "2025-06-03",
        Some(&care),
    );
    request(&mut f, SOCHACZEW, &coordinator.id, "2024-12-31", None);
    for _ in 0..2 {
        let (plan, _) = f.plan(SOCHACZEW, &coordinator.id, "2024-11-02", Some("2024-11-20"));
        f.close(&plan, &coordinator.id, "2025-09-01", "employment");
    }
    for (day, name, people) in [
        ("2025-03-01", "Osiedle Zatorze", 12),
        ("2025-05-01", "Osiedle Zatorze", 8),
        ("2025-05-02", "Klub Seniora", 3),
    ] {
        let (s, b) = app
            .post(
                "/api/v1/community/activities",
                &community,
                json!({
                "date": day, "title": "Spotkanie", "kind": "meeting", "dimension": "preventive",
                "community": name, "participants": people}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }

    // Bad input: the period backwards, a year out of range, no title.
    let (s, b) = app
        .post(
            "/api/v1/diagnoses",
            &organizer,
            json!({"title": "D", "period_from": "2025-12-31", "period_to": "2025-01-01"}),
        )
        .await;
    refusal(s, &b, "period_to");
    let (s, b) = app
        .post(
            "/api/v1/diagnoses",
            &organizer,
            json!({"title": " ", "period_from": "1990-01-01", "period_to": "2025-01-01"}),
        )
        .await;
    refusal(s, &b, "period_from");
    refusal(s, &b, "title");
    let (s, _) = app
        .post(
            "/api/v1/diagnoses",
            &coordinator,
            json!({"title": "D", "period_from": "2025-01-01", "period_to": "2025-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, d) = app
        .post(
            "/api/v1/diagnoses",
            &organizer,
            json!({
            "title": "Diagnoza 2025", "period_from": "2025-01-01", "period_to": "2025-12-31",
            "needs": "Seniorzy", "potential": "Organizacje"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["status"], "draft");
    assert_eq!(d["frozen"], false);
    let id = d["id"].as_str().unwrap().to_string();

    // Requests of 2025: six routed (no service), two for the care entry.
    let areas = figure(&d, "requests_by_area");
    assert_eq!(areas["data"], json!({"health": null, "unspecified": 6}));
    assert_eq!(areas["suppressed"], json!(["health"]));
    assert_eq!(areas["period_from"], "2025-01-01");
    assert_eq!(areas["period_to"], "2025-12-31");
    assert!(areas["source"]
        .as_str()
        .unwrap()
        .contains("requests.created_at"));
    assert_eq!(areas["label"], "Wnioski według obszaru usług");
    assert_eq!(
        figure(&d, "requests_by_month")["data"],
        json!({"2025-04": 6, "2025-06": null})
    );
    // Closed in 2025: 4 + 2 with employment, 3 goals achieved, 3 not.
    let closed = figure(&d, "plans_closed_by_outcome");
    assert_eq!(
        closed["data"],
        json!({"employment": 6, "goals_achieved": null, "not_achieved": null})
    );
    assert_eq!(
        closed["suppressed"],
        json!(["goals_achieved", "not_achieved"])
    );
    assert_eq!(
        figure(&d, "plans")["data"],
        json!({"drawn_up": 15, "closed": 12})
    );
    let places = figure(&d, "places_used");
    let list = places["data"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{places}");
    assert_eq!(list[0]["number"], "A1/2025");
    assert_eq!(list[0]["capacity"], 10);
    assert_eq!(list[0]["recipients"], 6);
    assert_eq!(list[1]["recipients"], Value::Null);
    assert_eq!(places["suppressed"], json!(["A2/2025"]));
    let work = figure(&d, "activities_by_community");
    assert_eq!(
        work["data"],
        json!([
            {"community": "Klub Seniora", "activities": 1, "participants": null},
            {"community": "Osiedle Zatorze", "activities": 2, "participants": 20},
        ])
    );
    assert_eq!(work["suppressed"], json!(["Klub Seniora"]));
    assert_eq!(figure(&d, "requests_unmet")["data"]["open"], 8);

    // A draft recomputes: four more care requests make six, shown.
    for day in ["2025-07-01", "2025-07-02", "2025-07-03", "2025-07-04"] {
        request(&mut f, SOCHACZEW, &coordinator.id, day, Some(&care));
    }
    let (_, d) = app
        .get(&format!("/api/v1/diagnoses/{id}"), &organizer)
        .await;
    assert_eq!(figure(&d, "requests_by_area")["data"]["health"], 6);

    // Outsiders: another municipality 404; a resident does not see a draft.
    let other = app.user(Role::Organizer, BRZEZINY).await;
    let (s, _) = app.get(&format!("/api/v1/diagnoses/{id}"), &other).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (s, _) = app.get(&format!("/api/v1/diagnoses/{id}"), &resident).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Edits while a draft; publishing freezes the figures.
    let (s, d) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/diagnoses/{id}"),
            Some(&organizer),
            Some(json!({"needs": "Seniorzy samotni"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["needs"], "Seniorzy samotni");
    let (s, d) = app
        .post(
            &format!("/api/v1/diagnoses/{id}/publish"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["frozen"], true);
    request(
        &mut f,
        SOCHACZEW,
        &coordinator.id,
        "2025-08-01",
        Some(&care),
    );
    let (_, d) = app
        .get(&format!("/api/v1/diagnoses/{id}"), &organizer)
        .await;
    assert_eq!(figure(&d, "requests_by_area")["data"]["health"], 6);
    assert_eq!(
        figure(&d, "requests_by_area")["label"],
        "Wnioski według obszaru usług"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/diagnoses/{id}/publish"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/diagnoses/{id}"),
            Some(&organizer),
            Some(json!({"needs": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Published, it is the municipality's public document.
    let (s, _) = app.get(&format!("/api/v1/diagnoses/{id}"), &resident).await;
    assert_eq!(s, StatusCode::OK);
}

/// A valid program body for the catalogue entry `code`.
fn program(code: &str) -> Value {
    json!({
        "title": "Program usług społecznych 2025–2026", "year_from": 2025, "year_to": 2026,
        "goals": ["Seniorzy w domu", " "],
        "services": [{"service_code": code, "target_group": "Seniorzy", "delivery": "competition",
            "years": [{"year": 2025, "people": 10, "hours": 1200, "budget_grosze": 15_000_000},
                      {"year": 2026, "people": 12, "hours": 1400, "budget_grosze": 16_000_000}],
            "indicators": ["cost_per_recipient", "ipus_drawn_up_30d"]}]
    })
}

async fn move_to(app: &TestApp, user: &User, id: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/social-programs/{id}/transition"),
        user,
        body,
    )
    .await
}

#[tokio::test]
async fn the_program_lifecycle_consultation_and_amendments() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let council = app.user(Role::Council, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    app.service(&organizer, "UO").await;

    // Bad input, every field at once.
    let mut bad = program("UO");
    bad["year_to"] = json!(2024);
    bad["services"][0]["service_code"] = json!("NOPE");
    bad["services"][0]["delivery"] = json!("magic");
    bad["services"][0]["years"][0]["budget_grosze"] = json!(-1);
    bad["services"][0]["indicators"] = json!(["no_such"]);
    let (s, b) = app.post("/api/v1/social-programs", &organizer, bad).await;
    refusal(s, &b, "year_to");
    refusal(s, &b, "services[0].service_code");
    refusal(s, &b, "services[0].delivery");
    refusal(s, &b, "services[0].years[0].budget_grosze");
    refusal(s, &b, "services[0].indicators[0]");
    let mut bad = program("UO");
    bad["year_to"] = json!(2035);
    let (s, b) = app.post("/api/v1/social-programs", &organizer, bad).await;
    refusal(s, &b, "year_to");
    let mut bad = program("UO");
    bad["services"][0]["years"] = json!([{"year": 2026}, {"year": 2025}]);
    let (s, b) = app.post("/api/v1/social-programs", &organizer, bad).await;
    refusal(s, &b, "services[0].years[1].year");
    let mut bad = program("UO");
    bad["services"][0]["years"] = json!([{"year": 2027}]);
    let (s, b) = app.post("/api/v1/social-programs", &organizer, bad).await;
    refusal(s, &b, "services[0].years[0].year");
    let (s, b) = app
        .post(
            "/api/v1/social-programs",
            &organizer,
            json!({"title": "x", "year_from": 2025, "year_to": 2025, "diagnosis_id": "nope"}),
        )
        .await;
    refusal(s, &b, "diagnosis_id");
    let (s, _) = app
        .post("/api/v1/social-programs", &council, program("UO"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, p) = app
        .post("/api/v1/social-programs", &organizer, program("UO"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["version"], 1);
    assert_eq!(p["status"], "draft");
    assert_eq!(p["amends"], Value::Null);
    assert_eq!(p["goals"], json!(["Seniorzy w domu"]));
    assert_eq!(p["budget_grosze"], 31_000_000);
    assert_eq!(p["services"][0]["area"], "social_assistance");
    let id = p["id"].as_str().unwrap().to_string();
    let service = p["services"][0]["id"].as_str().unwrap().to_string();

    // A draft is the center's: residents do not see it.
    let (s, _) = app
        .get(&format!("/api/v1/social-programs/{id}"), &resident)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let other = app.user(Role::Organizer, BRZEZINY).await;
    let (s, _) = app
        .get(&format!("/api/v1/social-programs/{id}"), &other)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Comments only in consultation; the council decides only once submitted.
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &organizer,
            json!({"body": "uwaga"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = move_to(
        &app,
        &council,
        &id,
        json!({"to": "adopted", "resolution_number": "I/1/2025", "resolution_date": "2024-12-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, b) = move_to(&app, &organizer, &id, json!({"to": "in_force"})).await;
    refusal(s, &b, "to");

    // Editing a draft keeps the service named by its id.
    let mut services = p["services"].clone();
    services[0]["target_group"] = json!("Seniorzy samotni");
    for k in ["service_name", "area", "budget_grosze"] {
        services[0].as_object_mut().unwrap().remove(k);
    }
    let (s, p) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/social-programs/{id}"),
            Some(&organizer),
            Some(json!({"title": "Program 2025–2026", "services": services})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["title"], "Program 2025–2026");
    assert_eq!(p["services"][0]["id"], service.as_str());
    assert_eq!(p["services"][0]["target_group"], "Seniorzy samotni");

    let (s, p) = move_to(&app, &organizer, &id, json!({"to": "consultation"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/social-programs/{id}"),
            Some(&organizer),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, c1) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &resident,
            json!({"body": "Także w soboty"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c1}");
    assert_eq!(c1["author_kind"], "resident");
    let (s, c2) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &ngo,
            json!({"body": "Konkurs na 5 lat"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c2}");
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &desk,
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let outsider = app.user(Role::Resident, BRZEZINY).await;
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &outsider,
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &resident,
            json!({"body": ""}),
        )
        .await;
    refusal(s, &b, "body");

    // Submission waits for every answer.
    let (s, _) = move_to(&app, &organizer, &id, json!({"to": "submitted"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    for (c, accepted) in [(&c1, true), (&c2, false)] {
        let (s, b) = app
            .post(
                &format!(
                    "/api/v1/social-programs/{id}/comments/{}/answer",
                    c["id"].as_str().unwrap()
                ),
                &organizer,
                json!({"answer": "Odpowiedź", "accepted": accepted}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments/nope/answer"),
            &organizer,
            json!({"answer": "x", "accepted": true}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, r) = app
        .get(
            &format!("/api/v1/social-programs/{id}/consultation-report"),
            &resident,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["comments"].clone(),
            r["accepted"].clone(),
            r["rejected"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(
        r["items"][0],
        json!({"body": "Także w soboty", "author_kind": "resident", "answer": "Odpowiedź", "accepted": true})
    );
    assert!(
        !r.to_string().contains("Test resident"),
        "no author names: {r}"
    );
    let (s, p) = move_to(&app, &organizer, &id, json!({"to": "submitted"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/comments"),
            &resident,
            json!({"body": "późno"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Only the council adopts, with its resolution.
    let (s, _) = move_to(
        &app,
        &organizer,
        &id,
        json!({"to": "adopted", "resolution_number": "I/1/2025", "resolution_date": "2024-12-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = move_to(&app, &council, &id, json!({"to": "adopted"})).await;
    refusal(s, &b, "resolution_number");
    refusal(s, &b, "resolution_date");
    let (s, b) = move_to(
        &app,
        &council,
        &id,
        json!({"to": "adopted", "resolution_number": "I/1/2025", "resolution_date": "2099-01-01"}),
    )
    .await;
    refusal(s, &b, "resolution_date");
    let (s, p) = move_to(
        &app,
        &council,
        &id,
        json!({"to": "adopted", "resolution_number": "I/1/2025", "resolution_date": "2024-12-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "adopted");
    assert_eq!(p["resolution_number"], "I/1/2025");
    let statuses: Vec<&str> = p["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["draft", "consultation", "submitted", "adopted"]);
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/social-programs/{id}"),
            Some(&organizer),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = move_to(
        &app,
        &council,
        &id,
        json!({"to": "rejected", "resolution_number": "I/2/2025", "resolution_date": "2024-12-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Public: the adopted version, without comments or names.
    let (s, list) = app
        .call(Method::GET, "/api/v1/public/social-programs", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "adopted");
    assert_eq!(list["items"][0]["superseded"], false);
    assert!(
        !list.to_string().contains("soboty"),
        "no comments in public: {list}"
    );
    let atom = app
        .client
        .get(app.url("/social-programs.atom"))
        .send()
        .await
        .unwrap();
    assert!(atom.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let atom = atom.text().await.unwrap();
    assert!(
        atom.contains("Program 2025–2026") && atom.contains(&id),
        "{atom}"
    );

    // An amendment: a new draft keeping the services' ids.
    let (s, v2) = app
        .post(
            &format!("/api/v1/social-programs/{id}/amendments"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["amends"], id.as_str());
    assert_eq!(v2["status"], "draft");
    assert_eq!(v2["services"][0]["id"], service.as_str());
    let v2id = v2["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/amendments"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one amendment at a time");
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{v2id}/amendments"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a draft is not amended");
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/social-programs/{v2id}"),
            Some(&organizer),
            Some(json!({"year_to": 2027})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for (who, body) in [
        (&organizer, json!({"to": "consultation"})),
        (&organizer, json!({"to": "submitted"})),
        (
            &council,
            json!({"to": "adopted", "resolution_number": "V/9/2025", "resolution_date": "2025-01-10"}),
        ),
    ] {
        let (s, b) = move_to(&app, who, &v2id, body).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (_, v1) = app
        .get(&format!("/api/v1/social-programs/{id}"), &organizer)
        .await;
    assert_eq!(v1["status"], "superseded");
    assert_eq!(v1["versions"].as_array().unwrap().len(), 2);
    let (_, list) = app
        .call(Method::GET, "/api/v1/public/social-programs", None, None)
        .await;
    assert_eq!(list["total"], 2);
    let superseded: Vec<bool> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["superseded"].as_bool().unwrap())
        .collect();
    assert_eq!(superseded.iter().filter(|s| **s).count(), 1, "{list}");
    let (_, mine) = app.get("/api/v1/social-programs", &organizer).await;
    assert_eq!(mine["total"], 2);
    let (_, theirs) = app.get("/api/v1/social-programs", &other).await;
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn progress_and_the_yearly_evaluation_against_hand_counts() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let council = app.user(Role::Council, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (a1, _a2) = seed(&app, &coordinator.id, &coordinator.id);
    let mut f = Fixture::new(&app);
    let care = care_of(&app, &a1);
    let care_code = code_of(&app, &care);
    // A second entry with three people in 2025 (withheld in public).
    let kis = f.service(SOCHACZEW);
    let kis_code = code_of(&app, &kis);
    served(&mut f, SOCHACZEW, &coordinator.id, &kis, 3);

    let mut body = program(&care_code);
    body["services"].as_array_mut().unwrap().push(json!({
        "service_code": kis_code, "target_group": "Bezrobotni", "delivery": "own",
        "years": [{"year": 2025, "people": 4, "hours": 300, "budget_grosze": 1_000_000}]}));
    let (s, p) = app.post("/api/v1/social-programs", &organizer, body).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let service = p["services"][0]["id"].as_str().unwrap().to_string();

    // Agreements name the service: A1 (2025, 120,000 zł) by hand; a new
    // one for 2026 through the API. An unknown service is refused.
    f.sql(&format!(
        "UPDATE agreements SET program_service_id = '{service}' WHERE id = '{a1}'"
    ));
    let (org, _) = app.organization(&organizer, "Fundacja Opieka", 7).await;
    let agreement = |ps: &str| {
        json!({"organization_id": org, "mode": "partnership", "program_service_id": ps,
        "start_date": "2026-01-01", "end_date": "2026-12-31", "tranches": [{"year": 2026, "amount_grosze": 4_000_000}]})
    };
    let (s, b) = app
        .post("/api/v1/agreements", &organizer, agreement("nope"))
        .await;
    refusal(s, &b, "program_service_id");
    let (s, b) = app
        .post("/api/v1/agreements", &organizer, agreement(&service))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["program_service_id"], service.as_str());
    let other = app.user(Role::Organizer, BRZEZINY).await;
    let (brzeziny_org, _) = app.organization(&other, "Fundacja B", 8).await;
    let (s, b) = app
        .post("/api/v1/agreements", &other, json!({"organization_id": brzeziny_org, "mode": "partnership", "program_service_id": service,
            "start_date": "2026-01-01", "end_date": "2026-12-31", "tranches": [{"year": 2026, "amount_grosze": 100}]}))
        .await;
    refusal(s, &b, "program_service_id");
    let (s, b) = app
        .post("/api/v1/competitions", &organizer, json!({"title": "K", "task": "T", "funds_grosze": 100, "program_service_id": "nope",
            "period_start": "2030-01-01", "period_end": "2030-12-31", "offer_deadline": "2029-12-01",
            "criteria": [{"name": "Jakość", "weight": 1, "max_points": 10}]}))
        .await;
    refusal(s, &b, "program_service_id");
    let (s, b) = app
        .post("/api/v1/competitions", &organizer, json!({"title": "K", "task": "T", "funds_grosze": 100, "program_service_id": service,
            "period_start": "2030-01-01", "period_end": "2030-12-31", "offer_deadline": "2029-12-01",
            "criteria": [{"name": "Jakość", "weight": 1, "max_points": 10}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["program_service_id"], service.as_str());

    // 2025: 9 people (A1's 6 and A2's 3) with 10 hours a month all year.
    let (s, pr) = app
        .get(
            &format!("/api/v1/social-programs/{id}/progress?year=2025"),
            &organizer,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pr}");
    let care_row = &pr["services"][0];
    assert_eq!(
        care_row["planned"],
        json!({"people": 10, "hours": 1200, "budget_grosze": 15_000_000})
    );
    assert_eq!(
        care_row["actual"],
        json!({"people": 9, "families": 9, "hours": 1080, "committed_grosze": 12_000_000})
    );
    assert_eq!(
        pr["services"][1]["actual"],
        json!({"people": 3, "families": 3, "hours": 360, "committed_grosze": 0})
    );
    let (_, pr) = app
        .get(
            &format!("/api/v1/social-programs/{id}/progress?year=2026"),
            &council,
        )
        .await;
    assert_eq!(
        pr["services"][0]["actual"],
        json!({"people": 0, "families": 0, "hours": 0, "committed_grosze": 4_000_000})
    );
    assert_eq!(
        pr["services"][1]["planned"],
        json!({"people": 0, "hours": 0, "budget_grosze": 0})
    );
    let (s, b) = app
        .get(
            &format!("/api/v1/social-programs/{id}/progress?year=2030"),
            &organizer,
        )
        .await;
    refusal(s, &b, "year");
    let (s, _) = app
        .get(
            &format!("/api/v1/social-programs/{id}/progress?year=2025"),
            &resident,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a draft");

    // The evaluation: assessed indicators against their targets.
    let (s, b) = app
        .post(
            "/api/v1/assessments/run",
            &organizer,
            json!({"period": "2025"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, e) = app
        .get(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["published"], false);
    assert_eq!(e["planned_budget_grosze"], 16_000_000);
    assert_eq!(e["committed_grosze"], 12_000_000);
    let ind: Vec<(String, Value, Value, Value)> = e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["value"].clone(),
                i["target"].clone(),
                i["met"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ind,
        vec![
            (
                "cost_per_recipient".to_string(),
                json!(16666.67),
                Value::Null,
                Value::Null
            ),
            (
                "ipus_drawn_up_30d".to_string(),
                json!(80.0),
                json!(90.0),
                json!(false)
            ),
        ]
    );
    // A corrective action on the indicator in 2025 appears in it.
    let (s, b) = app
        .post(
            "/api/v1/corrective-actions",
            &organizer,
            json!({"indicator": "ipus_drawn_up_30d", "period": "2025",
            "plan": "Dyżur koordynatora", "due_date": "2030-06-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, e) = app
        .get(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
        )
        .await;
    assert_eq!(e["corrective_actions"].as_array().unwrap().len(), 1, "{e}");

    // Published only for an adopted version and a year that is over.
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    for (who, body) in [
        (&organizer, json!({"to": "consultation"})),
        (&organizer, json!({"to": "submitted"})),
        (
            &council,
            json!({"to": "adopted", "resolution_number": "XX/1/2024", "resolution_date": "2024-12-20"}),
        ),
    ] {
        let (s, b) = move_to(&app, who, &id, body).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &council,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .post(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["published"], true);
    assert_eq!(e["history"].as_array().unwrap().len(), 4);
    let (s, _) = app
        .post(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let this_year = chrono::Datelike::year(&cus_db::today());
    if this_year <= 2026 {
        let (s, _) = app
            .post(
                &format!("/api/v1/social-programs/{id}/evaluations/2026"),
                &organizer,
                json!(null),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "the year is not over");
    }
    // Frozen: later records do not change the published figures.
    served(&mut f, SOCHACZEW, &coordinator.id, &care, 2);
    let (_, e) = app
        .get(
            &format!("/api/v1/social-programs/{id}/evaluations/2025"),
            &organizer,
        )
        .await;
    assert_eq!(e["services"][0]["actual"]["people"], 9);
    let (_, pr) = app
        .get(
            &format!("/api/v1/social-programs/{id}/progress?year=2025"),
            &organizer,
        )
        .await;
    assert_eq!(pr["services"][0]["actual"]["people"], 11);

    // Public: the evaluation with the three people withheld.
    let (_, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/public/social-programs?municipality={SOCHACZEW}"),
            None,
            None,
        )
        .await;
    let ev = &list["items"][0]["evaluations"][0];
    assert_eq!(ev["year"], 2025);
    assert_eq!(ev["services"][0]["actual"]["people"], 9);
    assert_eq!(ev["services"][1]["actual"]["people"], Value::Null);
    assert_eq!(ev["services"][1]["actual"]["families"], Value::Null);
    assert_eq!(
        ev["services"][1]["suppressed"],
        json!(["actual.people", "actual.families"])
    );
    assert!(!list.to_string().contains("Anna"), "no names: {list}");
    let (_, none) = app
        .call(
            Method::GET,
            &format!("/api/v1/public/social-programs?municipality={BRZEZINY}"),
            None,
            None,
        )
        .await;
    assert_eq!(none["total"], 0);

    // The printable evaluation and the public page.
    let browser = Browser::new(&app);
    browser.sign_in(&organizer.email, PASSWORD).await;
    let (s, page) = browser
        .get(&format!("/social-programs/{id}/evaluations/2025"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Ocena realizacji programu") && page.contains("120\u{a0}000,00"),
        "{page}"
    );
    // The program page: planned against actual and the indicators for a year.
    let (s, page) = browser
        .get(&format!("/social-programs/{id}?year=2025"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("IPUS opracowane w ciągu 30 dni") && page.contains("<td>80 %</td>"),
        "{page}"
    );
    let (s, page) = Browser::new(&app).get("/public/social-programs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Program usług społecznych 2025–2026") && !page.contains("Anna"));
}

#[tokio::test]
async fn the_pages_draft_consult_and_adopt_a_program() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let council = app.user(Role::Council, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let org = Browser::new(&app);
    let csrf = org.sign_in(&organizer.email, PASSWORD).await;

    // A diagnosis from the page; a backwards period is refused in Polish.
    let (s, page, _) = org
        .post_form(
            "/diagnoses",
            &[
                ("csrf", &csrf),
                ("title", "Diagnoza"),
                ("period_from", "2025-12-31"),
                ("period_to", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("Data końcowa"),
        "{page}"
    );
    let (s, _, to) = org
        .post_form(
            "/diagnoses",
            &[
                ("csrf", &csrf),
                ("title", "Diagnoza 2025"),
                ("period_from", "2025-01-01"),
                ("period_to", "2025-12-31"),
                ("needs", "Seniorzy"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let diagnosis = to.unwrap();
    let (s, page) = org.get(&diagnosis).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Wnioski według obszaru usług") && page.contains("Źródło"),
        "{page}"
    );
    let (s, _, _) = org
        .post_form(
            &format!("{}/publish", diagnosis.split('?').next().unwrap()),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The program, a service added from the form (a bad row refused).
    let (s, _, to) = org
        .post_form(
            "/social-programs",
            &[
                ("csrf", &csrf),
                ("title", "Program stron"),
                ("year_from", "2026"),
                ("year_to", "2027"),
                ("goals", "Cel A\nCel B"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let path = to.unwrap().split('?').next().unwrap().to_string();
    let (s, page, _) = org
        .post_form(
            &format!("{path}/services"),
            &[
                ("csrf", &csrf),
                ("service_code", "UO"),
                ("target_group", "Seniorzy"),
                ("delivery", "own"),
                ("years", "2026 | dużo"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("years-error"), "{page}");
    let (s, page, _) = org
        .post_form(
            &format!("{path}/services"),
            &[
                ("csrf", &csrf),
                ("service_code", "UO"),
                ("target_group", "Seniorzy"),
                ("delivery", "own"),
                ("years", "2028 | 5"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, _, _) = org
        .post_form(
            &format!("{path}/services"),
            &[
                ("csrf", &csrf),
                ("service_code", "UO"),
                ("target_group", "Seniorzy"),
                ("delivery", "own"),
                (
                    "years",
                    "2026 | 20 | 800 | 120 000\n2027 | 25 | 1000 | 130 000",
                ),
                ("indicator.cost_per_recipient", "on"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = org.get(&path).await;
    assert!(
        page.contains("120\u{a0}000,00") && page.contains("cost_per_recipient"),
        "{page}"
    );
    let (s, _, _) = org
        .post_form(
            &format!("{path}/transition"),
            &[("csrf", &csrf), ("to", "consultation")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // A resident comments from the page; the organizer answers and submits.
    let res = Browser::new(&app);
    let rcsrf = res.sign_in(&resident.email, PASSWORD).await;
    let (s, _, _) = res
        .post_form(
            &format!("{path}/comments"),
            &[("csrf", &rcsrf), ("body", "Więcej godzin w soboty")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page, _) = org
        .post_form(
            &format!("{path}/transition"),
            &[("csrf", &csrf), ("to", "submitted")],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("odpowiedz na każdą uwagę"), "{page}");
    let (_, p) = app.get(&format!("/api/v1{path}"), &organizer).await;
    let cid = p["comments"][0]["id"].as_str().unwrap().to_string();
    let (s, _, _) = org
        .post_form(
            &format!("{path}/comments/{cid}/answer"),
            &[("csrf", &csrf), ("answer", "Tak"), ("accepted", "yes")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = org
        .post_form(
            &format!("{path}/transition"),
            &[("csrf", &csrf), ("to", "submitted")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = org.get(&format!("{path}/consultation-report")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Więcej godzin w soboty")
            && page.contains("mieszkaniec")
            && !page.contains("Test resident"),
        "{page}"
    );

    // The council adopts from the page.
    let cb = Browser::new(&app);
    let ccsrf = cb.sign_in(&council.email, PASSWORD).await;
    let (s, page, _) = cb
        .post_form(
            &format!("{path}/transition"),
            &[
                ("csrf", &ccsrf),
                ("to", "adopted"),
                ("resolution_number", ""),
                ("resolution_date", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, _, _) = cb
        .post_form(
            &format!("{path}/transition"),
            &[
                ("csrf", &ccsrf),
                ("to", "adopted"),
                ("resolution_number", "XII/7/2025"),
                ("resolution_date", "2025-12-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = org.get(&format!("{path}?lang=en")).await;
    assert!(
        page.contains("adopted") && page.contains("XII/7/2025"),
        "{page}"
    );
    let (_, public) = Browser::new(&app).get("/public/social-programs").await;
    assert!(
        public.contains("Program stron") && !public.contains("Więcej godzin"),
        "{public}"
    );
}

/// A diagnosis's, a program's, a planned service's and a comment's ids are
/// UUIDs, read where they enter: a path that names none is 404 on the API
/// and on the pages, before any service looks it up.
#[tokio::test]
async fn social_paths_that_are_no_uuid_name_nothing() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let some = uuid::Uuid::now_v7().to_string();
    for path in [
        "/api/v1/diagnoses/nieznany".to_string(),
        "/api/v1/social-programs/nieznany".to_string(),
        "/api/v1/social-programs/nieznany/consultation-report".to_string(),
        "/api/v1/social-programs/nieznany/evaluations/2024".to_string(),
    ] {
        let (s, _) = app.get(&path, &organizer).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let path = format!("/api/v1/social-programs/{some}/comments/nieznany/answer");
    let body = json!({"answer": "Tak", "accepted": true});
    let (s, _) = app.post(&path, &organizer, body).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    let browser = Browser::new(&app);
    let csrf = browser.sign_in(&organizer.email, PASSWORD).await;
    for path in ["/diagnoses/nieznany", "/social-programs/nieznany"] {
        let (s, _) = browser.get(path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/diagnoses/nieznany/publish".to_string(),
        "/social-programs/nieznany/amendments".to_string(),
        format!("/social-programs/{some}/services/nieznany/remove"),
    ] {
        let (s, _, _) = browser.post_form(&path, &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
}
