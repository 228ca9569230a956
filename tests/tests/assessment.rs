//! Assessment and benchmarking over HTTP: computed indicators against
//! hand-counted fixtures (with the inputs shown), benchmarks and their
//! files, the run lock, corrective actions followed by later runs and
//! reminded when overdue, the scheduled run claimed once.

use cus_db::Role;
use cus_tests::*;
use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Records inserted as the modules would have left them, with dates in
/// the past that the API does not let a test choose.
pub(crate) struct Fixture<'a> {
    app: &'a TestApp,
    n: u32,
    /// One catalogue service per municipality, shared by its agreements.
    pub(crate) services: std::collections::HashMap<String, String>,
}

impl<'a> Fixture<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Fixture<'a> {
        Fixture {
            app,
            n: 0,
            services: Default::default(),
        }
    }

    pub(crate) fn sql(&self, sql: &str) {
        let mut conn = self.app.state.pool.get().unwrap();
        diesel::sql_query(sql)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    /// A new id, as the platform writes them (UUID v7, in order of
    /// creation): ids are typed and parsed where they enter.
    pub(crate) fn id(&mut self, _kind: &str) -> String {
        self.n += 1;
        cus_db::new_id()
    }

    pub(crate) fn resident(&mut self, m: &str) -> String {
        let id = self.id("res");
        self.sql(&format!(
            "INSERT INTO residents (id, municipality, first_name, last_name, address, created_at) \
             VALUES ('{id}', '{m}', 'Anna', 'Testowa', 'ul. Polna 1', '2024-01-01 10:00:00')"
        ));
        id
    }

    /// A plan applied for on `applied`, approved on `approved` (or not),
    /// of a new resident; `coordinator` a user id.
    pub(crate) fn plan(
        &mut self,
        m: &str,
        coordinator: &str,
        applied: &str,
        approved: Option<&str>,
    ) -> (String, String) {
        let resident = self.resident(m);
        let id = self.id("plan");
        let approved_at = approved.map_or("NULL".to_string(), |d| format!("'{d} 12:00:00'"));
        let status = if approved.is_some() {
            "active"
        } else {
            "draft"
        };
        self.sql(&format!(
            "INSERT INTO plans (id, municipality, resident_id, coordinator_id, status, goals, needs, resident_commitments, \
             application_date, deadline, approved_at, overdue, created_at, updated_at) VALUES \
             ('{id}', '{m}', '{resident}', '{coordinator}', '{status}', 'cele', 'potrzeby', '', '{applied}', '{applied}', \
             {approved_at}, FALSE, '{applied} 09:00:00', '{applied} 09:00:00')"
        ));
        (id, resident)
    }

    pub(crate) fn close(&mut self, plan: &str, actor: &str, on: &str, outcome: &str) {
        self.sql(&format!(
            "UPDATE plans SET status = 'closed', outcome = '{outcome}' WHERE id = '{plan}'"
        ));
        let id = self.id("ev");
        self.sql(&format!(
            "INSERT INTO plan_events (id, plan_id, actor_id, from_status, to_status, note, at) \
             VALUES ('{id}', '{plan}', '{actor}', 'active', 'closed', '', '{on} 15:00:00')"
        ));
    }

    pub(crate) fn routed_request(&mut self, m: &str, by: &str, filed: &str, days: i64) {
        let resident = self.resident(m);
        let id = self.id("req");
        self.sql(&format!(
            "INSERT INTO requests (id, municipality, case_number, resident_id, description, channel, status, deadline, \
             created_by, created_at, updated_at) VALUES ('{id}', '{m}', '{id}', '{resident}', 'wniosek', 'desk', 'routed', \
             '{filed}', '{by}', '{filed} 08:00:00', '{filed} 08:00:00')"
        ));
        let routed = chrono::NaiveDate::parse_from_str(filed, "%Y-%m-%d").unwrap()
            + chrono::Duration::days(days);
        let ev = self.id("rev");
        self.sql(&format!(
            "INSERT INTO request_events (id, request_id, actor_id, status, note, at) \
             VALUES ('{ev}', '{id}', '{by}', 'routed', '', '{routed} 08:00:00')"
        ));
    }

    pub(crate) fn organization(&mut self, m: &str, name: &str) -> String {
        let id = self.id("org");
        self.sql(&format!(
            "INSERT INTO organizations (id, municipality, name, legal_form, nip, regon, address, postal_code, city, email, alerts, created_at) \
             VALUES ('{id}', '{m}', '{name}', 'association', '{}', '123456785', 'ul. Długa 2', '96-500', 'Sochaczew', 'ngo@test.example', FALSE, '2024-01-01 10:00:00')",
            1_000_000_000 + self.n
        ));
        id
    }

    /// An agreement for 2025 with places, a 2025 tranche (grosze), and
    /// `people` recipients with an item of 10 hours a month all year.
    pub(crate) fn agreement(
        &mut self,
        m: &str,
        by: &str,
        number: &str,
        places: i32,
        grosze: i64,
        people: usize,
    ) -> String {
        let org = self.organization(m, &format!("Fundacja {number}"));
        let id = self.id("agr");
        self.sql(&format!(
            "INSERT INTO agreements (id, municipality, organization_id, number, title, mode, financing, start_date, end_date, \
             indicators, capacity_unit, capacity_per_year, status, created_by, created_at, updated_at) VALUES \
             ('{id}', '{m}', '{org}', '{number}', 'Usługi opiekuńcze', 'competition', 'full_financing', '2025-01-01', '2025-12-31', '[]', \
             'places', {places}, 'active', '{by}', '2024-12-01 10:00:00', '2024-12-01 10:00:00')"
        ));
        let t = self.id("tr");
        self.sql(&format!(
            "INSERT INTO tranches (id, agreement_id, year, amount_grosze) VALUES ('{t}', '{id}', 2025, {grosze})"
        ));
        let service = match self.services.get(m) {
            Some(s) => s.clone(),
            None => {
                let s = self.service(m);
                self.services.insert(m.to_string(), s.clone());
                s
            }
        };
        for _ in 0..people {
            let (plan, _) = self.plan(m, by, "2024-11-20", Some("2024-12-10"));
            let item = self.id("item");
            self.sql(&format!(
                "INSERT INTO plan_items (id, plan_id, service_id, provider, provider_agreement_id, frequency, hours_per_month, \
                 start_date, end_date, created_at) VALUES ('{item}', '{plan}', '{service}', 'ngo', '{id}', 'weekly', 10, \
                 '2025-01-01', '2025-12-31', '2024-12-10 12:00:00')"
            ));
        }
        id
    }

    pub(crate) fn service(&mut self, m: &str) -> String {
        let id = self.id("svc");
        self.sql(&format!(
            "INSERT INTO services (id, municipality, code, name, area, standard, variant, phase, fee_rule, access_criteria, active, \
             created_at, updated_at) VALUES ('{id}', '{m}', '{id}', 'Usługa', 'health', '', 'I', 'I', '', '', TRUE, \
             '2024-01-01 10:00:00', '2024-01-01 10:00:00')"
        ));
        id
    }
}

/// Sochaczew in 2025: 15 plans approved (12 within 30 days), 10 of them
/// closed (4 with employment, 3 with goals achieved), 6 requests routed
/// after 1..6 days, agreement A1 (6 people, 10 places, 120,000 zł) and A2
/// (3 people: suppressed, 30,000 zł). Brzeziny: 5 plans, all on time.
pub(crate) fn seed(app: &TestApp, coordinator_s: &str, coordinator_b: &str) -> (String, String) {
    let mut f = Fixture::new(app);
    let mut plans = vec![];
    for i in 0..15 {
        let late = i >= 12;
        let approved = if late { "2025-03-20" } else { "2025-02-20" };
        plans.push(
            f.plan(SOCHACZEW, coordinator_s, "2025-02-01", Some(approved))
                .0,
        );
    }
    for (i, plan) in plans.iter().take(10).enumerate() {
        let outcome = match i {
            0..=3 => "employment",
            4..=6 => "goals_achieved",
            _ => "not_achieved",
        };
        f.close(plan, coordinator_s, "2025-10-15", outcome);
    }
    for d in 1..=6 {
        f.routed_request(SOCHACZEW, coordinator_s, "2025-04-01", d);
    }
    let a1 = f.agreement(SOCHACZEW, coordinator_s, "A1/2025", 10, 12_000_000, 6);
    let a2 = f.agreement(SOCHACZEW, coordinator_s, "A2/2025", 10, 3_000_000, 3);
    for _ in 0..5 {
        f.plan(BRZEZINY, coordinator_b, "2025-05-01", Some("2025-05-10"));
    }
    (a1, a2)
}

async fn result(
    app: &TestApp,
    user: &User,
    code: &str,
    period: &str,
    subject: Option<&str>,
) -> Value {
    let mut path = format!("/api/v1/assessments/results?indicator={code}&period={period}");
    if let Some(s) = subject {
        path.push_str(&format!("&subject_id={s}"));
    }
    let (s, b) = app.get(&path, user).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{code}: {b}");
    items[0].clone()
}

#[tokio::test]
async fn computed_indicators_match_hand_counts_and_explain_themselves() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    let (a1, a2) = seed(&app, &org.id, &org_b.id);
    let (s, run) = app
        .post("/api/v1/assessments/run", &org, json!({"period": "2025"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    assert_eq!(run["status"], "done");
    assert!(run["results"].as_i64().unwrap() >= 13, "{run}");

    let r = result(&app, &org, "ipus_drawn_up_30d", "2025", None).await;
    assert_eq!(r["value"], json!(80.0));
    assert_eq!(r["inputs"]["numerator"], 12);
    assert_eq!(r["inputs"]["denominator"], 15);
    assert_eq!(r["explanation"], "12 of 15 plans drawn up within 30 days");
    assert_eq!(
        result(&app, &org, "plan_employment", "2025", None).await["value"],
        json!(40.0)
    );
    assert_eq!(
        result(&app, &org, "plan_goals_achieved", "2025", None).await["value"],
        json!(70.0)
    );
    let routing = result(&app, &org, "request_routing_days", "2025", None).await;
    assert_eq!(routing["value"], json!(3.5));
    assert_eq!(routing["inputs"]["requests"], 6);

    let recipients = result(&app, &org, "recipients", "2025", Some(&a1)).await;
    assert_eq!(recipients["value"], json!(6.0));
    assert_eq!(
        result(&app, &org, "capacity_use", "2025", Some(&a1)).await["value"],
        json!(60.0)
    );
    let cost = result(&app, &org, "cost_per_recipient", "2025", Some(&a1)).await;
    assert_eq!(cost["value"], json!(20000.0));
    assert_eq!(cost["explanation"], "120000 PLN for 6 recipients");
    // 120,000 zł over 6 people × 10 hours × 12 months.
    assert_eq!(
        result(&app, &org, "cost_per_service_hour", "2025", Some(&a1)).await["value"],
        json!(166.67)
    );
    // Three people: withheld, and nothing in the inputs tells how many.
    let small = result(&app, &org, "recipients", "2025", Some(&a2)).await;
    assert_eq!(small["value"], Value::Null);
    assert_eq!(small["suppressed"], true);
    assert_eq!(small["inputs"], json!({}));
    assert!(
        small["explanation"]
            .as_str()
            .unwrap()
            .contains("Fewer than 5"),
        "{small}"
    );
    // The municipality's cost counts the withheld agreement in its totals.
    let total = result(&app, &org, "cost_per_recipient", "2025", Some(SOCHACZEW)).await;
    assert_eq!(total["value"], json!(16666.67));
    assert_eq!(total["inputs"]["recipients"], 9);
    // No survey responses: no value, not suppressed.
    let sat = result(
        &app,
        &org,
        "recipient_satisfaction",
        "2025",
        Some(SOCHACZEW),
    )
    .await;
    assert_eq!(
        (sat["value"].clone(), sat["suppressed"].clone()),
        (Value::Null, json!(false))
    );

    // The run reads back with its results; another municipality's staff get 404.
    let id = run["id"].as_str().unwrap();
    let (s, back) = app.get(&format!("/api/v1/assessments/{id}"), &org).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(back["total"], run["results"]);
    let (s, _) = app.get(&format!("/api/v1/assessments/{id}"), &org_b).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Results in Polish when asked.
    let (_, pl) = app
        .get(
            "/api/v1/assessments/results?indicator=ipus_drawn_up_30d&period=2025&lang=pl",
            &org,
        )
        .await;
    assert_eq!(
        pl["items"][0]["explanation"],
        "12 z 15 planów opracowanych w ciągu 30 dni"
    );
    // The agreement's assessment: its year, and the other provider of the
    // same service beside it (withheld where small).
    let (s, aa) = app
        .get(&format!("/api/v1/agreements/{a1}/assessment"), &org)
        .await;
    assert_eq!(s, StatusCode::OK, "{aa}");
    assert_eq!(aa["years"][0]["year"], 2025);
    assert_eq!(aa["years"][0]["results"]["recipients"]["value"], json!(6.0));
    assert_eq!(
        aa["years"][0]["results"]["cost_per_recipient"]["explanation"],
        "120000 PLN for 6 recipients"
    );
    assert_eq!(aa["peer_year"], 2025);
    let peers = aa["peers"].as_array().unwrap();
    assert_eq!(peers.len(), 2, "{aa}");
    assert_eq!(peers[0]["current"], true);
    assert_eq!(peers[1]["agreement_id"], a2.as_str());
    assert_eq!(
        peers[1]["results"]["cost_per_recipient"]["suppressed"],
        true
    );
    let (s, _) = app
        .get(&format!("/api/v1/agreements/{a1}/assessment"), &org_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The provider itself sees its own agreement among the peers, never the
    // other provider's number, name or figures (API and page).
    let org_id = aa["agreement"]["organization_id"].as_str().unwrap();
    let email = "a1-provider@org.test.example";
    let (s, b) = app
        .post(
            &format!("/api/v1/organizations/{org_id}/users"),
            &org,
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let ngo = User {
        id: b["id"].as_str().unwrap().to_string(),
        email: email.to_string(),
        token: app.login(email, PASSWORD).await,
    };
    let (s, own) = app
        .get(&format!("/api/v1/agreements/{a1}/assessment"), &ngo)
        .await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let peers = own["peers"].as_array().unwrap();
    assert_eq!(peers.len(), 1, "{own}");
    assert_eq!(peers[0]["current"], true);
    let text = own.to_string();
    assert!(
        !text.contains(a2.as_str()) && !text.contains("A2/2025"),
        "{own}"
    );
    let provider = Browser::new(&app);
    provider.sign_in(email, PASSWORD).await;
    let (s, page) = provider
        .get(&format!("/agreements/{a1}/assessment?lang=en"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("A1/2025") && !page.contains("A2/2025"),
        "{page}"
    );
    let browser = Browser::new(&app);
    browser.sign_in(&org.email, PASSWORD).await;
    let (s, page) = browser
        .get(&format!("/agreements/{a1}/assessment?lang=en"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Fundacja A2/2025") && page.contains("120000 PLN for 6 recipients"),
        "{page}"
    );
    // A second run supersedes the first: still one latest result each.
    let (s, _) = app
        .post("/api/v1/assessments/run", &org, json!({"period": "2025"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    result(&app, &org, "ipus_drawn_up_30d", "2025", None).await;
    result(&app, &org, "cost_per_recipient", "2025", Some(&a1)).await;
    // The first run keeps its results as history, explained as before.
    let (s, first) = app.get(&format!("/api/v1/assessments/{id}"), &org).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first["total"], run["results"]);
    let items = first["items"].as_array().unwrap();
    let cost = items
        .iter()
        .find(|r| r["indicator"] == "cost_per_recipient" && r["subject_id"] == a1.as_str())
        .expect("the first run's cost of A1");
    assert_eq!(cost["explanation"], "120000 PLN for 6 recipients");
    assert_eq!(cost["run_id"], id);
}

#[tokio::test]
async fn benchmarks_rank_flag_suppress_and_export() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    let (a1, a2) = seed(&app, &org.id, &org_b.id);
    for u in [&org, &org_b] {
        let (s, b) = app
            .post("/api/v1/assessments/run", u, json!({"period": "2025"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, b) = app
        .get(
            "/api/v1/benchmarks?indicator=ipus_drawn_up_30d&period=2025",
            &org,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["average"], json!(90.0));
    assert_eq!(b["median"], json!(90.0));
    assert_eq!(b["count"], 2);
    assert_eq!(b["indicator"]["target"], json!(90.0));
    let rows = b["values"].as_array().unwrap();
    assert_eq!(rows[0]["subject_id"], BRZEZINY);
    assert_eq!(rows[0]["position"], 1);
    assert_eq!(rows[0]["below_average"], false);
    assert_eq!(rows[1]["subject_id"], SOCHACZEW);
    assert_eq!(rows[1]["position"], 2);
    assert_eq!(rows[1]["below_average"], true);
    assert_eq!(rows[1]["below_target"], true);

    // Internal benchmarking of providers: the small one has no position.
    let (s, b) = app
        .get(
            "/api/v1/benchmarks?indicator=cost_per_recipient&period=2025&scope=agreements",
            &org,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["count"], 1);
    let rows = b["values"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["subject_id"], a1.as_str());
    assert_eq!(rows[0]["position"], 1);
    assert_eq!(rows[1]["subject_id"], a2.as_str());
    assert_eq!(
        (
            rows[1]["value"].clone(),
            rows[1]["suppressed"].clone(),
            rows[1]["position"].clone()
        ),
        (Value::Null, json!(true), Value::Null)
    );
    assert!(rows[0]["name"].as_str().unwrap().contains("A1/2025"));
    // Another municipality's providers never appear.
    let (_, theirs) = app
        .get(
            "/api/v1/benchmarks?indicator=cost_per_recipient&period=2025&scope=agreements",
            &org_b,
        )
        .await;
    assert_eq!(theirs["values"], json!([]));

    // Files, typed.
    let q = "indicator=ipus_drawn_up_30d&period=2025";
    let get = |path: String| {
        let req = app.client.get(app.url(&path)).bearer_auth(&org.token);
        async move { req.send().await.unwrap() }
    };
    let csv = get(format!("/api/v1/benchmarks?{q}&format=csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(
        text.lines()
            .nth(2)
            .unwrap()
            .starts_with(&format!("2,{SOCHACZEW},Sochaczew,80.00")),
        "{text}"
    );
    let xlsx = get(format!("/api/v1/benchmarks?{q}&format=xlsx")).await;
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK"),
        "an XLSX is a zip"
    );
    let svg = get(format!("/benchmarks/chart.svg?{q}")).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("<title>") && svg.contains("Brzeziny: 100.00"),
        "{svg}"
    );
    let (s, _) = app
        .get(&format!("/api/v1/benchmarks?{q}&format=pdf"), &org)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Without a session or token the chart is refused (a page: to sign in).
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!("/benchmarks/chart.svg?{q}")))
        .send()
        .await
        .unwrap();
    assert!(
        [StatusCode::UNAUTHORIZED, StatusCode::SEE_OTHER].contains(&anon.status()),
        "{}",
        anon.status()
    );
    // A resident reads no benchmark.
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (s, _) = app.get(&format!("/api/v1/benchmarks?{q}"), &resident).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_and_the_run_lock() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    for (path, field) in [
        (
            "/api/v1/assessments/results?indicator=ipus_drawn_up_30d&period=2026-Q5",
            "period",
        ),
        (
            "/api/v1/benchmarks?indicator=ipus_drawn_up_30d&period=2026-13",
            "period",
        ),
        (
            "/api/v1/benchmarks?indicator=ipus_drawn_up_30d&period=2026&scope=everyone",
            "scope",
        ),
    ] {
        let (s, b) = app.get(path, &org).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {b}");
        assert!(b.to_string().contains(field), "{path}: {b}");
    }
    // An indicator the dictionary does not hold is not there.
    for path in [
        "/api/v1/assessments/results?indicator=nothing_here&period=2026",
        "/api/v1/benchmarks?indicator=nothing_here&period=2026",
    ] {
        let (s, _) = app.get(path, &org).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, b) = app
        .post(
            "/api/v1/assessments/run",
            &org,
            json!({"period": "2026-Q5"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // An empty period: values are null, nothing divides by zero.
    let (s, run) = app
        .post(
            "/api/v1/assessments/run",
            &org,
            json!({"period": "2024-02"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let r = result(&app, &org, "ipus_drawn_up_30d", "2024-02", None).await;
    assert_eq!(
        (r["value"].clone(), r["suppressed"].clone()),
        (Value::Null, json!(false))
    );
    assert_eq!(r["explanation"], "No data for the period.");
    // No body at all: the current year.
    let (s, run) = app
        .call(Method::POST, "/api/v1/assessments/run", Some(&org), None)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    assert_eq!(run["period"], chrono::Utc::now().format("%Y").to_string());

    // The dictionary: computed needs a known formula; codes are unique.
    let (s, b) = app
        .post("/api/v1/indicators", &org, json!({"code": "my_formula", "name": "X", "kind": "quality", "unit": "%", "higher_is_better": true, "source": "computed", "formula": "no_such_formula"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("formula"));
    let (s, b) = app
        .post("/api/v1/indicators", &org, json!({"code": "ipus_drawn_up_30d", "name": "X", "kind": "quality", "unit": "%", "higher_is_better": true, "source": "entered"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = app
        .post("/api/v1/indicators", &org, json!({"code": "waiting_list", "name": "Lista oczekujących", "kind": "efficiency", "unit": "people", "higher_is_better": false, "source": "entered", "target": 10}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/indicators/waiting_list/values",
            &org,
            json!({"municipality": SOCHACZEW, "period": "2025", "value": 14}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["value"], json!(14.0));
    let (s, _) = app
        .post(
            "/api/v1/indicators/waiting_list/values",
            &org,
            json!({"municipality": BRZEZINY, "period": "2025", "value": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/indicators/ipus_drawn_up_30d/values",
            &org,
            json!({"municipality": SOCHACZEW, "period": "2025", "value": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(
            "/api/v1/indicators/nope/values",
            &org,
            json!({"municipality": SOCHACZEW, "period": "2025", "value": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Entered values benchmark like computed ones; above a lower-is-better target.
    let (s, b) = app
        .get(
            "/api/v1/benchmarks?indicator=waiting_list&period=2025",
            &org_b,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let own = b["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_id"] == SOCHACZEW)
        .unwrap()
        .clone();
    assert_eq!(
        (own["value"].clone(), own["below_target"].clone()),
        (json!(14.0), json!(true))
    );
    let (s, b) = app
        .call(
            Method::PATCH,
            "/api/v1/indicators/waiting_list",
            Some(&org),
            Some(json!({"target": null, "name": "Oczekujący"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["target"].clone(), b["name"].clone()),
        (Value::Null, json!("Oczekujący"))
    );
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let (s, _) = app
        .call(
            Method::PATCH,
            "/api/v1/indicators/waiting_list",
            Some(&desk),
            Some(json!({"target": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // While a run of the municipality holds the slot, another gets 409; a
    // slot left by a dead server for longer than stale_run_minutes does not block.
    let mut conn = app.state.pool.get().unwrap();
    let started = (chrono::Utc::now().naive_utc()).format("%Y-%m-%d %H:%M:%S");
    diesel::sql_query(format!(
        "INSERT INTO assessment_runs (id, municipality, period, status, origin, started_at, results) VALUES ('held', '{SOCHACZEW}', '2025', 'running', 'manual', '{started}', 0)"
    ))
    .execute(&mut conn)
    .unwrap();
    let (s, b) = app
        .post("/api/v1/assessments/run", &org, json!({"period": "2025"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, _) = app
        .post("/api/v1/assessments/run", &org_b, json!({"period": "2025"}))
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "another municipality runs meanwhile"
    );
    diesel::sql_query(
        "UPDATE assessment_runs SET started_at = '2020-01-01 00:00:00' WHERE id = 'held'",
    )
    .execute(&mut conn)
    .unwrap();
    let (s, b) = app
        .post("/api/v1/assessments/run", &org, json!({"period": "2025"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, runs) = app.get("/api/v1/assessments", &org).await;
    let held = runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "held")
        .unwrap()
        .clone();
    assert_eq!(held["status"], "failed");
}

#[tokio::test]
async fn corrective_actions_follow_later_runs_and_remind_when_overdue() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    seed(&app, &org.id, &org_b.id);
    for u in [&org, &org_b] {
        app.post("/api/v1/assessments/run", u, json!({"period": "2025"}))
            .await;
    }
    let (s, b) = app
        .get("/api/v1/corrective-actions/suggested?period=2025", &org)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let ipus = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["indicator"] == "ipus_drawn_up_30d")
        .cloned()
        .expect("suggested");
    assert_eq!(ipus["below_average"], true);
    assert_eq!(ipus["value"], json!(80.0));
    assert_eq!(ipus["average"], json!(90.0));
    let (_, theirs) = app
        .get("/api/v1/corrective-actions/suggested?period=2025", &org_b)
        .await;
    assert!(!theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["indicator"] == "ipus_drawn_up_30d"));

    let yesterday = (cus_db::today() - chrono::Duration::days(1)).to_string();
    let soon = (cus_db::today() + chrono::Duration::days(30)).to_string();
    let (s, b) = app
        .post("/api/v1/corrective-actions", &org, json!({"indicator": "ipus_drawn_up_30d", "period": "2025", "plan": "x", "due_date": yesterday}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("due_date"));
    let (s, b) = app
        .post("/api/v1/corrective-actions", &org, json!({"indicator": "ipus_drawn_up_30d", "period": "2025", "plan": "x", "due_date": soon, "meeting_id": "nope"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, action) = app
        .post("/api/v1/corrective-actions", &org, json!({
            "indicator": "ipus_drawn_up_30d", "period": "2025", "due_date": soon,
            "title": "Szybsze IPUS", "plan": "Dyżur koordynatora dwa razy w tygodniu",
            "steps": ["Grafik dyżurów", "Szablon planu"], "owner_id": org.id, "funding": "środki własne",
            "expected_effect": "90% planów w 30 dni"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{action}");
    assert_eq!(action["status"], "open");
    assert_eq!(action["baseline"], json!(80.0));
    assert_eq!(action["improved"], Value::Null);
    let id = action["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .get(&format!("/api/v1/corrective-actions/{id}"), &org_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, suggested) = app
        .get("/api/v1/corrective-actions/suggested?period=2025", &org)
        .await;
    let again = suggested["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["indicator"] == "ipus_drawn_up_30d")
        .unwrap()
        .clone();
    assert_eq!(again["action_id"], id.as_str());

    // The next quarter: six plans, all within 30 days.
    let mut f = Fixture::new(&app);
    for _ in 0..6 {
        f.plan(SOCHACZEW, &org.id, "2026-01-05", Some("2026-01-20"));
    }
    app.post(
        "/api/v1/assessments/run",
        &org,
        json!({"period": "2026-Q1"}),
    )
    .await;
    let (_, a) = app
        .get(&format!("/api/v1/corrective-actions/{id}"), &org)
        .await;
    assert_eq!(a["latest"], json!({"period": "2026-Q1", "value": 100.0}));
    assert_eq!(a["improved"], true);

    // Overdue: the owner is reminded once a day, through the outbox.
    f.sql(&format!(
        "UPDATE corrective_actions SET due_date = '{yesterday}' WHERE id = '{id}'"
    ));
    assert_eq!(app.run_job("corrective-actions"), "reminded 1 owners");
    assert_eq!(app.run_job("corrective-actions"), "reminded 0 owners");
    app.run_job("outbox");
    let mails = app.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("Szybsze IPUS") && mails[0].contains(&org.email),
        "{}",
        mails[0]
    );

    let (s, b) = app
        .post(
            &format!("/api/v1/corrective-actions/{id}/transition"),
            &org,
            json!({"to": "done", "note": "dyżury działają"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["history"].as_array().unwrap().len(), 2);
    let (s, _) = app
        .post(
            &format!("/api/v1/corrective-actions/{id}/transition"),
            &org,
            json!({"to": "in_progress"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(app.run_job("corrective-actions"), "reminded 0 owners");
}

#[tokio::test]
async fn the_scheduled_run_is_claimed_once_by_two_servers() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    seed(&app, &org.id, &org_b.id);
    // A second server on the same database.
    let other = cus::platform::jobs::Runner::new("second-server".into());
    let slot = "2026-01-01T02:00:00Z";
    let first = cus::platform::jobs::run(&app.state, "assessments", slot).unwrap();
    let second = cus::platform::jobs::run_as(&app.state, &other, "assessments", slot).unwrap();
    assert!(first.is_some() && second.is_none(), "{first:?} {second:?}");
    let (_, runs) = app.get("/api/v1/assessments", &org).await;
    let scheduled: Vec<&Value> = runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["origin"] == "scheduled")
        .collect();
    // One run per indicator set of the municipality, each once.
    assert_eq!(scheduled.len(), 2, "{runs}");
    let r = result(&app, &org, "ipus_drawn_up_30d", "2025", None).await;
    assert_eq!(r["value"], json!(80.0));
}

#[tokio::test]
async fn the_pages_show_results_benchmarks_and_actions() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    seed(&app, &org.id, &org_b.id);
    app.post("/api/v1/assessments/run", &org_b, json!({"period": "2025"}))
        .await;
    let browser = Browser::new(&app);
    let csrf = browser.sign_in(&org.email, PASSWORD).await;
    let (s, _) = browser.get("/assessments?lang=en").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = browser
        .post_form(
            "/assessments/run",
            &[("csrf", &csrf), ("period", "2025-Q7")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = browser
        .post_form("/assessments/run", &[("csrf", &csrf), ("period", "2025")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = browser
        .get("/assessments?period=2025&indicator=ipus_drawn_up_30d&lang=en")
        .await;
    assert!(
        page.contains("12 of 15 plans drawn up within 30 days"),
        "{page}"
    );
    let (s, page) = browser
        .get("/benchmarks?indicator=ipus_drawn_up_30d&period=2025&lang=pl")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("poniżej średniej") && page.contains("/benchmarks/chart.svg?"),
        "{page}"
    );
    let (s, svg) = browser
        .get("/benchmarks/chart.svg?indicator=ipus_drawn_up_30d&period=2025")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(svg.contains("<svg"));
    let (s, page) = browser.get("/corrective-actions?period=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("ipus_drawn_up_30d"), "{page}");
    let soon = (cus_db::today() + chrono::Duration::days(30)).to_string();
    let (s, _, _) = browser
        .post_form(
            "/corrective-actions",
            &[
                ("csrf", &csrf),
                ("indicator", "ipus_drawn_up_30d"),
                ("period", "2025"),
                ("plan", "Plan"),
                ("due_date", &soon),
                ("steps", "Jeden\nDwa"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = browser.get("/indicators?lang=en").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("ipus_drawn_up_30d"));
    let (s, _, _) = browser
        .post_form(
            "/indicators/plan_employment/target",
            &[("csrf", &csrf), ("target", "abc")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = browser
        .post_form(
            "/indicators/plan_employment/target",
            &[("csrf", &csrf), ("target", "45,5")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, ind) = app.get("/api/v1/indicators", &org).await;
    let pe = ind["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "plan_employment")
        .unwrap()
        .clone();
    assert_eq!(pe["target"], json!(45.5));
}

/// The assessment's ids are UUIDs, read where they enter: a path (or a
/// benchmark's `group`) that names none is 404 before any lookup.
#[tokio::test]
async fn assessment_paths_that_are_no_uuid_name_nothing() {
    let app = spawn_app().await;
    let org = app.user(Role::Organizer, SOCHACZEW).await;
    for path in [
        "/api/v1/assessments/nieznany",
        "/api/v1/corrective-actions/nieznany",
        "/api/v1/surveys/nieznany",
        "/api/v1/surveys/nieznany/results",
        "/api/v1/benchmark-groups/nieznany",
        "/api/v1/benchmark-rounds/nieznany",
        "/api/v1/benchmarks?indicator=ipus_drawn_up_30d&period=2025&group=nieznany",
    ] {
        let (s, _) = app.get(path, &org).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let page = Browser::new(&app);
    page.sign_in(&org.email, PASSWORD).await;
    for path in [
        "/corrective-actions/nieznany",
        "/surveys/nieznany",
        "/benchmark-groups/nieznany",
    ] {
        let (s, _) = page.get(path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
}
