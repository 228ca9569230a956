//! Social work (issue 25) over HTTP: household rules, every message kind in
//! both directions, the referral lifecycle with the case's assignment,
//! social contracts, the caseload against the norm, the indicators against
//! hand-counted fixtures, the corrected diagnosis, and the pages a social
//! worker uses.

use chrono::{Datelike, Duration};
use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Today in Warsaw, as the server counts it.
fn today() -> chrono::NaiveDate {
    cus::dashboard::today()
}

async fn put(app: &TestApp, path: &str, user: &User, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(user), Some(body)).await
}

async fn household(app: &TestApp, user: &User, members: &[(&str, &str)]) -> (StatusCode, Value) {
    let members: Vec<Value> = members
        .iter()
        .map(|(r, rel)| json!({"resident_id": r, "relation": rel}))
        .collect();
    app.post("/api/v1/households", user, json!({"members": members}))
        .await
}

/// A request of `resident` filed at the desk; its id.
async fn request_of(app: &TestApp, desk: &User, resident: &str) -> String {
    let (s, b) = app
        .post(
            "/api/v1/requests",
            desk,
            json!({"resident_id": resident, "description": "Pomoc", "channel": "desk"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

/// A referral of a new request of `resident`, sent by `benefits`.
async fn referral_of(
    app: &TestApp,
    desk: &User,
    benefits: &User,
    resident: &str,
) -> (String, Value) {
    let request = request_of(app, desk, resident).await;
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{request}/messages"),
            benefits,
            json!({"kind": "referral", "text": "Proszę ustalić możliwości klienta."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["referral"]["status"], "sent", "{b}");
    (request, b["referral"].clone())
}

fn contract_body(resident: &str) -> Value {
    let start = today();
    let end = start + Duration::days(90);
    json!({
        "resident_id": resident,
        "goals": ["Podjęcie zatrudnienia", "Uregulowanie zadłużenia"],
        "client_commitments": [
            {"text": "Rejestracja w urzędzie pracy", "due": (start + Duration::days(7)).to_string()},
            {"text": "Udział w warsztatach", "due": (start + Duration::days(30)).to_string()},
        ],
        "worker_commitments": [
            {"text": "Pomoc w napisaniu CV", "due": (start + Duration::days(14)).to_string()},
        ],
        "start_date": start.to_string(),
        "end_date": end.to_string(),
    })
}

async fn contract(app: &TestApp, worker: &User, resident: &str) -> String {
    let (s, b) = app
        .post("/api/v1/social-contracts", worker, contract_body(resident))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "active");
    b["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_household_has_one_head_and_a_resident_lives_in_one() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let other_desk = app.user(Role::Desk, BRZEZINY).await;
    let a = app.resident(&desk, &pesel(1)).await;
    let b = app.resident(&desk, &pesel(2)).await;
    let c = app.resident(&desk, &pesel(3)).await;
    let stranger = app.resident(&other_desk, &pesel(4)).await;

    // Two heads, none, one twice, an unknown relation, another municipality's resident.
    for (members, why) in [
        (
            vec![(a.as_str(), "head"), (b.as_str(), "head")],
            "two heads",
        ),
        (
            vec![(a.as_str(), "spouse"), (b.as_str(), "child")],
            "no head",
        ),
        (vec![(a.as_str(), "head"), (a.as_str(), "child")], "twice"),
        (
            vec![(a.as_str(), "head"), (b.as_str(), "cousin")],
            "relation",
        ),
        (
            vec![(a.as_str(), "head"), (stranger.as_str(), "child")],
            "stranger",
        ),
        (vec![], "empty"),
    ] {
        let (s, body) = household(&app, &desk, &members).await;
        let message = refusal(s, &body, "members");
        assert!(!message.is_empty(), "{why}");
    }
    let (s, body) = app
        .post(
            "/api/v1/households",
            &desk,
            json!({"members": [{"resident_id": a, "relation": "head"}], "district_id": "nope"}),
        )
        .await;
    refusal(s, &body, "district_id");

    let (s, h) = household(&app, &desk, &[(&a, "head"), (&b, "spouse")]).await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let id = h["id"].as_str().unwrap().to_string();
    assert_eq!(h["members"].as_array().unwrap().len(), 2);
    let (_, record) = app.get(&format!("/api/v1/residents/{a}"), &desk).await;
    assert_eq!(record["household_id"], id.as_str());
    let (_, record) = app.get(&format!("/api/v1/residents/{c}"), &desk).await;
    assert_eq!(record["household_id"], Value::Null);

    // A resident in two households: 409, and nothing of the second saved.
    let (s, body) = household(&app, &worker, &[(&c, "head"), (&b, "child")]).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (_, record) = app.get(&format!("/api/v1/residents/{c}"), &desk).await;
    assert_eq!(record["household_id"], Value::Null);

    // Replacing the members: b leaves, c joins; the same rules.
    let path = format!("/api/v1/households/{id}/members");
    let (s, body) = put(
        &app,
        &path,
        &worker,
        json!({"members": [{"resident_id": a, "relation": "child"}]}),
    )
    .await;
    refusal(s, &body, "members");
    let (s, h) = put(
        &app,
        &path,
        &worker,
        json!({"members": [{"resident_id": a, "relation": "head"}, {"resident_id": c, "relation": "partner"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let ids: Vec<&str> = h["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["resident_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&a.as_str()) && ids.contains(&c.as_str()) && !ids.contains(&b.as_str()));
    let (s, h2) = household(&app, &desk, &[(&b, "head")]).await;
    assert_eq!(s, StatusCode::CREATED, "b is free again: {h2}");

    // Who reads it: the case roles of the municipality; never an NGO or another municipality.
    let (s, _) = app
        .get(&format!("/api/v1/households/{id}"), &benefits)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(&format!("/api/v1/households/{id}"), &ngo).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(&format!("/api/v1/households/{id}"), &other_desk)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = put(
        &app,
        &path,
        &benefits,
        json!({"members": [{"resident_id": a, "relation": "head"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = household(&app, &ngo, &[(&c, "head")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Reads are audited.
    let audited = app.with_db(|c| {
        use cus_db::schema::audit_log;
        use diesel::prelude::*;
        audit_log::table
            .filter(audit_log::action.eq("household.read"))
            .filter(audit_log::subject_id.eq(&id))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    });
    assert!(audited >= 1);
}

#[tokio::test]
async fn every_message_kind_goes_one_way() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let resident = app.resident(&desk, &pesel(10)).await;
    let request = request_of(&app, &desk, &resident).await;
    let path = format!("/api/v1/requests/{request}/messages");
    let from_worker = [
        "opinion",
        "non_appearance",
        "refusal",
        "situation_change",
        "waste_suspected",
        "cooperation_started",
        "cooperation_progress",
        "benefit_needed",
        "additional_benefit_opinion",
        "purpose_allowance_opinion",
    ];
    for kind in from_worker {
        let (s, b) = app
            .post(&path, &worker, json!({"kind": kind, "text": "Treść"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{kind}: {b}");
        assert_eq!(b["to_role"], "benefits");
        assert!(b.get("referral").is_none(), "{b}");
        let (s, b) = app
            .post(&path, &benefits, json!({"kind": kind, "text": "Treść"}))
            .await;
        refusal(s, &b, "kind");
    }
    let (s, b) = app
        .post(&path, &worker, json!({"kind": "referral", "text": "Treść"}))
        .await;
    refusal(s, &b, "kind");
    let (s, b) = app
        .post(
            &path,
            &benefits,
            json!({"kind": "referral", "text": "Treść"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["to_role"], "social_worker");
    assert_eq!(b["referral"]["suggested_to"], Value::Null);
    let (s, b) = app
        .post(&path, &benefits, json!({"kind": "gossip", "text": "Treść"}))
        .await;
    refusal(s, &b, "kind");
    // The desk sends none.
    let (s, _) = app
        .post(&path, &desk, json!({"kind": "opinion", "text": "Treść"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Each role sees the eleven messages meant for it; the desk none.
    let (_, r) = app
        .get(&format!("/api/v1/requests/{request}"), &worker)
        .await;
    assert_eq!(r["messages"].as_array().unwrap().len(), 11, "{r}");
    let (_, r) = app
        .get(&format!("/api/v1/requests/{request}"), &benefits)
        .await;
    assert_eq!(r["messages"].as_array().unwrap().len(), 11);
    let (_, r) = app.get(&format!("/api/v1/requests/{request}"), &desk).await;
    assert_eq!(r["messages"], json!([]));
}

#[tokio::test]
async fn a_referral_hands_the_case_over_and_moves_once() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let busy = app.user(Role::SocialWorker, SOCHACZEW).await;
    let free = app.user(Role::SocialWorker, SOCHACZEW).await;
    let other_worker = app.user(Role::SocialWorker, BRZEZINY).await;

    // A district served by the busy worker first, then the free one.
    let (s, b) = app
        .post(
            "/api/v1/districts",
            &organizer,
            json!({"name": "Rejon 1", "social_worker_ids": [busy.id, free.id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let district = b["id"].as_str().unwrap().to_string();
    let (s, b) = app
        .post(
            "/api/v1/districts",
            &organizer,
            json!({"name": "Rejon 1", "social_worker_ids": []}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/districts",
            &organizer,
            json!({"name": "Rejon 2", "social_worker_ids": [other_worker.id]}),
        )
        .await;
    refusal(s, &b, "social_worker_ids");

    let client = app.resident(&desk, &pesel(20)).await;
    let (s, h) = app
        .post(
            "/api/v1/households",
            &desk,
            json!({"members": [{"resident_id": client, "relation": "head"}], "district_id": district}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    // The busy worker has one household already: the free one is suggested.
    let someone = app.resident(&desk, &pesel(21)).await;
    contract(&app, &busy, &someone).await;
    let (request, referral) = referral_of(&app, &desk, &benefits, &client).await;
    assert_eq!(referral["suggested_to"], free.id.as_str(), "{referral}");
    let id = referral["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/referrals/{id}/transition");

    // Only a social worker of the municipality moves it.
    let (s, _) = app.post(&path, &benefits, json!({"to": "accepted"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(&path, &other_worker, json!({"to": "accepted"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = app
        .post(
            &path,
            &free,
            json!({"to": "done", "outcome": "success", "delivered": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "done before accepted: {b}");
    let (s, b) = app.post(&path, &free, json!({"to": "sideways"})).await;
    refusal(s, &b, "to");

    let (s, r) = app.post(&path, &free, json!({"to": "accepted"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "accepted");
    assert_eq!(r["accepted_by"], free.id.as_str());
    // Moved twice: 409.
    let (s, _) = app.post(&path, &busy, json!({"to": "accepted"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(&path, &busy, json!({"to": "declined", "reason": "Nie"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The case is the worker's now, on their list.
    let (_, case) = app.get(&format!("/api/v1/requests/{request}"), &free).await;
    assert_eq!(case["assigned_to"], free.id.as_str());
    assert_eq!(case["assigned_role"], "social_worker");
    let (_, mine) = app.get("/api/v1/requests?mine=true", &free).await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["id"], request.as_str());
    let (_, theirs) = app.get("/api/v1/requests?mine=true", &busy).await;
    assert_eq!(theirs["total"], 0);

    // Done needs an outcome and whether the service was delivered; a
    // reason unless it succeeded.
    let (s, b) = app.post(&path, &free, json!({"to": "done"})).await;
    refusal(s, &b, "outcome");
    refusal(s, &b, "delivered");
    let (s, b) = app
        .post(
            &path,
            &free,
            json!({"to": "done", "outcome": "client_refused", "delivered": false}),
        )
        .await;
    refusal(s, &b, "reason");
    let (s, b) = app
        .post(
            &path,
            &free,
            json!({"to": "done", "outcome": "maybe", "delivered": false}),
        )
        .await;
    refusal(s, &b, "outcome");
    let (s, r) = app
        .post(&path, &free, json!({"to": "done", "outcome": "client_refused", "delivered": false, "reason": "Klient odmówił współpracy."}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "done");
    assert_eq!(r["outcome"], "client_refused");
    assert_eq!(r["delivered"], false);
    let history: Vec<&str> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["sent", "accepted", "done"]);
    let (s, _) = app
        .post(&path, &free, json!({"to": "declined", "reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A second referral, declined with a reason (required).
    let (_, second) = referral_of(&app, &desk, &benefits, &someone).await;
    let second_path = format!(
        "/api/v1/referrals/{}/transition",
        second["id"].as_str().unwrap()
    );
    assert_eq!(
        second["suggested_to"],
        Value::Null,
        "no household, no district"
    );
    let (s, b) = app
        .post(&second_path, &busy, json!({"to": "declined"}))
        .await;
    refusal(s, &b, "reason");
    let (s, b) = app
        .post(
            &second_path,
            &busy,
            json!({"to": "declined", "reason": "Poza rejonem."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The benefits officer sees where each stands.
    let (s, list) = app.get("/api/v1/referrals", &benefits).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 2);
    let (_, done) = app.get("/api/v1/referrals?status=done", &organizer).await;
    assert_eq!(done["total"], 1);
    assert_eq!(done["items"][0]["accepted_by"], free.id.as_str());
    let (s, b) = app.get("/api/v1/referrals?status=lost", &benefits).await;
    refusal(s, &b, "status");
    let (s, _) = app
        .get(&format!("/api/v1/referrals/{id}"), &other_worker)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/api/v1/referrals", &desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_social_contract_keeps_its_commitments_and_ends_with_a_reason() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let other_worker = app.user(Role::SocialWorker, BRZEZINY).await;
    let resident = app.resident(&desk, &pesel(30)).await;

    // Bad input: dates backwards, a commitment outside the contract, no goals, no client commitments.
    let mut body = contract_body(&resident);
    body["end_date"] = json!((today() - Duration::days(1)).to_string());
    let (s, b) = app.post("/api/v1/social-contracts", &worker, body).await;
    refusal(s, &b, "end_date");
    let mut body = contract_body(&resident);
    body["client_commitments"][0]["due"] = json!((today() + Duration::days(400)).to_string());
    body["goals"] = json!(["  "]);
    let (s, b) = app.post("/api/v1/social-contracts", &worker, body).await;
    refusal(s, &b, "client_commitments");
    refusal(s, &b, "goals");
    let mut body = contract_body(&resident);
    body["client_commitments"] = json!([]);
    body["resident_id"] = json!("0191f0e4-0000-7000-8000-000000000000");
    let (s, b) = app.post("/api/v1/social-contracts", &worker, body).await;
    refusal(s, &b, "client_commitments");
    refusal(s, &b, "resident_id");
    let (s, _) = app
        .post(
            "/api/v1/social-contracts",
            &benefits,
            contract_body(&resident),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let id = contract(&app, &worker, &resident).await;
    let (s, c) = app
        .get(&format!("/api/v1/social-contracts/{id}"), &benefits)
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["client_commitments"].as_array().unwrap().len(), 2);
    assert_eq!(c["worker_commitments"][0]["position"], 2);
    assert_eq!(c["worker_commitments"][0]["done"], false);
    for who in [&coordinator, &other_worker] {
        let (s, _) = app
            .get(&format!("/api/v1/social-contracts/{id}"), who)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    // Ticking off: the worker's own commitment (position 2), then out of range.
    let (s, c) = app
        .post(
            &format!("/api/v1/social-contracts/{id}/commitments/2"),
            &worker,
            json!({"done": true, "note": "CV gotowe"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["worker_commitments"][0]["done"], true);
    assert_eq!(c["worker_commitments"][0]["note"], "CV gotowe");
    assert!(c["worker_commitments"][0]["done_at"].is_string());
    for n in ["3", "-1", "99999999999"] {
        let (s, _) = app
            .post(
                &format!("/api/v1/social-contracts/{id}/commitments/{n}"),
                &worker,
                json!({"done": true, "note": ""}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{n}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/social-contracts/{id}/commitments/0"),
            &benefits,
            json!({"done": true, "note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Ending: a reason for broken; then it is over (409 for everything).
    let path = format!("/api/v1/social-contracts/{id}/transition");
    let (s, b) = app.post(&path, &worker, json!({"to": "broken"})).await;
    refusal(s, &b, "reason");
    let (s, b) = app.post(&path, &worker, json!({"to": "active"})).await;
    refusal(s, &b, "to");
    let (s, c) = app
        .post(
            &path,
            &worker,
            json!({"to": "broken", "reason": "Klient przestał się zgłaszać."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "broken");
    assert_eq!(c["ended_on"], today().to_string());
    let (s, _) = app.post(&path, &worker, json!({"to": "completed"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(
            &format!("/api/v1/social-contracts/{id}/commitments/0"),
            &worker,
            json!({"done": true, "note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (_, list) = app
        .get(
            &format!("/api/v1/social-contracts?resident_id={resident}"),
            &benefits,
        )
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "broken");
    let (_, list) = app
        .get("/api/v1/social-contracts?status=active", &worker)
        .await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn the_caseload_counts_households_against_the_norm() {
    let app = spawn_with(|c| c.rules.households_per_worker = 1).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let heavy = app.user(Role::SocialWorker, SOCHACZEW).await;
    let light = app.user(Role::SocialWorker, SOCHACZEW).await;
    let parent = app.resident(&desk, &pesel(40)).await;
    let child = app.resident(&desk, &pesel(41)).await;
    let grandparent = app.resident(&desk, &pesel(42)).await;
    let single = app.resident(&desk, &pesel(43)).await;
    let (s, _) = household(
        &app,
        &desk,
        &[
            (&parent, "head"),
            (&child, "child"),
            (&grandparent, "parent"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    // Two contracts with one family count once; a single person is a family of one.
    contract(&app, &heavy, &parent).await;
    contract(&app, &heavy, &child).await;
    contract(&app, &heavy, &single).await;
    // An accepted referral is in the caseload; a done one no longer.
    let (_, r) = referral_of(&app, &desk, &benefits, &single).await;
    let path = format!("/api/v1/referrals/{}/transition", r["id"].as_str().unwrap());
    let (s, _) = app.post(&path, &light, json!({"to": "accepted"})).await;
    assert_eq!(s, StatusCode::OK);

    let (s, load) = app.get("/api/v1/caseload", &organizer).await;
    assert_eq!(s, StatusCode::OK, "{load}");
    assert_eq!(load["norm"], 1);
    let row = |id: &str| {
        load["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == id)
            .cloned()
            .unwrap()
    };
    let h = row(&heavy.id);
    assert_eq!(
        (h["households"].as_i64(), h["residents"].as_i64()),
        (Some(2), Some(4)),
        "{h}"
    );
    assert_eq!(h["over_norm"], true);
    let l = row(&light.id);
    assert_eq!(
        (l["households"].as_i64(), l["residents"].as_i64()),
        (Some(1), Some(1)),
        "{l}"
    );
    assert_eq!(l["over_norm"], false);

    let (s, _) = app
        .post(
            &path,
            &light,
            json!({"to": "done", "outcome": "success", "delivered": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, load) = app.get("/api/v1/caseload", &organizer).await;
    let l = load["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == light.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(l["households"], 0);

    for who in [&desk, &heavy, &benefits] {
        let (s, _) = app.get("/api/v1/caseload", who).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

/// The latest municipal value and inputs of `code` for `period`.
async fn indicator(app: &TestApp, org: &User, code: &str, period: &str) -> Value {
    let (s, b) = app
        .get(
            &format!("/api/v1/assessments/results?indicator={code}&period={period}"),
            org,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"][0].clone()
}

#[tokio::test]
async fn the_indicators_count_contracts_and_households_by_hand() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let _second = app.user(Role::SocialWorker, SOCHACZEW).await;
    let mut residents = vec![];
    for n in 0..8 {
        let r = app.resident(&desk, &pesel(50 + n)).await;
        request_of(&app, &desk, &r).await;
        residents.push(r);
    }
    // Residents 0 and 1 live together.
    let (s, _) = household(
        &app,
        &desk,
        &[(&residents[0], "head"), (&residents[1], "spouse")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // Six contracts: three completed, two broken, one still active.
    let mut ids = vec![];
    for r in &residents[..6] {
        ids.push(contract(&app, &worker, r).await);
    }
    for (i, (to, reason)) in [
        ("completed", None),
        ("completed", None),
        ("completed", None),
        ("broken", Some("Brak współpracy")),
        ("broken", Some("Brak współpracy")),
    ]
    .into_iter()
    .enumerate()
    {
        let (s, b) = app
            .post(
                &format!("/api/v1/social-contracts/{}/transition", ids[i]),
                &worker,
                json!({"to": to, "reason": reason}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let period = today().year().to_string();
    let (s, run) = app
        .post(
            "/api/v1/assessments/run",
            &organizer,
            json!({"period": period}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");

    // 3 of the 5 that ended completed or broken.
    let completed = indicator(&app, &organizer, "social_contracts_completed", &period).await;
    assert_eq!(completed["value"], 60.0, "{completed}");
    assert_eq!(
        completed["inputs"],
        json!({"numerator": 3, "denominator": 5})
    );
    // Six contracts ran in the year, for eight clients: 75 per 100.
    let per = indicator(
        &app,
        &organizer,
        "social_contracts_per_100_clients",
        &period,
    )
    .await;
    assert_eq!(per["value"], 75.0, "{per}");
    assert_eq!(per["inputs"]["contracts"], 6);
    assert_eq!(per["inputs"]["clients"], 8);
    // Today the worker has one active contract: one household over two workers.
    let load = indicator(&app, &organizer, "households_per_social_worker", &period).await;
    assert_eq!(load["value"], 0.5, "{load}");
    assert_eq!(load["inputs"]["households"], 1);
    assert_eq!(load["inputs"]["workers"], 2);
    assert_eq!(load["suppressed"], false);
}

fn figure<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {d}"))
}

#[tokio::test]
async fn the_diagnosis_counts_families_and_no_refusal_as_an_unmet_need() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let mut residents = vec![];
    let mut requests = vec![];
    for n in 0..7 {
        let r = app.resident(&desk, &pesel(70 + n)).await;
        requests.push(request_of(&app, &desk, &r).await);
        residents.push(r);
    }
    // Three of them are one family: seven people, five families.
    let (s, _) = household(
        &app,
        &desk,
        &[
            (&residents[0], "head"),
            (&residents[1], "child"),
            (&residents[2], "child"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // Refusals to cooperate on two cases: no unmet need for it.
    for r in &requests[..2] {
        let (s, _) = app
            .post(
                &format!("/api/v1/requests/{r}/messages"),
                &worker,
                json!({"kind": "refusal", "text": "Odmowa"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let year = today().year();
    let (s, d) = app
        .post(
            "/api/v1/diagnoses",
            &organizer,
            json!({"title": "Diagnoza", "period_from": format!("{year}-01-01"), "period_to": format!("{year}-12-31")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let unmet = figure(&d, "requests_unmet");
    assert_eq!(unmet["data"], json!({"open": 7, "waiting": 0}), "{unmet}");
    let families = figure(&d, "families_served");
    assert_eq!(
        families["data"],
        json!({"families": 5, "residents": 7}),
        "{families}"
    );
    assert_eq!(families["label"], "Rodziny i osoby objęte wsparciem");
}

#[tokio::test]
async fn a_social_worker_accepts_a_referral_and_makes_a_contract_on_the_pages() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let worker = app.user(Role::SocialWorker, SOCHACZEW).await;
    let resident = app.resident(&desk, &pesel(90)).await;
    let (request, referral) = referral_of(&app, &desk, &benefits, &resident).await;
    let id = referral["id"].as_str().unwrap();

    let browser = Browser::new(&app);
    browser.sign_in(&worker.email, PASSWORD).await;
    let (s, list) = browser.get("/referrals?status=sent").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&format!("/referrals/{id}")), "{list}");
    let (s, page) = browser.get(&format!("/referrals/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&page);
    // Declining without a reason shows the form again, in Polish.
    let (s, again, _) = browser
        .post_form(
            &format!("/referrals/{id}/transition"),
            &[("csrf", &csrf), ("to", "declined"), ("reason", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.contains("To pole jest wymagane") || again.contains("wymagane"),
        "{again}"
    );
    let (s, _, _) = browser
        .post_form(
            &format!("/referrals/{id}/transition"),
            &[("csrf", &csrf), ("to", "accepted")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, work) = browser.get("/work?mine=true").await;
    assert!(work.contains(&format!("/requests/{request}")), "{work}");

    // The contract, from the resident's page.
    let (_, record) = browser.get(&format!("/residents/{resident}")).await;
    assert!(record.contains(&format!("/social-contracts/new?resident_id={resident}")));
    let (s, form) = browser
        .get(&format!("/social-contracts/new?resident_id={resident}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{form}");
    let csrf = csrf_of(&form);
    let start = today().to_string();
    let end = (today() + Duration::days(60)).to_string();
    let due = (today() + Duration::days(10)).to_string();
    let bad_due = "10.10";
    let (s, again, _) = browser
        .post_form(
            "/social-contracts",
            &[
                ("csrf", &csrf),
                ("resident_id", &resident),
                ("goals", "Praca\nMieszkanie"),
                ("start_date", &start),
                ("end_date", &end),
                ("client_text_0", "Zgłosić się do PUP"),
                ("client_due_0", bad_due),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert!(again.contains("Zgłosić się do PUP"), "what was typed stays");
    let (s, _, _) = browser
        .post_form(
            "/social-contracts",
            &[
                ("csrf", &csrf),
                ("resident_id", &resident),
                ("goals", "Praca\nMieszkanie"),
                ("start_date", &start),
                ("end_date", &end),
                ("client_text_0", "Zgłosić się do PUP"),
                ("client_due_0", &due),
                ("worker_text_0", "Umówić doradcę"),
                ("worker_due_0", &due),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let contracts = app
        .get(
            &format!("/api/v1/social-contracts?resident_id={resident}"),
            &worker,
        )
        .await
        .1;
    let cid = contracts["items"][0]["id"].as_str().unwrap().to_string();
    let (_, page) = browser.get(&format!("/social-contracts/{cid}")).await;
    assert!(page.contains("Zgłosić się do PUP") && page.contains("Mieszkanie"));
    let csrf = csrf_of(&page);
    let (s, _, _) = browser
        .post_form(
            &format!("/social-contracts/{cid}/commitments/0"),
            &[
                ("csrf", &csrf),
                ("done", "true"),
                ("note", "Zarejestrowany"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, c) = app
        .get(&format!("/api/v1/social-contracts/{cid}"), &worker)
        .await;
    assert_eq!(c["client_commitments"][0]["done"], true);
    assert_eq!(c["client_commitments"][0]["note"], "Zarejestrowany");
    let (s, doc) = browser
        .get(&format!("/social-contracts/{cid}/document"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc.contains("art. 108") && doc.contains("Umówić doradcę"));
}
