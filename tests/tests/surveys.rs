//! Recipient surveys: creating, one-time codes by mail and on paper,
//! anonymous answers (once per code), suppressed results, the interviewer
//! rule, municipalities kept apart, and the public and organizer pages.

use chrono::Duration;
use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn questions() -> Value {
    json!([
        {"key": "ogolna", "text": "Jestem zadowolony z usługi.", "kind": "likert", "satisfaction": true},
        {"key": "czas", "text": "Usługa jest świadczona punktualnie.", "kind": "likert"},
        {"key": "kanal", "text": "Jak się Pan/Pani o niej dowiedział(a)?", "kind": "choice",
         "options": ["telefon", "osobiście", "internet"]},
        {"key": "uwagi", "text": "Co możemy poprawić?", "kind": "text"},
    ])
}

fn survey_json() -> Value {
    json!({"title": "Zadowolenie z usług opiekuńczych", "period": "2026-H1", "questions": questions()})
}

async fn new_survey(app: &TestApp, organizer: &User) -> String {
    let (s, b) = app.post("/api/v1/surveys", organizer, survey_json()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

/// `n` printed one-time codes of survey `id`.
async fn codes(app: &TestApp, organizer: &User, id: &str, n: usize) -> Vec<String> {
    let (s, b) = app
        .post(
            &format!("/api/v1/surveys/{id}/invitations"),
            organizer,
            json!({"count": n}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["mailed"], 0);
    b["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

async fn answer(app: &TestApp, code: &str, answers: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/v1/survey-responses",
        None,
        Some(json!({"code": code, "answers": answers})),
    )
    .await
}

/// A resident registered at the desk, with or without an email.
async fn resident(app: &TestApp, desk: &User, n: u32, email: Option<&str>) -> String {
    let mut body = json!({"pesel": pesel(n), "first_name": "Anna", "last_name": format!("Ankietowana{n}"),
                          "address": "ul. Polna 1, 96-500 Sochaczew"});
    if let Some(e) = email {
        body["email"] = json!(e);
    }
    let (s, b) = app.post("/api/v1/residents", desk, body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

#[tokio::test]
async fn creating_refuses_bad_input_by_field() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    app.service(&organizer, "UO").await;

    let (s, _) = app
        .post("/api/v1/surveys", &coordinator, survey_json())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the organizer runs surveys");

    let mut bad = survey_json();
    bad["title"] = json!(" ");
    bad["period"] = json!("2026-Q5");
    bad["service_code"] = json!("NIEMA");
    bad["agreement_id"] = json!(uuid::Uuid::new_v4().to_string());
    bad["questions"] = json!([
        {"key": "Zły klucz", "text": "a", "kind": "likert"},
        {"key": "b", "text": "b", "kind": "choice", "options": ["tylko jedna"]},
        {"key": "c", "text": "c", "kind": "text", "satisfaction": true},
        {"key": "c", "text": "d", "kind": "scale"},
        {"key": "e", "text": "", "kind": "likert", "options": ["x", "y"]},
    ]);
    let (s, b) = app.post("/api/v1/surveys", &organizer, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for field in [
        "title",
        "period",
        "service_code",
        "agreement_id",
        "questions[0].key",
        "questions[1].options",
        "questions[2].satisfaction",
        "questions[3].key",
        "questions[3].kind",
        "questions[4].text",
        "questions[4].options",
    ] {
        assert!(b["fields"][field].is_array(), "{field}: {b}");
    }
    assert_eq!(
        refusal(s, &b, "period"),
        "A period is YYYY, YYYY-H1/H2, YYYY-Q1…Q4 or YYYY-MM, within 2000-2100."
    );

    // No questions, or more than 30.
    for n in [0, 31] {
        let mut body = survey_json();
        body["questions"] = json!((0..n)
            .map(|i| json!({"key": format!("q{i}"), "text": "Pytanie", "kind": "likert"}))
            .collect::<Vec<_>>());
        let (s, b) = app.post("/api/v1/surveys", &organizer, body).await;
        refusal(s, &b, "questions");
    }
    // A choice with 21 options; an unknown field.
    let mut body = survey_json();
    body["questions"][2]["options"] = json!((0..21).map(|i| format!("o{i}")).collect::<Vec<_>>());
    let (s, b) = app.post("/api/v1/surveys", &organizer, body).await;
    refusal(s, &b, "questions[2].options");
    let mut body = survey_json();
    body["questions"][0]["weight"] = json!(2);
    let (s, b) = app.post("/api/v1/surveys", &organizer, body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    // Another municipality's agreement is unknown here.
    let organizer_b = app.user(Role::Organizer, BRZEZINY).await;
    let (org_b, _) = app
        .organization(&organizer_b, "Fundacja Brzeziny", 41)
        .await;
    let year = (cus_db::today() + Duration::days(10))
        .format("%Y")
        .to_string();
    let (s, ag) = app
        .post(
            "/api/v1/agreements",
            &organizer_b,
            json!({"organization_id": org_b, "mode": "small_grant", "title": "Piknik",
                   "start_date": day(10), "end_date": day(40),
                   "tranches": [{"year": year.parse::<i32>().unwrap(), "amount_grosze": 100_000}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ag}");
    let mut body = survey_json();
    body["agreement_id"] = ag["id"].clone();
    let (s, b) = app.post("/api/v1/surveys", &organizer, body.clone()).await;
    refusal(s, &b, "agreement_id");
    // ...and that municipality's organizer may use it.
    let (s, b) = app.post("/api/v1/surveys", &organizer_b, body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["agreement_id"], ag["id"]);

    let mut good = survey_json();
    good["service_code"] = json!("UO");
    good["period"] = json!("2026-05");
    let (s, b) = app.post("/api/v1/surveys", &organizer, good).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["service_code"], "UO");
    assert_eq!(b["period"], "2026-05");
    assert_eq!(b["questions"].as_array().unwrap().len(), 4);
    assert_eq!(b["invited"], 0);
    let (s, list) = app.get("/api/v1/surveys", &organizer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn invitations_mail_one_time_links_and_print_codes() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let desk_b = app.user(Role::Desk, BRZEZINY).await;
    let id = new_survey(&app, &organizer).await;
    let mailed = resident(&app, &desk, 1, Some("anna.ankietowana@test.example")).await;
    let paper = resident(&app, &desk, 2, None).await;
    let elsewhere = resident(&app, &desk_b, 3, Some("ktos@test.example")).await;
    let path = format!("/api/v1/surveys/{id}/invitations");

    for (body, field) in [
        (json!({}), "resident_ids"),
        (json!({"count": 0}), "count"),
        (json!({"count": 501}), "count"),
        (json!({"resident_ids": [elsewhere]}), "resident_ids"),
        (
            json!({"resident_ids": [uuid::Uuid::new_v4().to_string()]}),
            "resident_ids",
        ),
        (
            json!({"count": 1, "interviewer_id": uuid::Uuid::new_v4().to_string()}),
            "interviewer_id",
        ),
    ] {
        let (s, b) = app.post(&path, &organizer, body.clone()).await;
        refusal(s, &b, field);
    }

    let (s, b) = app
        .post(
            &path,
            &organizer,
            json!({"resident_ids": [mailed, paper, mailed], "count": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["mailed"], 1);
    assert_eq!(b["without_email"], 1);
    assert_eq!(b["without_email_residents"], json!([paper]));
    let printed: Vec<String> = b["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        printed.len(),
        4,
        "one for the resident without email, and 3"
    );
    let (_, survey) = app.get(&format!("/api/v1/surveys/{id}"), &organizer).await;
    assert_eq!(survey["invited"], 5);

    app.run_job("outbox");
    let mails: Vec<String> = app
        .mails()
        .into_iter()
        .filter(|m| m.contains("anna.ankietowana@test.example"))
        .collect();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    let link = mail
        .split("http://cus.test/survey/")
        .nth(1)
        .expect("the mail holds the link");
    let code: String = link
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(code.len(), 10);
    assert!(mail.contains("Zadowolenie z usług opiekuńczych"));
    assert!(!printed.contains(&code));

    // Stored: hashes only, no resident, and the sent mail forgot the code.
    let (stored, contexts): (Vec<String>, Vec<String>) = app.with_db(|c| {
        use cus_db::schema::{outbox, survey_codes};
        (
            survey_codes::table
                .select(survey_codes::code_hash)
                .load(c)
                .unwrap(),
            outbox::table
                .filter(outbox::template.eq("survey_invitation"))
                .select(outbox::context)
                .load(c)
                .unwrap(),
        )
    });
    assert_eq!(stored.len(), 5);
    for c in printed.iter().chain([&code]) {
        assert!(!stored.contains(c), "no code stored in the clear");
    }
    assert_eq!(contexts, vec!["{}".to_string()]);

    // The mailed link works once.
    let (s, b) = answer(&app, &code, json!({"ogolna": 5})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = answer(&app, &code.to_lowercase(), json!({"ogolna": 4})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

#[tokio::test]
async fn a_code_answers_once_and_malformed_answers_are_refused() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    let code = codes(&app, &organizer, &id, 1).await.remove(0);

    for (answers, field) in [
        (json!({"ogolna": 6}), "answers.ogolna"),
        (json!({"ogolna": 0}), "answers.ogolna"),
        (json!({"ogolna": 2.5}), "answers.ogolna"),
        (json!({"ogolna": "4"}), "answers.ogolna"),
        (json!({"kanal": "poczta"}), "answers.kanal"),
        (json!({"kanal": 1}), "answers.kanal"),
        (json!({"uwagi": 7}), "answers.uwagi"),
        (json!({"uwagi": "x".repeat(2001)}), "answers.uwagi"),
        (json!({"nieznane": 3}), "answers.nieznane"),
    ] {
        let (s, b) = answer(&app, &code, answers.clone()).await;
        refusal(s, &b, field);
    }
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/survey-responses",
            None,
            Some(json!({"code": code, "answers": {}, "extra": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    let (s, b) = answer(&app, "ABCDEFGHJK", json!({"ogolna": 3})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, _) = answer(&app, "not a code", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A refused answer left the code unused; unanswered questions are fine.
    let (s, b) = answer(
        &app,
        &code,
        json!({"ogolna": 4, "kanal": "osobiście", "uwagi": " Więcej godzin. ", "czas": null}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = answer(&app, &code, json!({"ogolna": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"], "conflict");

    // The response holds the survey, the day and the answers, nothing more.
    let rows: Vec<(String, String, chrono::NaiveDate, String)> = app.with_db(|c| {
        use cus_db::schema::survey_responses as r;
        r::table
            .select((r::id, r::survey_id, r::day, r::answers))
            .load(c)
            .unwrap()
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, id);
    assert_eq!(rows[0].2, cus_db::today());
    let stored: Value = serde_json::from_str(&rows[0].3).unwrap();
    assert_eq!(
        stored,
        json!({"ogolna": 4, "kanal": "osobiście", "uwagi": "Więcej godzin."})
    );
    assert!(!rows[0].3.contains(&code));
}

#[tokio::test]
async fn results_are_suppressed_below_min_group() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    let all = codes(&app, &organizer, &id, 6).await;
    let given = [
        json!({"ogolna": 5, "czas": 4, "kanal": "telefon", "uwagi": "Dobrze."}),
        json!({"ogolna": 4, "czas": 4, "kanal": "telefon"}),
        json!({"ogolna": 4, "czas": 2, "kanal": "internet", "uwagi": "Za krótko."}),
        json!({"ogolna": 2, "czas": 3, "kanal": "telefon"}),
        json!({"ogolna": 3, "kanal": "osobiście"}),
    ];
    for (code, a) in all.iter().zip(&given[..4]) {
        let (s, b) = answer(&app, code, a.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let path = format!("/api/v1/surveys/{id}/results");
    let (s, r) = app.get(&path, &organizer).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["responses"], 4);
    assert_eq!(r["suppressed"], true);
    for q in r["questions"].as_array().unwrap() {
        for figure in ["mean", "counts", "answers", "answered"] {
            assert!(q.get(figure).is_none(), "{figure} withheld: {q}");
        }
    }
    assert!(!r.to_string().contains("Dobrze."));

    let (s, _) = answer(&app, &all[4], given[4].clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, r) = app.get(&path, &organizer).await;
    assert_eq!(r["responses"], 5);
    assert_eq!(r["suppressed"], false);
    let q = |key: &str| {
        r["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == key)
            .unwrap()
            .clone()
    };
    // (5 + 4 + 4 + 2 + 3) / 5 = 3.6
    let ogolna = q("ogolna");
    assert_eq!(ogolna["mean"], 3.6);
    assert_eq!(ogolna["answered"], 5);
    assert_eq!(
        ogolna["counts"],
        json!({"1": 0, "2": 1, "3": 1, "4": 2, "5": 1})
    );
    // Four answered `czas`: below min_group, so no figure for it.
    let czas = q("czas");
    assert_eq!(czas["answered"], 4);
    assert_eq!(czas["suppressed"], true);
    assert!(czas.get("mean").is_none() && czas.get("counts").is_none());
    assert_eq!(
        q("kanal")["counts"],
        json!({"telefon": 3, "osobiście": 1, "internet": 1})
    );
    // Two of five wrote a comment: too few to show.
    assert_eq!(q("uwagi")["suppressed"], true);
    assert!(q("uwagi").get("answers").is_none());

    // min_group comes from the configuration.
    let app = spawn_with(|c| c.assessment.min_group = 2).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    for (code, v) in codes(&app, &organizer, &id, 3).await.iter().zip([1, 2, 2]) {
        answer(
            &app,
            code,
            json!({"ogolna": v, "uwagi": format!("Uwaga {v}")}),
        )
        .await;
    }
    let (_, r) = app
        .get(&format!("/api/v1/surveys/{id}/results"), &organizer)
        .await;
    assert_eq!(r["suppressed"], false);
    assert_eq!(r["questions"][0]["mean"], 1.67, "5 / 3, two decimals");
    assert_eq!(
        r["questions"][3]["answers"],
        json!(["Uwaga 1", "Uwaga 2", "Uwaga 2"])
    );
}

#[tokio::test]
async fn no_worker_surveys_their_own_cases() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let other = app.user(Role::SocialWorker, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    let r1 = resident(&app, &desk, 11, Some("r1@test.example")).await;
    let r2 = resident(&app, &desk, 12, None).await;
    let (s, p) = app
        .post(
            "/api/v1/plans",
            &coordinator,
            json!({"resident_id": r2, "goals": ["Samodzielność"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let path = format!("/api/v1/surveys/{id}/invitations");
    let (s, b) = app
        .post(
            &path,
            &organizer,
            json!({"resident_ids": [r1, r2], "interviewer_id": coordinator.id}),
        )
        .await;
    assert_eq!(
        refusal(s, &b, "interviewer_id"),
        "This person coordinates a plan of one of the invited people: no worker surveys their own cases."
    );
    let (_, survey) = app.get(&format!("/api/v1/surveys/{id}"), &organizer).await;
    assert_eq!(survey["invited"], 0, "nothing was given out");
    // Another worker may; the coordinator may for residents not theirs.
    let (s, b) = app
        .post(
            &path,
            &organizer,
            json!({"resident_ids": [r1, r2], "interviewer_id": other.id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post(
            &path,
            &organizer,
            json!({"resident_ids": [r1], "interviewer_id": coordinator.id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A user of another municipality is no interviewer here.
    let stranger = app.user(Role::SocialWorker, BRZEZINY).await;
    let (s, b) = app
        .post(
            &path,
            &organizer,
            json!({"count": 1, "interviewer_id": stranger.id}),
        )
        .await;
    refusal(s, &b, "interviewer_id");
}

#[tokio::test]
async fn another_municipality_sees_no_survey() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let organizer_b = app.user(Role::Organizer, BRZEZINY).await;
    let id = new_survey(&app, &organizer).await;
    for path in [
        format!("/api/v1/surveys/{id}"),
        format!("/api/v1/surveys/{id}/results"),
    ] {
        let (s, _) = app.get(&path, &organizer_b).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/surveys/{id}/invitations"),
            &organizer_b,
            json!({"count": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/surveys", &organizer_b).await;
    assert_eq!(list["total"], 0);
    let (s, _) = app
        .get(
            &format!("/api/v1/surveys/{}", uuid::Uuid::new_v4()),
            &organizer,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .call(Method::GET, &format!("/api/v1/surveys/{id}"), None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn two_answers_with_one_code_at_once_take_one() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    for code in codes(&app, &organizer, &id, 3).await {
        let (a, b) = tokio::join!(
            answer(&app, &code, json!({"ogolna": 5})),
            answer(&app, &code, json!({"ogolna": 1})),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "{a:?} {b:?}"
        );
    }
    let n: i64 = app.with_db(|c| {
        use cus_db::schema::survey_responses as r;
        r::table.count().get_result(c).unwrap()
    });
    assert_eq!(n, 3);
}

#[tokio::test]
async fn the_public_page_asks_and_takes_an_answer() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let id = new_survey(&app, &organizer).await;
    let code = codes(&app, &organizer, &id, 1).await.remove(0);
    let visitor = Browser::new(&app);
    let (s, page) = visitor.get(&format!("/survey/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<html lang=\"pl\""));
    assert!(page.contains("<legend>Jestem zadowolony z usługi.</legend>"));
    assert!(page.contains("type=\"radio\""));
    assert!(page.contains("zdecydowanie tak"));
    assert!(page.contains("<label for=\"q_uwagi\">"));
    let csrf = csrf_of(&page);
    let (s, en) = Browser::new(&app)
        .get(&format!("/survey/{code}?lang=en"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(en.contains("strongly agree") && en.contains("Send the answer"));

    // Without the form's token: refused. A bad answer: the form again.
    let (s, _, _) = visitor
        .post_form(&format!("/survey/{code}"), &[("q_ogolna", "5")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, again, _) = visitor
        .post_form(
            &format!("/survey/{code}"),
            &[("csrf", &csrf), ("q_ogolna", "9"), ("q_uwagi", "Miło")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.contains("aria-invalid=\"true\""));
    assert!(again.contains("Miło"), "what was typed is kept");

    let (s, thanks, _) = visitor
        .post_form(
            &format!("/survey/{code}"),
            &[
                ("csrf", &csrf),
                ("q_ogolna", "4"),
                ("q_kanal", "internet"),
                ("q_uwagi", "Dziękuję."),
                ("q_czas", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{thanks}");
    assert!(thanks.contains("Dziękujemy"));
    let stored: Vec<String> = app.with_db(|c| {
        use cus_db::schema::survey_responses as r;
        r::table.select(r::answers).load(c).unwrap()
    });
    let stored: Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(
        stored,
        json!({"ogolna": 4, "kanal": "internet", "uwagi": "Dziękuję."})
    );

    let (s, used) = visitor.get(&format!("/survey/{code}")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(used.contains("udzielono już odpowiedzi"));
    let (s, _, _) = visitor
        .post_form(
            &format!("/survey/{code}"),
            &[("csrf", &csrf), ("q_ogolna", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = visitor.get("/survey/ABCDEFGHJK").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_organizer_pages_create_invite_and_show_results() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let b = Browser::new(&app);
    let csrf = b.sign_in(&organizer.email, PASSWORD).await;
    let (s, page) = b.get("/surveys").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Badania satysfakcji odbiorców"));
    assert!(page.contains("name=\"q4_key\"") && !page.contains("name=\"q5_key\""));
    let (_, more) = b.get("/surveys?rows=10").await;
    assert!(more.contains("name=\"q9_key\""));

    // Refused: the reasons beside the row's fields, what was typed kept.
    let (s, refused, _) = b
        .post_form(
            "/surveys",
            &[
                ("csrf", &csrf),
                ("title", "Ankieta UO"),
                ("period", "2026-13"),
                ("q0_key", "ogolna"),
                ("q0_kind", "likert"),
                ("q0_text", "Jak oceniasz usługę?"),
                ("q2_key", "kanal"),
                ("q2_kind", "choice"),
                ("q2_text", "Skąd wiesz?"),
                ("q2_options", "telefon"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("id=\"period-error\""));
    assert!(refused.contains("id=\"q2_options-error\""), "row 2, not 1");
    assert!(refused.contains("value=\"Ankieta UO\""));

    let (s, _, location) = b
        .post_form(
            "/surveys",
            &[
                ("csrf", &csrf),
                ("title", "Ankieta UO"),
                ("period", "2026"),
                ("service_code", "UO"),
                ("q0_key", "ogolna"),
                ("q0_kind", "likert"),
                ("q0_text", "Jak oceniasz usługę?"),
                ("q0_satisfaction", "on"),
                ("q2_key", "kanal"),
                ("q2_kind", "choice"),
                ("q2_text", "Skąd wiesz?"),
                ("q2_options", "telefon\nulotka\n"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let id = location.strip_prefix("/surveys/").unwrap().to_string();
    let (_, survey) = app.get(&format!("/api/v1/surveys/{id}"), &organizer).await;
    assert_eq!(survey["service_code"], "UO");
    assert_eq!(survey["questions"][0]["satisfaction"], true);
    assert_eq!(
        survey["questions"][1]["options"],
        json!(["telefon", "ulotka"])
    );

    let (s, detail) = b.get(&location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(detail.contains("Za mało odpowiedzi"));
    let (s, invited, _) = b
        .post_form(
            &format!("{location}/invitations"),
            &[("csrf", &csrf), ("count", "501")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invited.contains("id=\"count-error\""));
    let (s, invited, _) = b
        .post_form(
            &format!("{location}/invitations"),
            &[("csrf", &csrf), ("count", "5")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let printed: Vec<String> = invited
        .split("<li><code>")
        .skip(1)
        .map(|p| p.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(printed.len(), 5);
    for code in &printed {
        let (s, _) = answer(&app, code, json!({"ogolna": 5, "kanal": "ulotka"})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, detail) = b.get(&format!("{location}?lang=en")).await;
    assert!(detail.contains("Mean: <strong>5</strong>"), "{detail}");
    assert!(detail.contains("<th scope=\"row\">ulotka</th><td>5</td>"));

    // Not for other roles.
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let c = Browser::new(&app);
    c.sign_in(&coordinator.email, PASSWORD).await;
    let (s, _) = c.get("/surveys").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c.get(&location).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
