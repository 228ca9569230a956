//! Benchmarking groups (GWD, issue 8 part 3) over HTTP: a group of three
//! municipalities, profiles, meetings, a round whose values stay private
//! until the coordinator closes it, the comparison, and the pages.

use chrono::Duration;
use cus::assessment::benchmarks::{benchmark, BenchmarkQuery};
use cus_db::schema::assessment_results;
use cus_db::{Actor, DomainError, Role};
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOWICZ: &str = "1008011";
const WARSZAWA: &str = "1465011";

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

/// Two more municipalities: Łowicz joins the group, Warszawa does not.
fn more_municipalities(app: &TestApp) {
    let mut conn = app.state.pool.get().unwrap();
    cus::platform::admin::add_municipality(&mut conn, LOWICZ, "Łowicz").unwrap();
    cus::platform::admin::add_municipality(&mut conn, WARSZAWA, "Warszawa").unwrap();
}

fn actor_of(app: &TestApp, user: &User) -> Actor {
    let mut conn = app.state.pool.get().unwrap();
    cus::platform::auth::session_actor(&mut conn, &user.token, cus::platform::auth::KIND_BEARER)
        .unwrap()
        .expect("a session")
        .0
}

/// A stored result with a row of its own, as an entered value or an
/// earlier build's run leaves it (runs now store sets; both are read).
fn stored_result(app: &TestApp, teryt: &str, indicator: &str, period: &str, centi: i64) {
    let mut conn = app.state.pool.get().unwrap();
    diesel::insert_into(assessment_results::table)
        .values((
            assessment_results::id.eq(cus_db::new_id()),
            assessment_results::municipality.eq(teryt),
            assessment_results::indicator.eq(indicator),
            assessment_results::period.eq(period),
            assessment_results::subject_type.eq("municipality"),
            assessment_results::subject_id.eq(teryt),
            assessment_results::value_centi.eq(Some(centi)),
            assessment_results::suppressed.eq(false),
            assessment_results::inputs.eq("{}"),
            assessment_results::latest.eq(true),
            assessment_results::computed_at.eq(cus_db::now()),
        ))
        .execute(&mut conn)
        .unwrap();
}

fn group_benchmark(
    app: &TestApp,
    actor: &Actor,
    group: &str,
    indicator: &str,
    period: &str,
) -> Result<Value, DomainError> {
    let mut conn = app.state.pool.get().unwrap();
    let q = BenchmarkQuery {
        indicator: indicator.into(),
        period: period.into(),
        scope: None,
        group: Some(group.into()),
        format: None,
    };
    benchmark(&mut conn, actor, &q).map(|b| serde_json::to_value(b).unwrap())
}

fn row<'a>(comparison: &'a Value, subject: &str) -> &'a Value {
    comparison["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_id"] == subject)
        .unwrap_or_else(|| panic!("{subject} in {comparison}"))
}

fn comparison_of<'a>(round: &'a Value, indicator: &str) -> &'a Value {
    round["comparison"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["indicator"] == indicator)
        .unwrap_or_else(|| panic!("{indicator} in {round}"))
}

#[tokio::test]
async fn a_group_compares_its_members_values_once_a_round_closes() {
    let app = spawn_app().await;
    more_municipalities(&app);
    let org_s = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    let org_l = app.user(Role::Organizer, LOWICZ).await;
    let org_w = app.user(Role::Organizer, WARSZAWA).await;
    let desk_s = app.user(Role::Desk, SOCHACZEW).await;
    let desk_w = app.user(Role::Desk, WARSZAWA).await;

    // Creating: members and indicators must exist; only an organizer.
    let body = |members: Value, indicators: Value| json!({"name": "GWD Pomoc społeczna", "members": members, "indicators": indicators});
    let (s, b) = app
        .post(
            "/api/v1/benchmark-groups",
            &org_s,
            body(json!([BRZEZINY, "1234567"]), json!(["plan_employment"])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["members"].is_array(), "{b}");
    let (s, b) = app
        .post(
            "/api/v1/benchmark-groups",
            &org_s,
            body(
                json!([BRZEZINY]),
                json!(["plan_employment", "no_such_code"]),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["indicators"].is_array(), "{b}");
    let (s, b) = app
        .post(
            "/api/v1/benchmark-groups",
            &org_s,
            body(json!([BRZEZINY]), json!([])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["indicators"].is_array(), "{b}");
    let (s, _) = app
        .post(
            "/api/v1/benchmark-groups",
            &desk_s,
            body(json!([BRZEZINY]), json!(["plan_employment"])),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, g) = app
        .post(
            "/api/v1/benchmark-groups",
            &org_s,
            json!({"name": "GWD Pomoc społeczna", "members": [BRZEZINY, LOWICZ],
                   "indicators": ["plan_employment", "request_routing_days", "ipus_drawn_up_30d"],
                   "services": ["UO"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["coordinator"], SOCHACZEW);
    let members: Vec<&str> = (g["members"].as_array().unwrap().iter())
        .map(|m| m["teryt"].as_str().unwrap())
        .collect();
    assert_eq!(members.len(), 3, "{g}");
    for t in [SOCHACZEW, BRZEZINY, LOWICZ] {
        assert!(members.contains(&t), "{t} in {members:?}");
    }
    assert_eq!(g["services"], json!(["UO"]));
    assert!(g["members"][0]["profile"]["text"].is_string(), "{g}");

    // Lists: the member's groups; none for a non-member.
    let (s, l) = app.get("/api/v1/benchmark-groups", &org_b).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["total"], 1, "{l}");
    assert_eq!(l["items"][0]["id"], gid.as_str());
    let (_, l) = app.get("/api/v1/benchmark-groups", &org_w).await;
    assert_eq!(l["total"], 0, "{l}");
    let (s, _) = app
        .get(&format!("/api/v1/benchmark-groups/{gid}"), &desk_s)
        .await;
    assert_eq!(s, StatusCode::OK, "a member's staff reads");

    // Profiles: each member's organizer, its own municipality.
    let (s, p) = app
        .call(
            Method::PUT,
            &format!("/api/v1/benchmark-groups/{gid}/profile"),
            Some(&org_b),
            Some(json!({"population": 12000, "text": "Miasto powiatowe, starzejąca się ludność, bezrobocie 9%."})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let brzeziny = (p["members"].as_array().unwrap().iter())
        .find(|m| m["teryt"] == BRZEZINY)
        .unwrap();
    assert_eq!(brzeziny["profile"]["population"], 12000);
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/benchmark-groups/{gid}/profile"),
            Some(&org_l),
            Some(json!({"population": 20_000_000, "text": ""})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["population"].is_array(), "{b}");
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/benchmark-groups/{gid}/profile"),
            Some(&desk_s),
            Some(json!({"population": 37000, "text": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Meetings: the coordinator records any host's; a host its own.
    let meeting = |date: String, host: &str, next: Option<&str>| {
        json!({"date": date, "host": host, "agenda": "Prezentacja ośrodków; wybór usług do analizy.",
               "lead_topics": ["Usługi opiekuńcze w Brzezinach"],
               "good_practices": ["Kontrakt socjalny z monitoringiem co pół roku"],
               "decisions": "Propozycje wskaźników do następnego spotkania.",
               "next_host": next, "attendance": [SOCHACZEW, BRZEZINY, LOWICZ]})
    };
    let meetings = format!("/api/v1/benchmark-groups/{gid}/meetings");
    let (s, b) = app
        .post(&meetings, &org_s, meeting(day(-30), WARSZAWA, None))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["host"].is_array(), "{b}");
    let (s, b) = app
        .post(
            &meetings,
            &org_s,
            meeting(day(-30), BRZEZINY, Some(WARSZAWA)),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["next_host"].is_array(), "{b}");
    let (s, m1) = app
        .post(&meetings, &org_s, meeting(day(-30), BRZEZINY, Some(LOWICZ)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m1}");
    assert_eq!(m1["host"], BRZEZINY);
    assert_eq!(m1["next_host"], LOWICZ);
    let (s, _) = app
        .post(&meetings, &org_l, meeting(day(-2), BRZEZINY, None))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "neither coordinator nor host");
    let (s, m2) = app
        .post(&meetings, &org_l, meeting(day(-2), LOWICZ, Some(SOCHACZEW)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m2}");
    let (_, g) = app
        .get(&format!("/api/v1/benchmark-groups/{gid}"), &org_l)
        .await;
    let hosts: Vec<&str> = (g["meetings"].as_array().unwrap().iter())
        .map(|m| m["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, [BRZEZINY, LOWICZ], "a timeline, oldest first");
    assert_eq!(
        g["meetings"][0]["good_practices"][0],
        "Kontrakt socjalny z monitoringiem co pół roku"
    );

    // Rounds: the coordinator opens one; the indicators are the group's.
    let rounds = format!("/api/v1/benchmark-groups/{gid}/rounds");
    let round = |period: &str, deadline: String, indicators: Value| json!({"period": period, "deadline": deadline, "indicators": indicators});
    let two = json!(["plan_employment", "request_routing_days"]);
    let (s, _) = app
        .post(&rounds, &org_b, round("2025", day(14), two.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member, not the coordinator");
    for (bad, field) in [
        (round("2025-Q5", day(14), two.clone()), "period"),
        (round("2025", day(-1), two.clone()), "deadline"),
        (round("2025", day(14), json!(["recipients"])), "indicators"),
    ] {
        let (s, b) = app.post(&rounds, &org_s, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b["fields"][field].is_array(), "{field}: {b}");
    }
    let (s, r) = app
        .post(&rounds, &org_s, round("2025", day(14), two.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "open");
    assert_eq!(r["indicators"], two);
    let rid = r["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(&rounds, &org_s, round("2025", day(14), two.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one open round a period");

    // Values, each member its own; an upsert; null is no data; omitted is
    // the stored result.
    let values = format!("/api/v1/benchmark-rounds/{rid}/values");
    let send = |indicator: &str, value: Value| json!({"indicator": indicator, "value": value});
    for (user, indicator, value) in [
        (&org_s, "plan_employment", json!(40)),
        (&org_b, "plan_employment", json!(55)),
        (&org_b, "plan_employment", json!(60)),
        (&org_l, "plan_employment", json!(50)),
        (&org_s, "request_routing_days", json!(3.5)),
        (&org_b, "request_routing_days", Value::Null),
    ] {
        let (s, b) = app.post(&values, user, send(indicator, value)).await;
        assert_eq!(s, StatusCode::OK, "{indicator}: {b}");
    }
    let (s, b) = app
        .post(
            &values,
            &org_l,
            json!({"indicator": "request_routing_days"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no stored result yet: {b}"
    );
    assert!(b["fields"]["value"].is_array(), "{b}");
    stored_result(&app, LOWICZ, "request_routing_days", "2025", 425);
    let (s, b) = app
        .post(
            &values,
            &org_l,
            json!({"indicator": "request_routing_days"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["own"]["request_routing_days"], 4.25, "{b}");
    let (s, b) = app
        .post(&values, &org_s, send("ipus_drawn_up_30d", json!(80)))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside the round: {b}"
    );
    assert!(b["fields"]["indicator"].is_array(), "{b}");
    let (s, b) = app
        .post(&values, &org_s, send("plan_employment", json!(120)))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a share over 100: {b}");
    let (s, _) = app
        .post(&values, &desk_s, send("plan_employment", json!(10)))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // While open, each member sees its own values only.
    let round_url = format!("/api/v1/benchmark-rounds/{rid}");
    let (s, own_s) = app.get(&round_url, &org_s).await;
    assert_eq!(s, StatusCode::OK, "{own_s}");
    assert_eq!(own_s["status"], "open");
    assert_eq!(
        own_s["own"],
        json!({"plan_employment": 40.0, "request_routing_days": 3.5})
    );
    assert!(own_s.get("comparison").is_none(), "{own_s}");
    let mut submitted: Vec<&str> = (own_s["submitted"].as_array().unwrap().iter())
        .map(|t| t.as_str().unwrap())
        .collect();
    submitted.sort();
    assert_eq!(submitted, [LOWICZ, BRZEZINY, SOCHACZEW]);
    let text = own_s.to_string();
    for other in ["60.0", "4.25", "50.0", "\"value\""] {
        assert!(!text.contains(other), "{other} leaks: {text}");
    }
    let (_, own_b) = app.get(&round_url, &org_b).await;
    assert_eq!(
        own_b["own"],
        json!({"plan_employment": 60.0, "request_routing_days": null})
    );
    assert!(!own_b.to_string().contains("40.0"), "{own_b}");
    // The group's benchmark stays empty until a round closes.
    let actor_b = actor_of(&app, &org_b);
    let before = group_benchmark(&app, &actor_b, &gid, "plan_employment", "2025").unwrap();
    assert_eq!(before["count"], 0, "{before}");
    assert!(before["values"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["value"].is_null()));
    assert_eq!(before["values"].as_array().unwrap().len(), 3);

    // Closing: the coordinator only, once.
    let close = format!("/api/v1/benchmark-rounds/{rid}/close");
    let (s, _) = app.post(&close, &org_b, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post(&close, &desk_s, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, closed) = app.post(&close, &org_s, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    let (s, _) = app.post(&close, &org_s, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "closed twice");
    let (s, _) = app
        .post(&values, &org_b, send("plan_employment", json!(70)))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a value after the close");

    // The comparison, by hand. plan_employment (higher is better): 40, 60,
    // 50 → average 50, median 50; Brzeziny 1st, Łowicz 2nd, Sochaczew 3rd
    // and below the average (Łowicz at the average is not).
    let (s, r) = app.get(&round_url, &org_l).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "closed");
    let pe = comparison_of(&r, "plan_employment");
    assert_eq!(pe["average"], 50.0, "{pe}");
    assert_eq!(pe["median"], 50.0, "{pe}");
    assert_eq!(pe["count"], 3);
    for (teryt, value, position, below) in [
        (BRZEZINY, 60.0, 1, false),
        (LOWICZ, 50.0, 2, false),
        (SOCHACZEW, 40.0, 3, true),
    ] {
        let x = row(pe, teryt);
        assert_eq!(x["value"], value, "{x}");
        assert_eq!(x["position"], position, "{x}");
        assert_eq!(x["below_average"], below, "{x}");
        assert_eq!(x["below_target"], false, "{x}");
    }
    assert_eq!(pe["values"][0]["subject_id"], BRZEZINY, "best first");
    // request_routing_days (lower is better): 3.5 and 4.25, Brzeziny none →
    // average and median 3.875 → 3.88; Sochaczew 1st, Łowicz 2nd and below
    // the average; Brzeziny has no position.
    let rd = comparison_of(&r, "request_routing_days");
    assert_eq!(rd["average"], 3.88, "{rd}");
    assert_eq!(rd["median"], 3.88, "{rd}");
    assert_eq!(rd["count"], 2);
    assert_eq!(row(rd, SOCHACZEW)["position"], 1);
    assert_eq!(row(rd, SOCHACZEW)["below_average"], false);
    assert_eq!(row(rd, LOWICZ)["position"], 2);
    assert_eq!(row(rd, LOWICZ)["below_average"], true);
    assert!(row(rd, BRZEZINY)["position"].is_null());
    assert!(row(rd, BRZEZINY)["value"].is_null());

    // /benchmarks?group= reads the same values.
    let after = group_benchmark(&app, &actor_b, &gid, "plan_employment", "2025").unwrap();
    assert_eq!(after["average"], 50.0, "{after}");
    assert_eq!(after["median"], 50.0, "{after}");
    assert_eq!(after["values"], pe["values"], "{after}");
    let other_period = group_benchmark(&app, &actor_b, &gid, "plan_employment", "2024").unwrap();
    assert_eq!(other_period["count"], 0, "no closed round of 2024");
    let outsider = actor_of(&app, &org_w);
    assert!(matches!(
        group_benchmark(&app, &outsider, &gid, "plan_employment", "2025"),
        Err(DomainError::NotFound)
    ));
    let bench = format!("/api/v1/benchmarks?indicator=plan_employment&period=2025&group={gid}");
    let (probe, _) = app.get("/api/v1/benchmarks", &org_b).await;
    if probe != StatusCode::NOT_FOUND {
        // The route is mounted (results part of issue 8).
        let (s, b) = app.get(&bench, &org_b).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["average"], 50.0, "{b}");
        assert_eq!(b["values"], pe["values"], "{b}");
        let (s, _) = app.get(&bench, &org_w).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    // What the corrective actions read.
    {
        let mut conn = app.state.pool.get().unwrap();
        let group = cus::assessment::groups::GroupId::parse(&gid).unwrap();
        let of_l = cus::assessment::groups::groups_of(&mut conn, LOWICZ).unwrap();
        assert_eq!(of_l, [(group.clone(), "GWD Pomoc społeczna".to_string())]);
        assert!(cus::assessment::groups::groups_of(&mut conn, WARSZAWA)
            .unwrap()
            .is_empty());
        let m1 = m1["id"].as_str().unwrap();
        assert_eq!(
            cus::assessment::groups::meeting_in_group(&mut conn, m1, BRZEZINY).unwrap(),
            Some(group)
        );
        assert_eq!(
            cus::assessment::groups::meeting_in_group(&mut conn, m1, WARSZAWA).unwrap(),
            None
        );
    }

    // A non-member municipality's staff get 404 on every route.
    for user in [&org_w, &desk_w] {
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/benchmark-groups/{gid}"), None),
            (
                Method::PUT,
                format!("/api/v1/benchmark-groups/{gid}/profile"),
                Some(json!({"population": 1, "text": "x"})),
            ),
            (
                Method::POST,
                meetings.clone(),
                Some(meeting(day(0), WARSZAWA, None)),
            ),
            (
                Method::POST,
                rounds.clone(),
                Some(round("2026", day(3), two.clone())),
            ),
            (Method::GET, round_url.clone(), None),
            (
                Method::POST,
                values.clone(),
                Some(send("plan_employment", json!(1))),
            ),
            (Method::POST, close.clone(), Some(json!({}))),
        ] {
            let (s, b) = app.call(method.clone(), &path, Some(user), body).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {b}");
        }
    }
}

#[tokio::test]
async fn group_pages_render_for_members_and_404_for_others() {
    let app = spawn_app().await;
    more_municipalities(&app);
    let org_s = app.user(Role::Organizer, SOCHACZEW).await;
    let org_b = app.user(Role::Organizer, BRZEZINY).await;
    let org_w = app.user(Role::Organizer, WARSZAWA).await;

    let browser = Browser::new(&app);
    let csrf = browser.sign_in(&org_s.email, PASSWORD).await;
    let (s, page) = browser.get("/benchmark-groups").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Grupy wymiany doświadczeń"), "{page}");
    assert!(page.contains("name=\"member-1021011\""), "{page}");
    // A refusal shows the form again with the reasons (no indicator ticked).
    let (s, page, _) = browser
        .post_form(
            "/benchmark-groups",
            &[("csrf", &csrf), ("name", "GWD"), ("member-1021011", "on")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(
        page.contains("name=\"member-1021011\" checked"),
        "ticked stays ticked"
    );
    let (s, _, location) = browser
        .post_form(
            "/benchmark-groups",
            &[
                ("csrf", &csrf),
                ("name", "GWD Sochaczew–Brzeziny"),
                ("member-1021011", "on"),
                ("indicator-plan_employment", "on"),
                ("indicator-request_routing_days", "on"),
                ("services", "UO, DDP"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let gid = location
        .trim_start_matches("/benchmark-groups/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let group = format!("/benchmark-groups/{gid}");

    // Profile, meeting and round through the forms.
    let (s, _, _) = browser
        .post_form(
            &format!("{group}/profile"),
            &[
                ("csrf", &csrf),
                ("population", "37 000"),
                ("text", "Miasto nad Bzurą."),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = browser
        .post_form(
            &format!("{group}/meetings"),
            &[
                ("csrf", &csrf),
                ("date", &day(-7)),
                ("host", BRZEZINY),
                ("agenda", "Wybór wskaźników."),
                (
                    "lead_topics",
                    "Usługi opiekuńcze\nKlub Integracji Społecznej",
                ),
                ("good_practices", "Standard usług opiekuńczych"),
                ("decisions", "Wyniki na następne spotkanie."),
                ("next_host", SOCHACZEW),
                ("att-1428011", "on"),
                ("att-1021011", "on"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page, _) = browser
        .post_form(
            &format!("{group}/rounds"),
            &[
                ("csrf", &csrf),
                ("period", "2025-Q5"),
                ("deadline", &day(10)),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, _, _) = browser
        .post_form(
            &format!("{group}/rounds"),
            &[("csrf", &csrf), ("period", "2025"), ("deadline", &day(10))],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, g) = app
        .get(&format!("/api/v1/benchmark-groups/{gid}"), &org_s)
        .await;
    let rid = g["rounds"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        g["rounds"][0]["indicators"].as_array().unwrap().len(),
        2,
        "{g}"
    );

    // Values: the page's decimal comma; a bad number is refused beside its field.
    let (s, page, _) = browser
        .post_form(
            &format!("/benchmark-rounds/{rid}/values"),
            &[("csrf", &csrf), ("value-plan_employment", "dużo")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    let (s, _, _) = browser
        .post_form(
            &format!("/benchmark-rounds/{rid}/values"),
            &[
                ("csrf", &csrf),
                ("value-plan_employment", "47,5"),
                ("none-request_routing_days", "on"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, b) = app
        .post(
            &format!("/api/v1/benchmark-rounds/{rid}/values"),
            &org_b,
            json!({"indicator": "plan_employment", "value": 52.5}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, page) = browser.get(&group).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("GWD Sochaczew–Brzeziny"));
    assert!(page.contains("Miasto nad Bzurą."), "the profile");
    assert!(page.contains("Klub Integracji Społecznej"), "the timeline");
    assert!(page.contains("47,5"), "own value");
    assert!(!page.contains("52,5"), "another member's value while open");
    assert!(page.contains(&format!("action=\"/benchmark-rounds/{rid}/values\"")));
    assert!(page.contains(&format!("action=\"/benchmark-rounds/{rid}/close\"")));
    assert!(page.contains(&format!("action=\"{group}/rounds\"")));
    let member = Browser::new(&app);
    member.sign_in(&org_b.email, PASSWORD).await;
    let (_, page_b) = member.get(&group).await;
    assert!(page_b.contains(&format!("action=\"/benchmark-rounds/{rid}/values\"")));
    assert!(
        !page_b.contains(&format!("action=\"/benchmark-rounds/{rid}/close\"")),
        "only the coordinator closes"
    );
    assert!(
        page_b.contains("52,5") && !page_b.contains("47,5"),
        "its own value only"
    );
    let (s, _, _) = browser
        .post_form(
            &format!("/benchmark-rounds/{rid}/close"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = browser.get(&group).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("52,5") && page.contains("47,5"),
        "the comparison"
    );
    assert!(
        page.contains("Średnia") && page.contains("Mediana"),
        "{page}"
    );
    assert!(page.contains("50"), "average 50");
    assert!(
        page.contains(&format!(
            "/benchmarks?indicator=plan_employment&amp;period=2025&amp;group={gid}"
        )),
        "{page}"
    );
    let (s, page) = browser.get(&format!("{group}?lang=en")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Benchmarking group") && page.contains("Below average"));
    let (s, _, _) = browser
        .post_form(
            &format!("/benchmark-rounds/{rid}/close"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "closed twice");
    // Without the session's token, no form is taken.
    let (s, _, _) = browser
        .post_form(&format!("{group}/profile"), &[("population", "1")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The other member reads the page; a non-member gets 404 on every page.
    let (s, page) = member.get(&group).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("47,5"));
    let outsider = Browser::new(&app);
    let csrf_w = outsider.sign_in(&org_w.email, PASSWORD).await;
    let (s, page) = outsider.get("/benchmark-groups").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains(&gid), "no foreign group listed");
    let (s, _) = outsider.get(&group).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for path in [
        format!("{group}/profile"),
        format!("{group}/meetings"),
        format!("{group}/rounds"),
        format!("/benchmark-rounds/{rid}/values"),
        format!("/benchmark-rounds/{rid}/stored"),
        format!("/benchmark-rounds/{rid}/close"),
    ] {
        let (s, _, _) = outsider
            .post_form(
                &path,
                &[
                    ("csrf", &csrf_w),
                    ("population", "1"),
                    ("date", &day(0)),
                    ("host", WARSZAWA),
                    ("agenda", "x"),
                    ("period", "2026"),
                    ("deadline", &day(3)),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
}
