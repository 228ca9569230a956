use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn health_names_the_backend() {
    let app = spawn_app().await;
    let (s, b) = app.call(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ok");
    assert_eq!(b["database"], backend());
}

#[tokio::test]
async fn openapi_covers_every_api_route() {
    let app = spawn_app().await;
    let (s, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in [
        ("get", "/api/v1/health"),
        ("post", "/api/v1/session"),
        ("delete", "/api/v1/session"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/municipalities"),
        ("get", "/api/v1/services"),
        ("post", "/api/v1/services"),
        ("post", "/api/v1/residents"),
        ("post", "/api/v1/requests"),
        ("get", "/api/v1/requests/{id}"),
        ("post", "/api/v1/requests/{id}/route"),
        ("post", "/api/v1/requests/{id}/messages"),
        ("post", "/api/v1/plans"),
        ("post", "/api/v1/plans/{id}/items"),
        ("post", "/api/v1/plans/{id}/transition"),
        ("get", "/api/v1/plans/{id}"),
        ("get", "/api/v1/audit"),
        ("post", "/api/v1/organizations"),
        ("post", "/api/v1/programs"),
        ("post", "/api/v1/programs/{id}/comments"),
        ("post", "/api/v1/programs/{id}/transition"),
        ("post", "/api/v1/competitions"),
        ("post", "/api/v1/competitions/{id}/publish"),
        ("get", "/api/v1/public/competitions"),
        ("post", "/api/v1/competitions/{id}/offers"),
        ("get", "/api/v1/competitions/{id}/offers"),
        ("post", "/api/v1/competitions/{id}/commission"),
        ("post", "/api/v1/competitions/{id}/declarations"),
        ("post", "/api/v1/offers/{id}/formal"),
        ("post", "/api/v1/offers/{id}/scores"),
        ("post", "/api/v1/competitions/{id}/resolve"),
        ("get", "/api/v1/competitions/{id}/results"),
        ("get", "/api/v1/agreements"),
        ("post", "/api/v1/agreements"),
        ("get", "/api/v1/agreements/{id}"),
        ("post", "/api/v1/agreements/{id}/reports"),
        ("post", "/api/v1/agreements/{id}/annexes"),
        ("get", "/api/v1/ocds/releases"),
        ("post", "/api/v1/community/activities"),
        ("get", "/api/v1/community/activities"),
        ("post", "/api/v1/forum/threads"),
        ("get", "/api/v1/forum/threads/{id}"),
        ("post", "/api/v1/forum/threads/{id}/posts"),
        ("get", "/api/v1/forum/search"),
        ("get", "/api/v1/me/calendar"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
}

#[tokio::test]
async fn security_headers_on_pages_and_api() {
    let app = spawn_app().await;
    for path in ["/", "/api/v1/health", "/login"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .expect("csp")
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'none'"),
            "{csp}"
        );
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    }
}

#[tokio::test]
async fn bad_bodies_get_clear_4xx_never_500() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let url = app.url("/api/v1/residents");
    // Wrong content type.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&desk.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Malformed JSON.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&desk.token)
        .header("content-type", "application/json")
        .body("{\"pesel\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"], "bad_request");
    // Over 1 MiB.
    let big = json!({"pesel": "x".repeat(1024 * 1024 + 10), "first_name": "a", "last_name": "b", "address": "c"});
    let r = app
        .client
        .post(&url)
        .bearer_auth(&desk.token)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Unknown field, named.
    let (s, b) = app.post("/api/v1/residents", &desk, json!({"pesel": pesel(1), "first_name": "a", "last_name": "b", "address": "c", "shoe_size": 44})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"], "invalid");
    assert!(b["fields"]["shoe_size"].is_array(), "{b}");
    // Missing field, named.
    let (s, b) = app
        .post(
            "/api/v1/residents",
            &desk,
            json!({"first_name": "a", "last_name": "b", "address": "c"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["pesel"].is_array(), "{b}");
    // Wrong type, named by its path.
    let (s, b) = app
        .post(
            "/api/v1/residents",
            &desk,
            json!({"pesel": 123, "first_name": "a", "last_name": "b", "address": "c"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["pesel"].is_array(), "{b}");
    // Unknown API path: JSON 404.
    let (s, b) = app.get("/api/v1/nothing-here", &desk).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"], "not_found");
    // Malformed query parameters: a JSON 400, not a bare text.
    let (s, b) = app
        .get("/api/v1/community/activities?from=not-a-date", &desk)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "bad_request");
    // Paging bounds.
    let (s, b) = app.get("/api/v1/requests?per_page=1000", &desk).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["per_page"].is_array());
}

#[tokio::test]
async fn municipalities_are_created_by_admin_with_valid_teryt() {
    let app = spawn_app().await;
    let admin = app.user(Role::Admin, "").await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let (s, _) = app
        .post(
            "/api/v1/municipalities",
            &organizer,
            json!({"teryt": "1465011", "name": "Warszawa"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .post(
            "/api/v1/municipalities",
            &admin,
            json!({"teryt": "1465016", "name": "Zła"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["teryt"].is_array());
    let (s, _) = app
        .post(
            "/api/v1/municipalities",
            &admin,
            json!({"teryt": "1465011", "name": "Warszawa"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(
            "/api/v1/municipalities",
            &admin,
            json!({"teryt": "1465011", "name": "Warszawa"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn job_slots_are_claimed_once() {
    let app = spawn_app().await;
    let mut conn = app.state.pool.get().unwrap();
    assert!(cus_db::jobs::claim(&mut conn, "outbox", "2026-01-01T00:00:00Z", "server-a").unwrap());
    assert!(!cus_db::jobs::claim(&mut conn, "outbox", "2026-01-01T00:00:00Z", "server-b").unwrap());
    drop(conn);
    // Two servers racing for one slot: exactly one runs it.
    let (a, b) = (app.state.clone(), app.state.clone());
    let slot = "2026-01-01T00:00:20Z";
    let ta =
        std::thread::spawn(move || cus::platform::jobs::run(&a, "plan-deadlines", slot).unwrap());
    let tb =
        std::thread::spawn(move || cus::platform::jobs::run(&b, "plan-deadlines", slot).unwrap());
    let ran = [ta.join().unwrap(), tb.join().unwrap()]
        .iter()
        .filter(|r| r.is_some())
        .count();
    assert_eq!(ran, 1);
}

#[tokio::test]
async fn api_errors_speak_polish_on_request() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let r = app
        .client
        .post(app.url("/api/v1/residents"))
        .bearer_auth(&desk.token)
        .header("accept-language", "pl-PL,pl;q=0.9")
        .json(&json!({"pesel": "44051401459", "first_name": "A", "last_name": "B", "address": "C"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        b["fields"]["pesel"][0],
        "Nieprawidłowa cyfra kontrolna PESEL."
    );
    assert_eq!(b["message"], "Popraw zaznaczone pola.");
}
