//! Contracting end to end over HTTP: a cooperation program adopted by the
//! council, a competition run by an organizer, two NGOs and three commission
//! members, ending in a multi-year agreement with a filed report and an OCDS
//! package that validates; plus the forbidden paths.

use chrono::{Datelike, Duration};
use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

/// Valid NIP and REGON numbers for test organizations.
fn nip(n: u32) -> String {
    let base = format!("{:09}", 526_000_100 + n);
    let d: Vec<u32> = base.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = d
        .iter()
        .zip([6, 5, 7, 2, 3, 4, 5, 6, 7])
        .map(|(a, b)| a * b)
        .sum::<u32>()
        % 11;
    if sum == 10 {
        nip(n + 1)
    } else {
        format!("{base}{sum}")
    }
}

fn regon(n: u32) -> String {
    let base = format!("{:08}", 12_345_600 + n);
    let d: Vec<u32> = base.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = d
        .iter()
        .zip([8, 9, 2, 3, 4, 5, 6, 7])
        .map(|(a, b)| a * b)
        .sum::<u32>()
        % 11
        % 10;
    format!("{base}{sum}")
}

pub(crate) fn org_body(name: &str, n: u32) -> Value {
    json!({
        "name": name, "legal_form": "association", "krs": format!("{}", 100 + n), "nip": nip(n), "regon": regon(n),
        "address": "ul. Długa 1", "postal_code": "96-500", "city": "Sochaczew",
        "email": format!("biuro{n}@ngo.example"), "iban": "PL61 1090 1014 0000 0712 1981 2874", "alerts": true,
    })
}

/// An NGO user for an organization registered by the organizer.
async fn ngo_user(app: &TestApp, organizer: &User, name: &str, n: u32) -> (String, User) {
    let email = format!("user{n}@ngo.example");
    app.ngo_account(organizer, org_body(name, n), &email).await
}

fn competition_body(deadline_days: i64) -> Value {
    let year = base_year();
    json!({
        "title": "Usługi opiekuńcze 2027-2028",
        "task": "Świadczenie usług opiekuńczych w miejscu zamieszkania",
        "service_code": "UO",
        "financing": "co_financing",
        "funds_grosze": 50_000_000,
        "period_start": format!("{}-01-01", year + 1),
        "period_end": format!("{}-12-31", year + 2),
        "offer_deadline": day(deadline_days),
        "award_rules": "Dotacja do 90% kosztów zadania.",
        "conditions": "Realizacja na terenie gminy, 2027-2028.",
        "award_procedure": "Ocena formalna, następnie komisja konkursowa.",
        "prior_funding": "2025: 180 000 zł; 2026: 190 000 zł.",
        "criteria": [
            {"name": "Możliwość realizacji", "weight": 30, "max_points": 10},
            {"name": "Kalkulacja kosztów", "weight": 30, "max_points": 10},
            {"name": "Jakość i kwalifikacje", "weight": 40, "max_points": 10},
        ],
    })
}

fn offer_body(title: &str, per_year: i64) -> Value {
    let year = base_year();
    json!({
        "title": title,
        "description": "Opieka nad 20 osobami starszymi.",
        "schedule": "Styczeń–grudzień każdego roku.",
        "expected_results": "20 osób objętych opieką",
        "indicators": ["osoby objęte opieką", "godziny usług"],
        "bidder_profile": "15 lat doświadczenia w usługach opiekuńczych.",
        "budget_lines": [
            {"name": "Wynagrodzenia opiekunek", "category": "task", "year": year + 1, "amount_grosze": per_year - 100_000},
            {"name": "Obsługa księgowa", "category": "administrative", "year": year + 1, "amount_grosze": 100_000},
            {"name": "Wynagrodzenia opiekunek", "category": "task", "year": year + 2, "amount_grosze": per_year},
        ],
        "own_contribution_grosze": 1_000_000,
        "in_kind_grosze": 200_000,
        "volunteer_hours": 120,
    })
}

/// Time passes: the offer deadline is yesterday.
fn deadline_passes(app: &TestApp, competition_id: &str) {
    use cus_db::schema::competitions;
    let mut conn = app.state.pool.get().unwrap();
    diesel::update(competitions::table.find(competition_id))
        .set(competitions::offer_deadline.eq(cus_db::today() - Duration::days(1)))
        .execute(&mut conn)
        .unwrap();
}

fn validate_ocds(package: &Value) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/validate_ocds.py");
    let schema_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/ocds-1.1.5");
    let mut child = match Command::new("python3")
        .args([script, schema_dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("python3 for the OCDS validator: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(package.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named") && std::env::var("CUS_TEST_SMTP").is_err() {
        eprintln!("skipping OCDS validation: {stderr}");
        return;
    }
    assert!(
        out.status.success(),
        "OCDS package invalid:\n{stdout}\n{stderr}"
    );
}

#[tokio::test]
async fn cooperation_program_is_consulted_and_adopted_by_the_council() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let council = app.user(Role::Council, SOCHACZEW).await;
    let (_, ngo) = ngo_user(&app, &organizer, "Stowarzyszenie Pomocni", 1).await;
    let year = base_year() + 1;
    let (s, b) = app
        .post(
            "/api/v1/programs",
            &organizer,
            json!({"title": "Program", "year_from": year, "year_to": year + 6, "priorities": []}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["year_to"].is_array() && b["fields"]["priorities"].is_array(),
        "{b}"
    );
    let (s, p) = app
        .post("/api/v1/programs", &organizer, json!({
            "title": "Wieloletni program współpracy z organizacjami pozarządowymi",
            "year_from": year, "year_to": year + 2,
            "goals": "Wzmocnienie usług społecznych", "priorities": ["usługi opiekuńcze", "reintegracja"],
            "forms": "zlecanie zadań, konsultacje", "competition_rules": "Komisje z udziałem przedstawicieli NGO.",
            "yearly_funds": [{"year": year, "amount_grosze": 30_000_000}, {"year": year + 1, "amount_grosze": 32_000_000}],
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["budget_grosze"], 62_000_000);
    assert_eq!(p["adoption_deadline"], format!("{}-11-30", year - 1));
    let id = p["id"].as_str().unwrap();
    let path = |s: &str| format!("/api/v1/programs/{id}/{s}");
    // Comments only during the consultation.
    let (s, _) = app
        .post(&path("comments"), &ngo, json!({"body": "Uwaga"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(&path("transition"), &ngo, json!({"to": "consultation"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &path("transition"),
            &organizer,
            json!({"to": "consultation"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(
            &path("comments"),
            &ngo,
            json!({"body": "Proponujemy dodać priorytet: asystencja osobista."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The organizer cannot adopt; the council cannot adopt before submission.
    let (s, _) = app
        .post(
            &path("transition"),
            &council,
            json!({"to": "adopted", "resolution_number": "XX/1/2026", "resolution_date": day(0)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(&path("transition"), &organizer, json!({"to": "submitted"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(
            &path("transition"),
            &organizer,
            json!({"to": "adopted", "resolution_number": "X", "resolution_date": day(0)}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .post(&path("transition"), &council, json!({"to": "adopted"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["resolution_number"].is_array() && b["fields"]["resolution_date"].is_array()
    );
    let (s, p) = app.post(&path("transition"), &council, json!({"to": "adopted", "resolution_number": "XXI/154/2026", "resolution_date": day(0)})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "adopted");
    assert_eq!(p["deadline_warning"], false);
    assert_eq!(p["comments"].as_array().unwrap().len(), 1);
    let (s, r) = app
        .get(
            &format!("/api/v1/programs/{id}/report?year={year}"),
            &council,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["due_date"], format!("{}-05-31", year + 1));
    // The council reads the same report as a page.
    let b = Browser::new(&app);
    b.sign_in(&council.email, PASSWORD).await;
    let (s, page) = b.get(&format!("/programs/{id}/report?year={year}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Sprawozdanie z realizacji programu")
            && page.contains(&format!(
                "<time datetime=\"{0}-05-31\">31.05.{0}</time>",
                year + 1
            ))
    );
    // Another municipality does not see it.
    let far = app.user(Role::Organizer, BRZEZINY).await;
    let (s, _) = app.get(&format!("/api/v1/programs/{id}"), &far).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organizations_register_with_checked_identifiers() {
    let app = spawn_app().await;
    let mut bad = org_body("Fundacja", 5);
    bad["nip"] = json!("5260001247");
    bad["regon"] = json!("123456786");
    bad["iban"] = json!("PL61 1090 1014 0000 0712 1981 2875");
    bad["postal_code"] = json!("96500");
    bad["municipality"] = json!(SOCHACZEW);
    bad["password"] = json!(PASSWORD);
    let (s, b) = app
        .call(Method::POST, "/api/v1/organizations", None, Some(bad))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["nip", "regon", "iban", "postal_code"] {
        assert!(b["fields"][f].is_array(), "{f}: {b}");
    }
    // Self-registration: the organization, an unconfirmed NGO account, a mail.
    let mut good = org_body("Fundacja Razem", 6);
    good["municipality"] = json!(SOCHACZEW);
    good["password"] = json!(PASSWORD);
    good["contact_name"] = json!("Ewa Kowal");
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/organizations",
            None,
            Some(good.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b, json!({"email_confirmation": "sent"}));
    let (s, _) = app
        .call(Method::POST, "/api/v1/organizations", None, Some(good))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "same NIP twice");
    app.run_job("outbox");
    let mail = app.mails().join("\n");
    let token = mail.split("token=").nth(1).expect("confirmation link")[..64].to_string();
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let token = app.login("biuro6@ngo.example", PASSWORD).await;
    let me = User {
        id: String::new(),
        email: "biuro6@ngo.example".into(),
        token,
    };
    let (_, info) = app.get("/api/v1/me", &me).await;
    assert_eq!(info["role"], "ngo");
    let (s, org) = app
        .get(
            &format!(
                "/api/v1/organizations/{}",
                info["organization_id"].as_str().unwrap()
            ),
            &me,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{org}");
    assert_eq!(org["krs"], "0000000106");
    // The NGO edits its profile; another NGO cannot read it.
    let id = org["id"].as_str().unwrap();
    let mut edit = org_body("Fundacja Razem dla Seniorów", 6);
    edit["alerts"] = json!(false);
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/organizations/{id}"),
            Some(&me),
            Some(edit),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["name"], "Fundacja Razem dla Seniorów");
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (_, other) = ngo_user(&app, &organizer, "Inne", 7).await;
    let (s, _) = app
        .get(&format!("/api/v1/organizations/{id}"), &other)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_needs_21_days_and_states_every_part_of_art_13() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (s, c) = app
        .post("/api/v1/competitions", &organizer, competition_body(20))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap();
    let (s, b) = app
        .post(
            &format!("/api/v1/competitions/{id}/publish"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "20 days: {b}");
    assert!(b["fields"]["offer_deadline"].is_array());
    // Parts left empty are composed from the competition's own data.
    let mut partial = competition_body(30);
    for part in [
        "award_rules",
        "conditions",
        "award_procedure",
        "prior_funding",
    ] {
        partial[part] = json!("");
    }
    let (_, c2) = app.post("/api/v1/competitions", &organizer, partial).await;
    let (s, b) = app
        .post(
            &format!(
                "/api/v1/competitions/{}/publish",
                c2["id"].as_str().unwrap()
            ),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        b["award_rules"].as_str().unwrap().contains("500 000,00 zł"),
        "{b}"
    );
    assert!(b["award_procedure"]
        .as_str()
        .unwrap()
        .contains("Kalkulacja kosztów (waga 30, maks. 10 pkt)"));
    assert!(b["prior_funding"]
        .as_str()
        .unwrap()
        .contains("rejestru platformy"));
    assert!(b["conditions"]
        .as_str()
        .unwrap()
        .contains(b["period_start"].as_str().unwrap()));
    // Publishing twice is a conflict.
    let (s, _) = app
        .post(
            &format!(
                "/api/v1/competitions/{}/publish",
                c2["id"].as_str().unwrap()
            ),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Drafts are not public.
    let (s, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/competitions/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app
        .call(Method::GET, "/api/v1/public/competitions", None, None)
        .await;
    assert_eq!(list["total"], 1, "only the published one");
    // Bad input.
    let mut bad = competition_body(30);
    bad["funds_grosze"] = json!(-5);
    bad["period_end"] = json!("2000-01-01");
    bad["criteria"] = json!([{"name": "A", "weight": 0, "max_points": 1000}]);
    let (s, b) = app.post("/api/v1/competitions", &organizer, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in [
        "funds_grosze",
        "period_end",
        "criteria[0].weight",
        "criteria[0].max_points",
    ] {
        assert!(b["fields"][f].is_array(), "{f}: {b}");
    }
    let mut overflow = competition_body(30);
    overflow["funds_grosze"] = json!(u64::MAX);
    let (s, _) = app.post("/api/v1/competitions", &organizer, overflow).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "overflowing money");
    let (s, _) = app
        .post(
            "/api/v1/competitions",
            &app.user(Role::Desk, SOCHACZEW).await,
            competition_body(30),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_competition_runs_end_to_end_into_a_multi_year_agreement() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (org_a, ngo_a) = ngo_user(&app, &organizer, "Stowarzyszenie Pomocna Dłoń", 11).await;
    let (_org_b, ngo_b) = ngo_user(&app, &organizer, "Fundacja Senior", 12).await;
    let members = [
        app.user(Role::Commission, SOCHACZEW).await,
        app.user(Role::Commission, SOCHACZEW).await,
        app.user(Role::Commission, SOCHACZEW).await,
    ];
    let (s, c) = app
        .post("/api/v1/competitions", &organizer, competition_body(25))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_str().unwrap().to_string();
    let (s, c) = app
        .post(
            &format!("/api/v1/competitions/{cid}/publish"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "published");
    // Public list, Atom feed, and alert mails to NGOs that asked.
    let (_, list) = app
        .call(Method::GET, "/api/v1/public/competitions", None, None)
        .await;
    assert_eq!(list["total"], 1);
    let atom = app
        .client
        .get(app.url("/competitions.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        atom.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let atom = atom.text().await.unwrap();
    assert!(
        atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
            && atom.contains("Usługi opiekuńcze 2027-2028")
    );
    let page = app
        .client
        .get(app.url(&format!("/competitions/{cid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kalkulacja kosztów"));
    assert_eq!(app.run_job("outbox"), "sent 2, failed 0, retrying 0");
    // Offers: budget arithmetic is checked.
    let offers = format!("/api/v1/competitions/{cid}/offers");
    let mut over = offer_body("Za drogo", 30_000_000);
    over["budget_lines"][0]["amount_grosze"] = json!(-1);
    let (s, b) = app.post(&offers, &ngo_a, over).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["budget_lines[0].amount_grosze"].is_array(),
        "{b}"
    );
    let (s, b) = app
        .post(&offers, &ngo_a, offer_body("Za drogo", 30_000_000))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "over the funds: {b}");
    let mut wrong_year = offer_body("Zły rok", 1_000_000);
    wrong_year["budget_lines"][0]["year"] = json!(1999);
    let (s, _) = app.post(&offers, &ngo_a, wrong_year).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, a) = app
        .post(&offers, &ngo_a, offer_body("Opieka w domu", 12_000_000))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["requested_grosze"], 24_000_000);
    assert_eq!(a["by_year"].as_array().unwrap().len(), 2);
    let offer_a = a["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(&offers, &ngo_a, offer_body("Druga", 1_000_000))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one offer per organization");
    let (s, b) = app
        .post(&offers, &ngo_b, offer_body("Senior w domu", 10_000_000))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let offer_b = b["id"].as_str().unwrap().to_string();
    // An NGO edits its own offer, never sees another's.
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/offers/{offer_a}"),
            Some(&ngo_a),
            Some(offer_body("Opieka w domu i asystencja", 12_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(&format!("/api/v1/offers/{offer_b}"), &ngo_a).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/offers/{offer_b}"),
            Some(&ngo_a),
            Some(offer_body("x", 1_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, mine) = app.get(&offers, &ngo_a).await;
    assert_eq!(mine["total"], 1);
    // Formal check and scoring must wait for the deadline.
    let (s, _) = app
        .post(
            &format!("/api/v1/offers/{offer_a}/formal"),
            &organizer,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    deadline_passes(&app, &cid);
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/offers/{offer_a}"),
            Some(&ngo_a),
            Some(offer_body("Późno", 1_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "frozen after the deadline");
    let (s, _) = app
        .post(
            &offers,
            &app.user(Role::Ngo, SOCHACZEW).await,
            offer_body("Spóźniona", 1_000_000),
        )
        .await;
    assert!(s == StatusCode::CONFLICT || s == StatusCode::FORBIDDEN);
    for id in [&offer_a, &offer_b] {
        let (s, b) = app
            .post(
                &format!("/api/v1/offers/{id}/formal"),
                &organizer,
                json!({"passed": true, "note": "kompletna"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["status"], "formal_passed");
    }
    // The commission.
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    let (s, b) = app
        .post(
            &format!("/api/v1/competitions/{cid}/commission"),
            &organizer,
            json!({"user_ids": [ngo_a.id]}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an NGO user is no commission member: {b}"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/competitions/{cid}/commission"),
            &organizer,
            json!({"user_ids": ids}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let criteria = |a: i64, b: i64, c: i64| {
        json!({"scores": [
        {"criterion": "Możliwość realizacji", "points": a},
        {"criterion": "Kalkulacja kosztów", "points": b},
        {"criterion": "Jakość i kwalifikacje", "points": c}], "note": ""})
    };
    let (s, _) = app
        .post(
            &format!("/api/v1/offers/{offer_a}/scores"),
            &members[0],
            criteria(9, 8, 9),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "no scoring before the declaration");
    for m in &members {
        let (s, b) = app
            .post(
                &format!("/api/v1/competitions/{cid}/declarations"),
                m,
                json!({"no_conflict": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/competitions/{cid}/declarations"),
            &members[0],
            json!({"no_conflict": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "duplicate declaration");
    let (s, b) = app
        .post(
            &format!("/api/v1/offers/{offer_a}/scores"),
            &members[0],
            criteria(11, 8, 9),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "above the maximum: {b}"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/offers/{offer_a}/scores"),
            &ngo_a,
            criteria(10, 10, 10),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (m, a, b) in [
        (&members[0], (9, 8, 9), (6, 5, 6)),
        (&members[1], (8, 8, 10), (5, 6, 5)),
        (&members[2], (10, 9, 9), (4, 5, 6)),
    ] {
        let (s, r) = app
            .post(
                &format!("/api/v1/offers/{offer_a}/scores"),
                m,
                criteria(a.0, a.1, a.2),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (s, _) = app
            .post(
                &format!("/api/v1/offers/{offer_b}/scores"),
                m,
                criteria(b.0, b.1, b.2),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    // Results are not public before the resolution.
    let (s, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/competitions/{cid}/results"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, res) = app
        .post(
            &format!("/api/v1/competitions/{cid}/resolve"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{res}");
    assert_eq!(res["status"], "resolved");
    let top = &res["ranking"][0];
    assert_eq!(top["offer_id"], offer_a.as_str());
    assert_eq!(top["members_scored"], 3);
    assert_eq!(top["awarded_grosze"], 24_000_000);
    // Offer B: (6,5,6),(5,6,5),(4,5,6) averages 53%: above the threshold, awarded what is left.
    assert_eq!(res["ranking"][1]["awarded_grosze"], 20_000_000);
    let (s, public) = app
        .call(
            Method::GET,
            &format!("/api/v1/competitions/{cid}/results"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(public["awarded_total_grosze"], 44_000_000);
    let (s, _) = app
        .post(
            &format!("/api/v1/offers/{offer_a}/scores"),
            &members[0],
            criteria(1, 1, 1),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "scoring a resolved competition");
    // The winner's agreement: two yearly tranches from the offer's budget.
    let (_, mine) = app.get("/api/v1/agreements", &ngo_a).await;
    assert_eq!(mine["total"], 1);
    let aid = mine["items"][0]["id"].as_str().unwrap().to_string();
    let (s, ag) = app.get(&format!("/api/v1/agreements/{aid}"), &ngo_a).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ag["organization_id"], org_a.as_str());
    let tranches = ag["tranches"].as_array().unwrap();
    assert_eq!(tranches.len(), 2);
    assert_eq!(tranches[0]["amount_grosze"], 12_000_000);
    let (s, _) = app.get(&format!("/api/v1/agreements/{aid}"), &ngo_b).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Reports: a partial, then the final with the settlement.
    let report = |kind: &str, spent: i64| json!({"period": "2027", "kind": kind, "text": "Zrealizowano", "spent_grosze": spent, "indicator_values": {"osoby objęte opieką": 20}});
    let (s, b) = app.post(&format!("/api/v1/agreements/{aid}/reports"), &ngo_a, json!({"period": "2027", "kind": "final", "text": "x", "spent_grosze": 1, "indicator_values": {"nieznany": 1}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{aid}/reports"),
            &ngo_a,
            report("partial", 11_000_000),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{aid}/reports"),
            &ngo_b,
            report("partial", 1),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, ag) = app
        .post(
            &format!("/api/v1/agreements/{aid}/reports"),
            &ngo_a,
            report("final", 23_500_000),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    assert_eq!(ag["settlement"]["refund_due_grosze"], 500_000);
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{aid}/reports"),
            &ngo_a,
            report("final", 1),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // An annex changes the second tranche, with a reason.
    let year = base_year();
    let (s, ag) = app.post(&format!("/api/v1/agreements/{aid}/annexes"), &organizer, json!({"reason": "Zmiana harmonogramu", "tranches": [{"year": year + 1, "amount_grosze": 12_000_000}, {"year": year + 2, "amount_grosze": 11_500_000}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    assert_eq!(ag["annexes"].as_array().unwrap().len(), 1);
    // Audit: every scoring step.
    let (_, log) = app
        .get(
            &format!("/api/v1/audit?subject_id={offer_a}&per_page=100"),
            &organizer,
        )
        .await;
    let scored = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "offer.score")
        .count();
    assert_eq!(scored, 3);
    // The OCDS package: tender, awards, contracts with implementation, valid.
    let (s, pkg) = app
        .call(Method::GET, "/api/v1/ocds/releases", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let release = &pkg["releases"][0];
    assert!(release["ocid"]
        .as_str()
        .unwrap()
        .starts_with(&format!("ocds-cus-{SOCHACZEW}-")));
    assert_eq!(release["tag"], json!(["tender", "award", "contract"]));
    assert_eq!(release["awards"].as_array().unwrap().len(), 2);
    assert_eq!(
        release["contracts"][0]["implementation"]["milestones"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    validate_ocds(&pkg);
}

#[tokio::test]
async fn other_modes_keep_their_limits() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (org, ngo) = ngo_user(&app, &organizer, "Klub Sąsiedzki", 21).await;
    let year = base_year();
    let grant = |amount: i64, days: i64| {
        json!({
            "organization_id": org, "mode": "small_grant", "title": "Piknik integracyjny",
            "start_date": day(10), "end_date": day(10 + days),
            "tranches": [{"year": (cus_db::today() + Duration::days(10)).year(), "amount_grosze": amount}],
        })
    };
    let (s, b) = app
        .post("/api/v1/agreements", &organizer, grant(1_000_100, 30))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "PLN 10,001: {b}");
    assert!(b["fields"]["tranches"].is_array());
    let (s, _) = app
        .post("/api/v1/agreements", &organizer, grant(500_000, 120))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "over 90 days");
    let (s, ag) = app
        .post("/api/v1/agreements", &organizer, grant(1_000_000, 30))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    assert_eq!(ag["status"], "public_comment");
    assert_eq!(ag["public_comment_until"], day(7));
    // Multi-year partnership, up to 5 years.
    let long = json!({"organization_id": org, "mode": "partnership", "start_date": format!("{}-01-01", year + 1), "end_date": format!("{}-12-31", year + 6),
        "tranches": [{"year": year + 1, "amount_grosze": 100}]});
    let (s, _) = app.post("/api/v1/agreements", &organizer, long).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "6 years");
    let dup = json!({"organization_id": org, "mode": "partnership", "start_date": format!("{}-01-01", year + 1), "end_date": format!("{}-12-31", year + 2),
        "tranches": [{"year": year + 1, "amount_grosze": 100}, {"year": year + 1, "amount_grosze": 100}]});
    let (s, _) = app.post("/api/v1/agreements", &organizer, dup).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "two tranches in one year"
    );
    let ok = json!({"organization_id": org, "mode": "partnership", "financing": "co_financing", "start_date": format!("{}-01-01", year + 1), "end_date": format!("{}-12-31", year + 3),
        "tranches": [{"year": year + 1, "amount_grosze": 10_000_000}, {"year": year + 2, "amount_grosze": 10_000_000}, {"year": year + 3, "amount_grosze": 10_000_000}],
        "indicators": ["uczestnicy"], "capacity_unit": "places", "capacity_per_year": 12});
    let (s, ag) = app.post("/api/v1/agreements", &organizer, ok).await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    assert_eq!(ag["settlement"]["granted_grosze"], 30_000_000);
    // Only the organizer contracts; another municipality's organization is unknown.
    let (s, _) = app.post("/api/v1/agreements", &ngo, grant(100, 10)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let far = app.user(Role::Organizer, BRZEZINY).await;
    let (s, b) = app.post("/api/v1/agreements", &far, grant(100, 10)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let aid = ag["id"].as_str().unwrap();
    let (s, _) = app.get(&format!("/api/v1/agreements/{aid}"), &far).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, t) = app
        .post(
            &format!("/api/v1/agreements/{aid}/terminate"),
            &organizer,
            json!({"reason": "Porozumienie stron"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["status"], "terminated");
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{aid}/annexes"),
            &organizer,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Direct agreements appear in OCDS too, and the package validates.
    let (_, pkg) = app
        .call(
            Method::GET,
            &format!("/api/v1/ocds/releases?municipality={SOCHACZEW}"),
            None,
            None,
        )
        .await;
    assert_eq!(pkg["releases"].as_array().unwrap().len(), 2);
    let text = pkg.to_string();
    assert!(!text.contains("PESEL") && !text.contains("pesel"));
    validate_ocds(&pkg);
}

#[tokio::test]
async fn a_member_with_a_conflict_is_excluded_and_empty_competitions_are_cancelled() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (_, ngo) = ngo_user(&app, &organizer, "Stowarzyszenie", 31).await;
    let member = app.user(Role::Commission, SOCHACZEW).await;
    let (_, c) = app
        .post("/api/v1/competitions", &organizer, competition_body(22))
        .await;
    let cid = c["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/competitions/{cid}/publish"),
        &organizer,
        json!({}),
    )
    .await;
    let (_, o) = app
        .post(
            &format!("/api/v1/competitions/{cid}/offers"),
            &ngo,
            offer_body("Oferta", 1_000_000),
        )
        .await;
    let oid = o["id"].as_str().unwrap().to_string();
    deadline_passes(&app, &cid);
    app.post(
        &format!("/api/v1/competitions/{cid}/commission"),
        &organizer,
        json!({"user_ids": [member.id]}),
    )
    .await;
    let (s, _) = app
        .post(
            &format!("/api/v1/competitions/{cid}/declarations"),
            &member,
            json!({"no_conflict": false, "statement": "Jestem członkiem zarządu oferenta."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    app.post(
        &format!("/api/v1/offers/{oid}/formal"),
        &organizer,
        json!({"passed": false, "note": "Brak podpisu"}),
    )
    .await;
    let (s, _) = app
        .post(
            &format!("/api/v1/offers/{oid}/scores"),
            &member,
            json!({"scores": []}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an excluded member cannot score");
    // No offer qualifies: the competition is cancelled (art. 18a), publicly.
    let (s, res) = app
        .post(
            &format!("/api/v1/competitions/{cid}/resolve"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{res}");
    assert_eq!(res["status"], "cancelled");
    let (_, pkg) = app
        .call(Method::GET, "/api/v1/ocds/releases", None, None)
        .await;
    assert_eq!(pkg["releases"][0]["tender"]["status"], "cancelled");
    validate_ocds(&pkg);
}

#[tokio::test]
async fn plan_items_name_an_agreement_without_overbooking_it() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let (org, _) = ngo_user(&app, &organizer, "Opiekunki", 41).await;
    let today = cus_db::today();
    let end = today + Duration::days(200);
    let tranches: Vec<Value> = (today.year()..=end.year())
        .map(|y| json!({"year": y, "amount_grosze": 1_000_000}))
        .collect();
    let (s, ag) = app
        .post("/api/v1/agreements", &organizer, json!({"organization_id": org, "mode": "procurement", "start_date": today.to_string(), "end_date": end.to_string(),
            "tranches": tranches, "capacity_unit": "hours", "capacity_per_year": 100}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    let aid = ag["id"].as_str().unwrap().to_string();
    let mut plans = vec![];
    for n in 0..2 {
        let rid = app.resident(&desk, &pesel(300 + n)).await;
        let (_, p) = app
            .post(
                "/api/v1/plans",
                &coordinator,
                json!({"resident_id": rid, "goals": ["opieka"]}),
            )
            .await;
        plans.push(p["id"].as_str().unwrap().to_string());
    }
    let item = |hours: i64, until: i64| {
        json!({"service_code": "UO", "provider_agreement_id": aid, "frequency": "codziennie", "hours_per_month": hours,
        "start_date": today.to_string(), "end_date": (today + Duration::days(until)).to_string()})
    };
    let (s, b) = app
        .post(
            &format!("/api/v1/plans/{}/items", plans[0]),
            &coordinator,
            item(40, 30),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        b["provider"], "Opiekunki",
        "the provider's name comes from the agreement"
    );
    let (_, a) = app
        .get(&format!("/api/v1/agreements/{aid}"), &coordinator)
        .await;
    let first = &a["capacity"][0];
    assert!(first["used"].as_i64().unwrap() >= 40, "{a}");
    // The second resident would exceed 100 hours in the year.
    let (s, b) = app
        .post(
            &format!("/api/v1/plans/{}/items", plans[1]),
            &coordinator,
            item(90, 30),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["provider_agreement_id"].is_array());
    // Outside the agreement's period, or an unknown agreement: refused.
    let (s, _) = app
        .post(
            &format!("/api/v1/plans/{}/items", plans[1]),
            &coordinator,
            item(1, 400),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut unknown = item(1, 10);
    unknown["provider_agreement_id"] = json!("nope");
    let (s, _) = app
        .post(
            &format!("/api/v1/plans/{}/items", plans[1]),
            &coordinator,
            unknown,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn ngos_are_reminded_of_final_reports_by_the_job() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (org, ngo) = ngo_user(&app, &organizer, "Przypominani", 51).await;
    let start = cus_db::today() - Duration::days(90);
    let end = cus_db::today() - Duration::days(25);
    let tranches: Vec<Value> = (start.year()..=end.year())
        .map(|y| json!({"year": y, "amount_grosze": 100_000}))
        .collect();
    let (s, ag) = app
        .post("/api/v1/agreements", &organizer, json!({"organization_id": org, "mode": "partnership", "start_date": start.to_string(), "end_date": end.to_string(), "tranches": tranches}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    assert_eq!(app.run_job("report-reminders"), "reminded 1 organizations");
    app.run_job("outbox");
    let mail = app.mails().join("\n");
    assert!(
        mail.contains("biuro51@ngo.example") && mail.contains(ag["number"].as_str().unwrap()),
        "{mail}"
    );
    // Once the final report is in, no more reminders.
    let aid = ag["id"].as_str().unwrap();
    let (s, _) = app.post(&format!("/api/v1/agreements/{aid}/reports"), &ngo, json!({"period": "całość", "kind": "final", "text": "Zrobione", "spent_grosze": 100_000})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(app.run_job("report-reminders"), "reminded 0 organizations");
}

const TOO_LARGE_EN: &str = "The amount is too large.";

#[tokio::test]
async fn out_of_range_dates_and_amounts_are_refused_in_contracting() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (org_id, ngo) = ngo_user(&app, &organizer, "Stowarzyszenie Kalendarz", 31).await;
    let agreement = |start: &str, end: &str, year: i64, amount: Value| {
        json!({"organization_id": org_id, "mode": "own", "start_date": start, "end_date": end,
               "tranches": [{"year": year, "amount_grosze": amount}], "indicators": ["osoby objęte opieką"]})
    };
    let agreements = "/api/v1/agreements";
    // The reported panic: 30 days added to the last year chrono knows. The
    // first date read is refused (serde stops there).
    let (s, b) = app
        .post(
            agreements,
            &organizer,
            agreement("+262142-01-01", "+262142-12-31", 262142, json!(100)),
        )
        .await;
    let field = if b["fields"]["end_date"].is_array() {
        "end_date"
    } else {
        "start_date"
    };
    assert_eq!(refusal(s, &b, field), DATE_RANGE_EN);
    for end in ["10000-01-01", "+10000-01-01", "9999-12-31", "2201-01-01"] {
        let (s, b) = app
            .post(
                agreements,
                &organizer,
                agreement("2027-01-01", end, 2027, json!(100)),
            )
            .await;
        assert_eq!(refusal(s, &b, "end_date"), DATE_RANGE_EN, "{end}");
    }
    let (s, b) = app
        .post(
            agreements,
            &organizer,
            agreement("1899-12-31", "1900-01-01", 1900, json!(100)),
        )
        .await;
    assert_eq!(refusal(s, &b, "start_date"), DATE_RANGE_EN);
    let (s, b) = app
        .post(
            &format!("{agreements}?lang=pl"),
            &organizer,
            agreement("2027-01-01", "+262142-12-31", 2027, json!(100)),
        )
        .await;
    assert_eq!(
        refusal(s, &b, "end_date"),
        "Data musi mieścić się w latach 1900–2200."
    );
    // Amounts: above PLN 10 billion, or beyond what the field holds.
    for (amount, message) in [
        (json!(i64::MAX), TOO_LARGE_EN),
        (json!(u64::MAX), OUT_OF_RANGE_EN),
    ] {
        let (s, b) = app
            .post(
                agreements,
                &organizer,
                agreement("2027-01-01", "2027-12-31", 2027, amount),
            )
            .await;
        assert_eq!(refusal(s, &b, "tranches[0].amount_grosze"), message);
    }
    let mut capacity = agreement("2027-01-01", "2027-12-31", 2027, json!(100));
    capacity["capacity_unit"] = json!("hours");
    capacity["capacity_per_year"] = json!(i64::MAX);
    let (s, b) = app.post(agreements, &organizer, capacity).await;
    assert_eq!(refusal(s, &b, "capacity_per_year"), OUT_OF_RANGE_EN);
    // The last day of the range works, and so does the arithmetic after it.
    let (s, a) = app
        .post(
            agreements,
            &organizer,
            agreement("2200-01-01", "2200-12-31", 2200, json!(1_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["settlement"]["final_report_due"], "2201-01-30");
    // A normal agreement, then its annex and reports.
    let start_year = (cus_db::today() + Duration::days(1)).year();
    let (s, a) = app
        .post(
            agreements,
            &organizer,
            agreement(&day(1), &day(200), i64::from(start_year), json!(5_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let aid = a["id"].as_str().unwrap();
    let (s, b) = app
        .post(
            &format!("{agreements}/{aid}/annexes"),
            &organizer,
            json!({"reason": "Przedłużenie", "end_date": "+262142-12-31"}),
        )
        .await;
    assert_eq!(refusal(s, &b, "end_date"), DATE_RANGE_EN);
    let reports = format!("{agreements}/{aid}/reports");
    let report = |spent: Value, own: Value, value: Value| {
        json!({"period": "I półrocze", "kind": "partial", "text": "Zrealizowano.",
               "spent_grosze": spent, "spent_own_grosze": own,
               "indicator_values": {"osoby objęte opieką": value}})
    };
    let (s, b) = app
        .post(&reports, &ngo, report(json!(i64::MAX), json!(0), json!(20)))
        .await;
    assert_eq!(refusal(s, &b, "spent_grosze"), TOO_LARGE_EN);
    let (s, b) = app
        .post(
            &reports,
            &ngo,
            report(json!(100), json!(u64::MAX), json!(20)),
        )
        .await;
    assert_eq!(refusal(s, &b, "spent_own_grosze"), OUT_OF_RANGE_EN);
    let (s, b) = app
        .post(&reports, &ngo, report(json!(100), json!(0), json!(1e300)))
        .await;
    assert_eq!(
        refusal(s, &b, "indicator_values.osoby objęte opieką"),
        OUT_OF_RANGE_EN
    );
    let (s, b) = app
        .post(&reports, &ngo, report(json!(100), json!(0), json!(20)))
        .await;
    assert!(s.is_success(), "{b}");
    // Competitions: the period, the deadline, the funds, the criteria.
    for (field, value, message) in [
        ("period_start", json!("+262142-01-01"), DATE_RANGE_EN),
        ("period_end", json!("9999-12-31"), DATE_RANGE_EN),
        ("offer_deadline", json!("10000-01-01"), DATE_RANGE_EN),
        ("funds_grosze", json!(i64::MAX), TOO_LARGE_EN),
        ("funds_grosze", json!(u64::MAX), OUT_OF_RANGE_EN),
    ] {
        let mut bad = competition_body(30);
        bad[field] = value;
        let (s, b) = app.post("/api/v1/competitions", &organizer, bad).await;
        assert_eq!(refusal(s, &b, field), message, "{field}");
    }
    let mut bad = competition_body(30);
    bad["criteria"][0]["weight"] = json!(i64::MAX);
    let (s, b) = app.post("/api/v1/competitions", &organizer, bad).await;
    assert_eq!(refusal(s, &b, "criteria[0].weight"), OUT_OF_RANGE_EN);
    // Offers: huge own and in-kind contributions are refused, not summed.
    let (s, c) = app
        .post("/api/v1/competitions", &organizer, competition_body(25))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/competitions/{cid}/publish"),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let offers = format!("/api/v1/competitions/{cid}/offers");
    let mut rich = offer_body("Bogata oferta", 1_000_000);
    rich["own_contribution_grosze"] = json!(i64::MAX);
    rich["in_kind_grosze"] = json!(i64::MAX);
    let (s, b) = app.post(&offers, &ngo, rich).await;
    assert_eq!(refusal(s, &b, "own_contribution_grosze"), TOO_LARGE_EN);
    assert_eq!(refusal(s, &b, "in_kind_grosze"), TOO_LARGE_EN);
    let mut bad = offer_body("Oferta", 1_000_000);
    bad["budget_lines"][0]["amount_grosze"] = json!(i64::MAX);
    let (s, b) = app.post(&offers, &ngo, bad).await;
    assert_eq!(
        refusal(s, &b, "budget_lines[0].amount_grosze"),
        TOO_LARGE_EN
    );
    let mut bad = offer_body("Oferta", 1_000_000);
    bad["volunteer_hours"] = json!(i64::MAX);
    let (s, b) = app.post(&offers, &ngo, bad).await;
    assert_eq!(refusal(s, &b, "volunteer_hours"), OUT_OF_RANGE_EN);
    let (s, b) = app
        .post(&offers, &ngo, offer_body("Oferta", 1_000_000))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Programs: years far apart, a huge yearly amount, resolution dates.
    let program = |from: Value, to: Value, funds: Value| {
        json!({"title": "Program", "year_from": from, "year_to": to, "priorities": ["usługi"],
               "yearly_funds": funds})
    };
    let (s, b) = app
        .post(
            "/api/v1/programs",
            &organizer,
            program(json!(i32::MIN), json!(i32::MAX), json!([])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["year_from"].is_array() && b["fields"]["year_to"].is_array());
    let (s, b) = app
        .post(
            "/api/v1/programs",
            &organizer,
            program(json!(i64::MAX), json!(2028), json!([])),
        )
        .await;
    assert_eq!(refusal(s, &b, "year_from"), OUT_OF_RANGE_EN);
    let (s, b) = app
        .post(
            "/api/v1/programs",
            &organizer,
            program(
                json!(2028),
                json!(2029),
                json!([{"year": 2028, "amount_grosze": i64::MAX}, {"year": 2029, "amount_grosze": i64::MAX}]),
            ),
        )
        .await;
    assert_eq!(
        refusal(s, &b, "yearly_funds[0].amount_grosze"),
        TOO_LARGE_EN
    );
    let (s, p) = app
        .post(
            "/api/v1/programs",
            &organizer,
            program(json!(2028), json!(2029), json!([])),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let transition = format!("/api/v1/programs/{}/transition", p["id"].as_str().unwrap());
    let (s, b) = app
        .post(
            &transition,
            &organizer,
            json!({"to": "consultation", "consultation_until": "+262142-01-01"}),
        )
        .await;
    assert_eq!(refusal(s, &b, "consultation_until"), DATE_RANGE_EN);
    let (s, b) = app
        .post(
            &transition,
            &organizer,
            json!({"to": "adopted", "resolution_number": "X", "resolution_date": "10000-01-01"}),
        )
        .await;
    assert_eq!(refusal(s, &b, "resolution_date"), DATE_RANGE_EN);
    // The server kept working throughout.
    let (s, b) = app
        .post(
            &transition,
            &organizer,
            json!({"to": "consultation", "consultation_until": day(10)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, list) = app.get(agreements, &organizer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 2, "{list}");
}

/// A page's text with the escapes of its links' query strings undone.
fn unescaped(page: &str) -> String {
    page.replace("&#x3D;", "=").replace("&amp;", "&")
}

/// The first item's id of a page of a list.
fn first_id(page: &Value) -> &str {
    page["items"][0]["id"].as_str().unwrap()
}

#[tokio::test]
async fn long_contracting_lists_page_filter_and_sort_in_the_api_and_on_the_pages() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    // Organizations: 21, more than a page of 20.
    let mut org = String::new();
    for n in 0..21 {
        let mut body = organization_json(&format!("Stowarzyszenie {n:02}"), 400 + n);
        if n % 7 == 0 {
            body["legal_form"] = json!("foundation");
        }
        let (s, b) = app.post("/api/v1/organizations", &organizer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        org = b["id"].as_str().unwrap().to_string();
    }
    let (s, first) = app.get("/api/v1/organizations", &organizer).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 21);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(first["items"][0]["name"], "Stowarzyszenie 00", "by name");
    let (_, second) = app.get("/api/v1/organizations?page=2", &organizer).await;
    assert_eq!(second["total"], 21);
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["name"], "Stowarzyszenie 20");
    let (_, newest) = app
        .get("/api/v1/organizations?sort=newest&per_page=1", &organizer)
        .await;
    assert_eq!(first_id(&newest), org);
    let (_, foundations) = app
        .get("/api/v1/organizations?legal_form=foundation", &organizer)
        .await;
    assert_eq!(foundations["total"], 3, "{foundations}");
    // Competitions: 21 drafts, 3 of them published.
    let mut published = vec![];
    for n in 0..21 {
        let mut body = competition_body(30);
        body["title"] = json!(format!("Konkurs {n:02}"));
        let (s, c) = app.post("/api/v1/competitions", &organizer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let id = c["id"].as_str().unwrap().to_string();
        if n % 7 == 0 {
            let (s, b) = app
                .post(
                    &format!("/api/v1/competitions/{id}/publish"),
                    &organizer,
                    json!({}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
            published.push(id);
        }
    }
    let (_, staff) = app.get("/api/v1/competitions", &organizer).await;
    assert_eq!(staff["total"], 21, "drafts included for the organizer");
    assert_eq!(staff["items"].as_array().unwrap().len(), 20);
    let (_, staff2) = app.get("/api/v1/competitions?page=2", &organizer).await;
    assert_eq!(staff2["items"].as_array().unwrap().len(), 1);
    let mut seen: Vec<&str> = staff["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    seen.push(first_id(&staff2));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 21, "every competition once over the pages");
    let (_, drafts) = app
        .get("/api/v1/competitions?status=draft", &organizer)
        .await;
    assert_eq!(drafts["total"], 18);
    let public = |q: &str| {
        let app = &app;
        let path = format!("/api/v1/public/competitions?municipality={SOCHACZEW}&{q}");
        async move { app.call(Method::GET, &path, None, None).await }
    };
    let (s, p1) = public("per_page=2").await;
    assert_eq!(s, StatusCode::OK, "{p1}");
    assert_eq!(p1["total"], 3);
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let (_, p2) = public("per_page=2&page=2").await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    let (_, p9) = public("page=9").await;
    assert_eq!(p9["total"], 3);
    assert!(p9["items"].as_array().unwrap().is_empty());
    // Agreements: 21 with one organization.
    let year = base_year();
    for n in 0..21 {
        let body = json!({"organization_id": org, "mode": "partnership", "financing": "full_financing",
            "title": format!("Umowa {n:02}"),
            "start_date": format!("{}-01-{:02}", year + 1, n + 1), "end_date": format!("{}-12-31", year + 1),
            "tranches": [{"year": year + 1, "amount_grosze": 100_000}]});
        let (s, a) = app.post("/api/v1/agreements", &organizer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
    }
    let (_, ag) = app.get("/api/v1/agreements", &organizer).await;
    assert_eq!(ag["total"], 21);
    assert_eq!(ag["items"].as_array().unwrap().len(), 20);
    assert_eq!(
        ag["items"][0]["title"], "Umowa 20",
        "the latest start first"
    );
    let (_, ag2) = app.get("/api/v1/agreements?page=2", &organizer).await;
    assert_eq!(ag2["items"][0]["title"], "Umowa 00");
    let (_, by_number) = app
        .get("/api/v1/agreements?sort=number&per_page=100", &organizer)
        .await;
    let numbers: Vec<&str> = by_number["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 21);
    assert!(numbers.windows(2).all(|w| w[0] <= w[1]), "{numbers:?}");
    let (_, active) = app
        .get("/api/v1/agreements?status=terminated", &organizer)
        .await;
    assert_eq!(active["total"], 0);
    // Out of range or unknown: 422 naming the field, on every list.
    for list in [
        "/api/v1/organizations",
        "/api/v1/competitions",
        "/api/v1/agreements",
    ] {
        for (q, field) in [
            ("per_page=101", "per_page"),
            ("per_page=0", "per_page"),
            ("page=0", "page"),
            ("page=10000001", "page"),
            ("sort=random", "sort"),
        ] {
            let (s, b) = app.get(&format!("{list}?{q}"), &organizer).await;
            assert!(!refusal(s, &b, field).is_empty(), "{list}?{q}: {b}");
        }
    }
    // The document says so, as schemathesis reads it.
    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    for (path, filter) in [
        ("/api/v1/organizations", "legal_form"),
        ("/api/v1/competitions", "status"),
        ("/api/v1/public/competitions", "status"),
        ("/api/v1/agreements", "status"),
        ("/api/v1/forum/threads", "kind"),
        ("/api/v1/community/activities", "sort"),
    ] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let named = |n: &str| params.iter().find(|p| p["name"] == n).cloned();
        let per_page = named("per_page").unwrap_or_else(|| panic!("{path}: per_page"));
        assert_eq!(per_page["schema"]["maximum"], 100, "{path}");
        assert_eq!(per_page["schema"]["minimum"], 1, "{path}");
        let page = named("page").unwrap_or_else(|| panic!("{path}: page"));
        assert_eq!(page["schema"]["maximum"], 10_000_000, "{path}");
        assert!(named(filter).is_some() && named("sort").is_some(), "{path}");
        let sort = named("sort").unwrap();
        assert_eq!(sort["schema"]["type"], "string", "{path}: {sort}");
    }
    let (s, b) = public("per_page=101").await;
    assert!(!refusal(s, &b, "per_page").is_empty());
    let (s, b) = app
        .get("/api/v1/agreements?status=signed", &organizer)
        .await;
    assert!(!refusal(s, &b, "status").is_empty());
    // The pages take the same query string and link to the next page.
    let b = Browser::new(&app);
    b.sign_in(&organizer.email, PASSWORD).await;
    for path in ["/agreements", "/competitions/manage"] {
        let (s, page) = b.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(
            unescaped(&page).contains(&format!("href=\"{path}?page=2\" rel=\"next\"")),
            "{path}: {page}"
        );
        assert!(page.contains("(21)"), "{path}: the total");
        let (s, page) = b.get(&format!("{path}?page=2&sort=newest")).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(page.contains("rel=\"prev\"") && !page.contains("rel=\"next\""));
        assert!(
            page.contains("<option value=\"newest\" selected>"),
            "{path}"
        );
    }
    let (_, page) = b.get("/agreements?status=active&sort=number").await;
    assert!(page.contains("<option value=\"active\" selected>"));
    let anon = Browser::new(&app);
    let (s, page) = anon
        .get(&format!(
            "/competitions?municipality={SOCHACZEW}&per_page=1"
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("rel=\"next\""), "{page}");
    assert!(
        unescaped(&page).contains(&format!("municipality={SOCHACZEW}&per_page=1&page=2")),
        "the filter kept: {page}"
    );
}
