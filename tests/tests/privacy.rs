//! Data protection (issue 24) over HTTP: retention with a clock moved past
//! its periods (records backdated), holds, the assessment of a past period
//! unchanged by anonymisation, the resident's access export against what
//! was stored, data subject requests with their refusals, restriction,
//! and an erasure that survives a backup restore.

use chrono::{Datelike, Duration, Months, Utc};
use cus_db::Role;
use cus_tests::*;
use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::assessment::Fixture;

fn sql(app: &TestApp, sql: &str) {
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query(sql)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

fn rule<'a>(rules: &'a Value, kind: &str) -> &'a Value {
    rules["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no rule {kind}: {rules}"))
}

fn records(run: &Value, kind: &str) -> i64 {
    run["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
        .unwrap_or_else(|| panic!("no action {kind}: {run}"))["records"]
        .as_i64()
        .unwrap()
}

/// The values of a few computed indicators for `period`, from a new run.
async fn figures(app: &TestApp, org: &User, period: &str) -> Vec<Value> {
    let (s, run) = app
        .post("/api/v1/assessments/run", org, json!({"period": period}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let mut out = vec![];
    for code in [
        "ipus_drawn_up_30d",
        "plan_employment",
        "plan_goals_achieved",
    ] {
        let (s, b) = app
            .get(
                &format!("/api/v1/assessments/results?indicator={code}&period={period}"),
                org,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let item = &b["items"][0];
        out.push(json!([code, item["value"], item["inputs"]]));
    }
    out
}

#[tokio::test]
async fn retention_anonymises_closed_cases_keeps_held_ones_and_the_figures() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let iod = app.user(Role::Iod, SOCHACZEW).await;
    let year = cus_db::today().year() - 11;
    let mut f = Fixture::new(&app);
    let mut residents = vec![];
    let march = chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
    for n in 0..8 {
        let applied = march + Duration::days(n);
        // Some drawn up within 30 days, some not.
        let approved = applied + Duration::days(5 + n * 5);
        let (plan, resident) = f.plan(
            SOCHACZEW,
            &org.id,
            &applied.to_string(),
            Some(&approved.to_string()),
        );
        let outcome = if n % 2 == 0 {
            "employment"
        } else {
            "goals_achieved"
        };
        f.close(&plan, &org.id, &format!("{year}-10-01"), outcome);
        residents.push(resident);
    }
    // One of them has a PESEL: birth year and sex outlive it.
    let pesel = pesel(7);
    sql(
        &app,
        &format!(
            "UPDATE residents SET pesel = '{pesel}', email = 'anna@test.example' WHERE id = '{}'",
            residents[0]
        ),
    );
    // An open case keeps its resident whatever the dates.
    let (open_plan, open_resident) = f.plan(
        SOCHACZEW,
        &org.id,
        &format!("{year}-04-01"),
        Some(&format!("{year}-04-05")),
    );
    let period = year.to_string();
    let before = figures(&app, &org, &period).await;

    let (s, rules) = app.get("/api/v1/privacy/retention", &iod).await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    let cases = rule(&rules, "closed_cases");
    assert_eq!(
        (cases["due"].as_i64(), cases["held"].as_i64()),
        (Some(8), Some(0)),
        "{rules}"
    );
    assert_eq!(cases["period"], "P10Y");
    assert_eq!(cases["action"], "anonymise");
    // A legal hold keeps one.
    let held = &residents[1];
    let (s, b) = app
        .post(
            &format!("/api/v1/residents/{held}/hold"),
            &iod,
            json!({"reason": "Postępowanie sądowe"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, rules) = app.get("/api/v1/privacy/retention", &iod).await;
    let cases = rule(&rules, "closed_cases");
    assert_eq!(
        (cases["due"].as_i64(), cases["held"].as_i64()),
        (Some(7), Some(1))
    );

    // A dry run (the default) counts and changes nothing.
    let (s, dry) = app
        .post("/api/v1/privacy/retention/run", &iod, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(records(&dry, "closed_cases"), 7);
    let (_, r) = app
        .get(&format!("/api/v1/residents/{}", residents[0]), &org)
        .await;
    assert_eq!(r["anonymised"], false, "{r}");
    assert_eq!(r["first_name"], "Anna");

    let (s, run) = app
        .post(
            "/api/v1/privacy/retention/run",
            &iod,
            json!({"dry_run": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(records(&run, "closed_cases"), 7);
    let (_, r) = app
        .get(&format!("/api/v1/residents/{}", residents[0]), &org)
        .await;
    assert_eq!(r["anonymised"], true, "{r}");
    for field in [
        "first_name",
        "last_name",
        "pesel",
        "address",
        "email",
        "phone",
    ] {
        assert!(r[field].is_null(), "{field}: {r}");
    }
    assert_eq!(r["birth_year"], 1985);
    assert!(r["sex"] == "F" || r["sex"] == "M", "{r}");
    let (_, r) = app.get(&format!("/api/v1/residents/{held}"), &org).await;
    assert_eq!(
        (r["anonymised"].clone(), r["held"].clone()),
        (json!(false), json!(true))
    );
    let (_, r) = app
        .get(&format!("/api/v1/residents/{open_resident}"), &org)
        .await;
    assert_eq!(
        r["anonymised"], false,
        "the open plan {open_plan} keeps them"
    );
    // The plans keep their facts, lose their words.
    let plans: Vec<(String, String, Option<String>)> = app.with_db(|c| {
        use cus_db::schema::plans;
        use diesel::prelude::*;
        plans::table
            .filter(plans::resident_id.eq(&residents[0]))
            .select((plans::status, plans::needs, plans::outcome))
            .load(c)
            .unwrap()
    });
    assert_eq!(
        plans,
        [(
            "closed".to_string(),
            String::new(),
            Some("employment".to_string())
        )]
    );

    // The assessment of the past period gives the same values.
    assert_eq!(figures(&app, &org, &period).await, before);
    // Every anonymisation is in the erasure log, apart from the database.
    let log = std::fs::read_to_string(&app.state.config.privacy.erasure_log).unwrap();
    assert_eq!(log.lines().count(), 7, "{log}");
    assert!(log.contains(&residents[0]) && !log.contains(held.as_str()));
    // Nothing left to do; the officer's run was audited.
    let (_, again) = app
        .post(
            "/api/v1/privacy/retention/run",
            &iod,
            json!({"dry_run": false}),
        )
        .await;
    assert_eq!(records(&again, "closed_cases"), 0);
    let (_, audit) = app
        .get("/api/v1/audit?subject_type=municipality", &iod)
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "privacy.retention"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_daily_job_applies_every_rule_under_a_moved_clock() {
    let app = spawn_app().await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "KIS").await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (_, r) = app
        .post("/api/v1/requests", &resident, json!({"service_code": "KIS", "description": "Szukam pracy, mam długi", "channel": "online"}))
        .await;
    let (request_id, resident_id) = (
        r["id"].as_str().unwrap().to_string(),
        r["resident_id"].as_str().unwrap().to_string(),
    );
    let today = cus_db::today();
    let (_, p) = app
        .post("/api/v1/plans", &coordinator, json!({"resident_id": resident_id, "request_id": request_id, "goals": ["Podjęcie pracy"], "resident_commitments": "Udział w KIS"}))
        .await;
    let plan = p["id"].as_str().unwrap().to_string();
    let (s, b) = app
        .post(&format!("/api/v1/plans/{plan}/items"), &coordinator, json!({"service_code": "KIS", "frequency": "3 razy w tygodniu", "start_date": today.to_string(), "end_date": (today + Duration::days(90)).to_string()}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for (who, body) in [
        (&resident, json!({"to": "agreed"})),
        (&organizer, json!({"to": "approved"})),
        (&coordinator, json!({"to": "active"})),
        (
            &coordinator,
            json!({"to": "closed", "note": "Podjął pracę.", "outcome": "employment"}),
        ),
    ] {
        let (s, b) = app
            .post(&format!("/api/v1/plans/{plan}/transition"), who, body)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // Nothing is due yet: the case closed today.
    assert!(
        app.run_job("retention").contains("closed_cases 0"),
        "nothing due"
    );
    // Eleven years pass for the case, six for an audit row, a month for
    // mail and tokens.
    let ago = |days: i64| {
        (Utc::now() - Duration::days(days))
            .naive_utc()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    sql(
        &app,
        &format!(
            "UPDATE plan_events SET at = '{}' WHERE plan_id = '{plan}'",
            ago(11 * 366)
        ),
    );
    sql(
        &app,
        &format!(
            "UPDATE request_events SET at = '{}' WHERE request_id = '{request_id}'",
            ago(11 * 366)
        ),
    );
    let old_audit = cus_db::new_id();
    sql(&app, &format!("INSERT INTO audit_log (id, actor_id, municipality, action, subject_type, subject_id, at) VALUES ('{old_audit}', NULL, '{SOCHACZEW}', 'resident.read', 'resident', '{resident_id}', '{}')", ago(6 * 366)));
    sql(
        &app,
        &format!("UPDATE sessions SET expires_at = '{}'", ago(30)),
    );
    sql(&app, &format!("INSERT INTO outbox (id, message_id, template, locale, context, to_address, status, attempts, next_attempt_at, created_at, sent_at) VALUES ('{}', '<m@x>', 'consent', 'pl', '{{\"name\":\"Jan\"}}', 'someone@test.example', 'sent', 1, '{1}', '{1}', '{1}')", cus_db::new_id(), ago(60)));

    let out = app.run_job("retention");
    assert!(out.contains("closed_cases 1"), "{out}");
    let (anonymised, description): (Option<chrono::NaiveDateTime>, String) = app.with_db(|c| {
        use cus_db::schema::{requests, residents};
        use diesel::prelude::*;
        let a = residents::table
            .find(&resident_id)
            .select(residents::anonymised_at)
            .first(c)
            .unwrap();
        let d = requests::table
            .find(&request_id)
            .select(requests::description)
            .first(c)
            .unwrap();
        (a, d)
    });
    assert!(anonymised.is_some());
    assert_eq!(description, "");
    let (left_audit, sessions, mail): (i64, i64, String) = app.with_db(|c| {
        use cus_db::schema::{audit_log, outbox, sessions};
        use diesel::prelude::*;
        (
            audit_log::table
                .filter(audit_log::id.eq(&old_audit))
                .count()
                .get_result(c)
                .unwrap(),
            sessions::table.count().get_result(c).unwrap(),
            outbox::table
                .filter(outbox::message_id.eq("<m@x>"))
                .select(outbox::context)
                .first(c)
                .unwrap(),
        )
    });
    assert_eq!((left_audit, sessions, mail.as_str()), (0, 0, "{}"));
    // The resident's account can no longer sign in.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"email": resident.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_resident_reads_and_downloads_everything_stored_about_them() {
    let app = spawn_app().await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let iod = app.user(Role::Iod, SOCHACZEW).await;
    app.service(&organizer, "KIS").await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let other = app.user(Role::Resident, SOCHACZEW).await;
    let (_, r) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"service_code": "KIS", "description": "Proszę o wsparcie", "channel": "online"}),
        )
        .await;
    let (request_id, resident_id) = (
        r["id"].as_str().unwrap().to_string(),
        r["resident_id"].as_str().unwrap().to_string(),
    );
    app.post(
        "/api/v1/requests",
        &other,
        json!({"description": "Cudzy wniosek", "channel": "online"}),
    )
    .await;
    let (_, p) = app
        .post("/api/v1/plans", &coordinator, json!({"resident_id": resident_id, "request_id": request_id, "goals": ["Podjęcie pracy"], "resident_commitments": "Udział w KIS"}))
        .await;
    let plan = p["id"].as_str().unwrap().to_string();
    // Staff read the record and the plan: both reads are in the log.
    app.get(&format!("/api/v1/residents/{resident_id}"), &organizer)
        .await;
    let (_, stored_plan) = app
        .get(&format!("/api/v1/plans/{plan}"), &coordinator)
        .await;
    let (_, stored_request) = app
        .get(&format!("/api/v1/requests/{request_id}"), &resident)
        .await;

    let (s, mine) = app.get("/api/v1/me/data", &resident).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["resident"]["id"], resident_id.as_str());
    assert_eq!(
        mine["requests"].as_array().unwrap().len(),
        1,
        "only their own: {mine}"
    );
    let req = &mine["requests"][0];
    for field in [
        "id",
        "case_number",
        "description",
        "status",
        "deadline",
        "created_at",
    ] {
        assert_eq!(req[field], stored_request[field], "request {field}");
    }
    assert_eq!(req["history"], stored_request["history"]);
    let plan_data = &mine["plans"][0];
    for field in [
        "id",
        "status",
        "needs",
        "resident_commitments",
        "application_date",
        "deadline",
        "goals",
        "items",
        "history",
    ] {
        assert_eq!(plan_data[field], stored_plan[field], "plan {field}");
    }
    let log = mine["access_log"].as_array().unwrap();
    let roles: Vec<&str> = log.iter().map(|a| a["role"].as_str().unwrap()).collect();
    assert!(
        roles.contains(&"organizer") && roles.contains(&"coordinator"),
        "{mine}"
    );
    assert!(log
        .iter()
        .all(|a| a["at"].as_str().unwrap().ends_with('Z') && a.get("actor_id").is_none()));
    assert_eq!(mine["retention"][0]["kind"], "closed_cases");
    assert!(mine["retention"][0]["until"].is_null(), "a case is open");
    assert!(!mine.to_string().contains("Cudzy wniosek"));

    // The page and the file, in the resident's browser.
    let browser = Browser::new(&app);
    browser.sign_in(&resident.email, PASSWORD).await;
    let r = browser
        .client
        .get(app.url("/me/data.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[reqwest::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let file: Value = r.json().await.unwrap();
    assert_eq!(file["resident"]["id"], resident_id.as_str());
    assert_eq!(file["requests"], mine["requests"]);
    let (s, html) = browser.get("/me/data").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Moje dane") && html.contains("koordynator IPUS"),
        "{html}"
    );

    // The officer's export is the same, and audited.
    let (s, export) = app
        .get(&format!("/api/v1/residents/{resident_id}/export"), &iod)
        .await;
    assert_eq!(s, StatusCode::OK, "{export}");
    assert_eq!(export["requests"], mine["requests"]);
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?subject_type=resident&subject_id={resident_id}"),
            &iod,
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "privacy.export"),
        "{audit}"
    );
    // Refusals: others have no "my data"; nobody but the officer exports.
    for (user, status) in [
        (&coordinator, StatusCode::FORBIDDEN),
        (&iod, StatusCode::FORBIDDEN),
    ] {
        let (s, _) = app.get("/api/v1/me/data", user).await;
        assert_eq!(s, status);
    }
    for user in [&coordinator, &organizer, &resident] {
        let (s, _) = app
            .get(&format!("/api/v1/residents/{resident_id}/export"), user)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", user.email);
    }
    let far = app.user(Role::Iod, BRZEZINY).await;
    let (s, _) = app
        .get(&format!("/api/v1/residents/{resident_id}/export"), &far)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn data_subject_requests_are_decided_by_the_officer_within_a_month() {
    let app = spawn_app().await;
    let iod = app.user(Role::Iod, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (_, r) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"description": "Pomoc", "channel": "online"}),
        )
        .await;
    let resident_id = r["resident_id"].as_str().unwrap().to_string();
    let far_resident = {
        let far_desk = app.user(Role::Desk, BRZEZINY).await;
        app.resident(&far_desk, &pesel(3)).await
    };

    let (s, erasure) = app
        .post(
            "/api/v1/privacy/requests",
            &resident,
            json!({"kind": "erasure", "text": "Proszę usunąć moje dane."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{erasure}");
    assert_eq!(erasure["status"], "open");
    let today = cus_db::today();
    let expected_due = today.checked_add_months(Months::new(1)).unwrap();
    assert_eq!(erasure["due"], expected_due.to_string());
    let erasure_id = erasure["id"].as_str().unwrap().to_string();
    // Bad input and the wrong people.
    let (s, b) = app
        .post(
            "/api/v1/privacy/requests",
            &resident,
            json!({"kind": "forget-me"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["kind"].is_array(), "{b}");
    let (s, b) = app
        .post("/api/v1/privacy/requests", &desk, json!({"kind": "access"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["resident_id"].is_array(), "{b}");
    let (s, b) = app
        .post(
            "/api/v1/privacy/requests",
            &desk,
            json!({"kind": "access", "resident_id": far_resident}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another municipality's resident: {b}"
    );
    let (s, _) = app
        .post(
            "/api/v1/privacy/requests",
            &coordinator,
            json!({"kind": "access", "resident_id": resident_id}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, restriction) = app
        .post(
            "/api/v1/privacy/requests",
            &desk,
            json!({"kind": "restriction", "resident_id": resident_id, "text": "Złożone w okienku"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{restriction}");

    // The officer's list and home page.
    let (s, list) = app.get("/api/v1/privacy/requests?status=open", &iod).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 2);
    let (_, day) = app.get("/api/v1/me/dashboard", &iod).await;
    let items = day["items"].as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .filter(|i| i["kind"] == "privacy_request")
            .count(),
        2,
        "{day}"
    );
    assert_eq!(items[0]["due"], expected_due.to_string());
    for user in [&organizer, &desk, &resident] {
        let (s, _) = app.get("/api/v1/privacy/requests", user).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", user.email);
    }
    let far_iod = app.user(Role::Iod, BRZEZINY).await;
    let (s, _) = app
        .get(&format!("/api/v1/privacy/requests/{erasure_id}"), &far_iod)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/api/v1/privacy/requests/not-a-uuid", &iod).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Erasure: a hold is checked first, then the open case; the request stays open.
    let decide = format!("/api/v1/privacy/requests/{erasure_id}/decide");
    let (s, b) = app
        .post(&decide, &iod, json!({"decision": "granted"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["reason"].is_array(), "{b}");
    app.post(
        &format!("/api/v1/residents/{resident_id}/hold"),
        &iod,
        json!({"reason": "Kontrola"}),
    )
    .await;
    let (s, b) = app
        .post(
            &decide,
            &iod,
            json!({"decision": "granted", "reason": "Art. 17"}),
        )
        .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::CONFLICT, Some("held")),
        "{b}"
    );
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/residents/{resident_id}/hold"),
            Some(&iod),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = app
        .post(
            &decide,
            &iod,
            json!({"decision": "granted", "reason": "Art. 17"}),
        )
        .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::CONFLICT, Some("open_case")),
        "{b}"
    );
    let (_, still) = app
        .get(&format!("/api/v1/privacy/requests/{erasure_id}"), &iod)
        .await;
    assert_eq!(still["status"], "open");

    // Restriction granted: every new write about the person waits.
    let (s, decided) = app
        .post(
            &format!(
                "/api/v1/privacy/requests/{}/decide",
                restriction["id"].as_str().unwrap()
            ),
            &iod,
            json!({"decision": "granted", "reason": "Do czasu wyjaśnienia"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "decided");
    let (s, b) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"description": "Nowy", "channel": "online"}),
        )
        .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::CONFLICT, Some("restricted")),
        "{b}"
    );
    let (s, b) = app
        .post(
            "/api/v1/plans",
            &coordinator,
            json!({"resident_id": resident_id, "goals": ["Cel"]}),
        )
        .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::CONFLICT, Some("restricted")),
        "{b}"
    );
    // Deciding twice is a conflict.
    let (s, _) = app
        .post(
            &format!(
                "/api/v1/privacy/requests/{}/decide",
                restriction["id"].as_str().unwrap()
            ),
            &iod,
            json!({"decision": "refused", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/residents/{resident_id}/restriction"),
            Some(&iod),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"description": "Nowy", "channel": "online"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // With every case closed, the erasure is granted and done at once.
    sql(
        &app,
        &format!("UPDATE requests SET status = 'closed' WHERE resident_id = '{resident_id}'"),
    );
    let (s, b) = app
        .post(
            &decide,
            &iod,
            json!({"decision": "granted", "reason": "Art. 17"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, r) = app
        .get(&format!("/api/v1/residents/{resident_id}"), &desk)
        .await;
    assert_eq!(r["anonymised"], true, "{r}");
    let (_, day) = app.get("/api/v1/me/dashboard", &iod).await;
    assert_eq!(
        day["items"].as_array().unwrap().len(),
        0,
        "decided ones leave the list: {day}"
    );
}

#[tokio::test]
async fn an_erasure_survives_the_restore_of_an_older_backup() {
    let app = spawn_app().await;
    let iod = app.user(Role::Iod, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (_, r) = app
        .post(
            "/api/v1/requests",
            &resident,
            json!({"description": "Pomoc", "channel": "online"}),
        )
        .await;
    let resident_id = r["resident_id"].as_str().unwrap().to_string();
    sql(
        &app,
        &format!("UPDATE requests SET status = 'closed' WHERE resident_id = '{resident_id}'"),
    );
    let backup = app.dir.join(if backend() == "postgres" {
        "before.dump"
    } else {
        "before.db"
    });
    let (url, path) = (app.database_url.clone(), backup.clone());
    tokio::task::spawn_blocking(move || cus::platform::backup::backup(&url, &path))
        .await
        .unwrap()
        .expect("backup");

    let (_, erasure) = app
        .post(
            "/api/v1/privacy/requests",
            &resident,
            json!({"kind": "erasure"}),
        )
        .await;
    let (s, b) = app
        .post(
            &format!(
                "/api/v1/privacy/requests/{}/decide",
                erasure["id"].as_str().unwrap()
            ),
            &iod,
            json!({"decision": "granted", "reason": "Art. 17"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The backup from before the erasure, restored elsewhere: the person
    // does not come back.
    let target_dir = temp_dir();
    let target = fresh_database(&target_dir);
    let log = app.state.erasure_log();
    let (t, p) = (target.clone(), backup.clone());
    let (_, applied) = tokio::task::spawn_blocking(move || {
        cus::platform::backup::restore_keeping_erasures(&t, &p, true, &log)
    })
    .await
    .unwrap()
    .expect("restore");
    assert_eq!(applied, 1);
    let pool = cus_db::connect(&target, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let (first, anonymised): (String, Option<chrono::NaiveDateTime>) = {
        use cus_db::schema::residents;
        use diesel::prelude::*;
        residents::table
            .find(&resident_id)
            .select((residents::first_name, residents::anonymised_at))
            .first(&mut conn)
            .unwrap()
    };
    assert_eq!((first.as_str(), anonymised.is_some()), ("", true));
    let _ = std::fs::remove_dir_all(target_dir);
}

#[tokio::test]
async fn the_register_is_generated_from_every_table_of_the_database() {
    let app = spawn_app().await;
    let described: std::collections::HashSet<&str> = cus::privacy::register::tables()
        .iter()
        .map(|t| t.table)
        .collect();
    let tables: Vec<String> = app.with_db(|c| cus::platform::backup::table_names(c).unwrap());
    for t in &tables {
        assert!(
            described.contains(t.as_str()),
            "table {t} is in no description of the register"
        );
    }
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let iod = app.user(Role::Iod, SOCHACZEW).await;
    for user in [&org, &iod] {
        let (s, b) = app.get("/api/v1/privacy/register", user).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let items = b["items"].as_array().unwrap();
        for code in [
            "single_window",
            "ipus",
            "social_work",
            "surveys",
            "contracting",
            "accounts",
            "audit",
        ] {
            let a = items
                .iter()
                .find(|a| a["code"] == code)
                .unwrap_or_else(|| panic!("{code}"));
            assert_eq!(
                a["special_categories"],
                ["single_window", "ipus", "social_work"].contains(&code),
                "{code}"
            );
            for kind in a["retention"].as_array().unwrap() {
                assert!([
                    "closed_cases",
                    "sessions",
                    "password_resets",
                    "outbox",
                    "survey_codes",
                    "audit_log"
                ]
                .contains(&kind.as_str().unwrap()));
            }
        }
    }
    for role in [Role::Desk, Role::Resident, Role::Coordinator] {
        let u = app.user(role, SOCHACZEW).await;
        let (s, _) = app.get("/api/v1/privacy/register", &u).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role:?}");
        let (s, _) = app.get("/api/v1/privacy/retention", &u).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role:?}");
    }
    // The printable page: the officer reads it; anonymous visitors sign in.
    let browser = Browser::new(&app);
    let r = browser
        .client
        .get(app.url("/privacy/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    browser.sign_in(&iod.email, PASSWORD).await;
    let (s, page) = browser.get("/privacy/register").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Rejestr czynności przetwarzania") && page.contains("residents"));
}
