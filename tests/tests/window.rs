use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn desk_registers_resident_with_checked_pesel() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let (s, b) = app
        .post(
            "/api/v1/residents",
            &desk,
            json!({"pesel": "44051401459", "first_name": "A", "last_name": "B", "address": "C"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"]["pesel"][0], "Wrong PESEL check digit.");
    let (s, b) = app
        .post(
            "/api/v1/residents",
            &desk,
            json!({"pesel": "90023012340", "first_name": "A", "last_name": "B", "address": "C"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "30 February: {b}");
    let (s, b) = app.post("/api/v1/residents", &desk, json!({"pesel": "44051401458", "first_name": "", "last_name": "B", "address": "C", "email": "nope"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["first_name"].is_array() && b["fields"]["email"].is_array(),
        "{b}"
    );
    let id = app.resident(&desk, "44051401458").await;
    let (s, _) = app
        .post(
            "/api/v1/residents",
            &desk,
            json!({"pesel": "44051401458", "first_name": "A", "last_name": "B", "address": "C"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "same PESEL twice");
    let (s, r) = app.get(&format!("/api/v1/residents/{id}"), &desk).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["pesel"], "44051401458");
    // Staff of another municipality cannot see the resident: 404.
    let other = app.user(Role::Desk, BRZEZINY).await;
    let (s, _) = app.get(&format!("/api/v1/residents/{id}"), &other).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn request_is_filed_routed_and_followed() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "UO").await;
    let resident_id = app.resident(&desk, &pesel(7)).await;
    let (s, b) = app.post("/api/v1/requests", &desk, json!({"resident_id": resident_id, "service_code": "NOPE", "description": "x", "channel": "desk"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["service_code"].is_array());
    let (s, r) = app.post("/api/v1/requests", &desk, json!({"resident_id": resident_id, "service_code": "UO", "description": "Potrzebuję pomocy w domu", "channel": "desk"})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "submitted");
    let case = r["case_number"].as_str().unwrap();
    assert!(case.starts_with(&format!("CUS/{SOCHACZEW}/")), "{case}");
    let id = r["id"].as_str().unwrap().to_string();
    // Case numbers are sequential per municipality.
    let (_, r2) = app
        .post(
            "/api/v1/requests",
            &desk,
            json!({"resident_id": resident_id, "description": "Druga sprawa", "channel": "desk"}),
        )
        .await;
    assert_ne!(r2["case_number"], r["case_number"]);
    // Route: a social worker may not, the desk may.
    let sw = app.user(Role::SocialWorker, SOCHACZEW).await;
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &sw,
            json!({"to": "benefits", "note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &desk,
            json!({"to": "janitor", "note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &desk,
            json!({"to": "benefits", "note": "świadczenie"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, v) = app.get(&format!("/api/v1/requests/{id}"), &organizer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "routed");
    assert_eq!(v["assigned_role"], "benefits");
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    // Mail: received and routed, queued in the outbox and written by the relay.
    assert!(app.run_job("outbox").starts_with("sent 3"));
    let mails = app.mails().join("\n");
    assert!(mails.contains("jan.testowy@test.example"));
    // Another municipality's staff: 404 on read and on route.
    let stranger = app.user(Role::Desk, BRZEZINY).await;
    let (s, _) = app.get(&format!("/api/v1/requests/{id}"), &stranger).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &stranger,
            json!({"to": "benefits"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Lists are scoped: the benefits officer sees what was routed to them.
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let (_, list) = app.get("/api/v1/requests", &benefits).await;
    assert_eq!(list["total"], 1);
    let (_, list) = app
        .get("/api/v1/requests?all=true&per_page=1", &benefits)
        .await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, list) = app.get("/api/v1/requests", &stranger).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn typed_messages_reach_only_their_roles() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let sw = app.user(Role::SocialWorker, SOCHACZEW).await;
    let benefits = app.user(Role::Benefits, SOCHACZEW).await;
    let coordinator = app.user(Role::Coordinator, SOCHACZEW).await;
    let rid = app.resident(&desk, &pesel(8)).await;
    let (_, r) = app
        .post(
            "/api/v1/requests",
            &desk,
            json!({"resident_id": rid, "description": "zasiłek", "channel": "desk"}),
        )
        .await;
    let id = r["id"].as_str().unwrap();
    let path = format!("/api/v1/requests/{id}/messages");
    // The benefits officer refers; may not send the social worker's kinds.
    let (s, _) = app
        .post(&path, &benefits, json!({"kind": "opinion", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, m) = app
        .post(
            &path,
            &benefits,
            json!({"kind": "referral", "text": "Proszę o ustalenie możliwości."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(m["to_role"], "social_worker");
    let (s, _) = app
        .post(
            &path,
            &sw,
            json!({"kind": "non_appearance", "text": "Klient się nie zgłosił."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(&path, &sw, json!({"kind": "referral", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app
        .post(&path, &desk, json!({"kind": "opinion", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(&path, &coordinator, json!({"kind": "opinion", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (user, count) in [(&sw, 2), (&benefits, 2), (&desk, 0), (&coordinator, 0)] {
        let (_, v) = app.get(&format!("/api/v1/requests/{id}"), user).await;
        assert_eq!(
            v["messages"].as_array().unwrap().len(),
            count,
            "{}",
            user.email
        );
    }
}

#[tokio::test]
async fn resident_files_online_and_sees_only_own_cases() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    app.service(&organizer, "POS").await;
    let anna = app.user(Role::Resident, SOCHACZEW).await;
    let piotr = app.user(Role::Resident, SOCHACZEW).await;
    // The resident reads the active catalogue to choose a service.
    let (s, list) = app.get("/api/v1/services", &anna).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let (s, r) = app
        .post(
            "/api/v1/requests",
            &anna,
            json!({"service_code": "POS", "description": "Dowóz obiadów", "channel": "online"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_str().unwrap();
    let (s, v) = app.get(&format!("/api/v1/requests/{id}"), &anna).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["service_code"], "POS");
    assert!(v["messages"].as_array().unwrap().is_empty());
    let (s, _) = app.get(&format!("/api/v1/requests/{id}"), &piotr).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, mine) = app.get("/api/v1/requests", &piotr).await;
    assert_eq!(mine["total"], 0);
    let (_, mine) = app.get("/api/v1/requests", &anna).await;
    assert_eq!(mine["total"], 1);
    // A resident cannot file for someone else, route, or read residents.
    let (s, _) = app
        .post(
            "/api/v1/requests",
            &piotr,
            json!({"resident_id": v["resident_id"], "description": "x", "channel": "online"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/route"),
            &anna,
            json!({"to": "benefits"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get("/api/v1/residents?q=Test", &anna).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn catalogue_is_kept_by_the_organizer() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let entry = json!({"code": "KIS", "name": "Klub Integracji Społecznej", "area": "reintegration", "standard": "Trening pracy", "variant": "III", "phase": "II", "fee_rule": "bezpłatnie", "access_criteria": "bezrobotni"});
    let (s, _) = app.post("/api/v1/services", &desk, entry.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .post(
            "/api/v1/services",
            &organizer,
            json!({"code": "X", "name": "X", "area": "space", "variant": "IV", "phase": "V"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["area", "variant", "phase"] {
        assert!(b["fields"][f].is_array(), "{f}: {b}");
    }
    let (s, b) = app
        .post("/api/v1/services", &organizer, entry.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["variant"], "III");
    let (s, _) = app
        .post("/api/v1/services", &organizer, entry.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "duplicate code");
    let mut edited = entry.clone();
    edited["active"] = json!(false);
    let (s, b) = app
        .call(
            Method::PUT,
            "/api/v1/services/KIS",
            Some(&organizer),
            Some(edited),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["active"], false);
    let (_, list) = app.get("/api/v1/services", &desk).await;
    assert_eq!(list["total"], 1, "staff see inactive entries too");
    // Another municipality's catalogue is its own.
    let other = app.user(Role::Organizer, BRZEZINY).await;
    let (_, list) = app.get("/api/v1/services", &other).await;
    assert_eq!(list["total"], 0);
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/services/KIS",
            Some(&other),
            Some(entry),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Every role against the single window's routes: allowed or refused.
#[tokio::test]
async fn role_matrix_of_the_single_window() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let rid = app.resident(&desk, &pesel(9)).await;
    let roles = [
        Role::Admin,
        Role::Desk,
        Role::Organizer,
        Role::Coordinator,
        Role::SocialWorker,
        Role::Benefits,
        Role::CommunityOrganizer,
        Role::Commission,
        Role::Council,
        Role::Ngo,
        Role::Resident,
    ];
    for role in roles {
        let u = app.user(role, SOCHACZEW).await;
        let (s, _) = app.post("/api/v1/residents", &u, json!({"pesel": pesel(100 + role as u32), "first_name": "A", "last_name": "B", "address": "C"})).await;
        let may_register = matches!(role, Role::Desk | Role::Coordinator | Role::Admin);
        assert_eq!(
            s == StatusCode::CREATED,
            may_register,
            "{role:?} register resident: {s}"
        );
        let (s, _) = app
            .post(
                "/api/v1/requests",
                &u,
                json!({"resident_id": rid, "description": "x", "channel": "desk"}),
            )
            .await;
        let may_file = matches!(role, Role::Desk);
        assert_eq!(
            s == StatusCode::CREATED,
            may_file,
            "{role:?} file for resident: {s}"
        );
        let (s, _) = app.post("/api/v1/services", &u, json!({"code": format!("S{}", role as u32), "name": "n", "area": "health", "variant": "I"})).await;
        assert_eq!(
            s == StatusCode::CREATED,
            role == Role::Organizer,
            "{role:?} catalogue: {s}"
        );
        let (s, _) = app.get("/api/v1/services", &u).await;
        assert_eq!(
            s == StatusCode::OK,
            role.is_staff() || role == Role::Resident,
            "{role:?} read catalogue: {s}"
        );
        let (s, _) = app
            .post(
                "/api/v1/plans",
                &u,
                json!({"resident_id": rid, "goals": ["g"]}),
            )
            .await;
        assert_eq!(
            s == StatusCode::CREATED,
            role == Role::Coordinator,
            "{role:?} plan: {s}"
        );
        let (s, _) = app.get("/api/v1/audit", &u).await;
        assert_eq!(
            s == StatusCode::OK,
            matches!(role, Role::Admin | Role::Organizer),
            "{role:?} audit: {s}"
        );
        // The roles that search residents read their records (the community
        // organizer, staff too, neither searches nor reads them).
        let (s, _) = app.get(&format!("/api/v1/residents/{rid}"), &u).await;
        assert_eq!(
            s == StatusCode::OK,
            cus::window::SEARCHING_RESIDENTS.contains(&role),
            "{role:?} read resident: {s}"
        );
    }
    // No token at all: 401.
    let (s, _) = app.call(Method::GET, "/api/v1/requests", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
