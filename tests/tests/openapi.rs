//! The OpenAPI document describes what the server answers, and the server
//! behaviours the schemathesis run (tests/schemathesis/run) made right.

use chrono::Duration;
use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

#[tokio::test]
async fn the_document_names_envelopes_refusals_and_security() {
    let app = spawn_app().await;
    let (s, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["ErrorBody"].is_object(), "ErrorBody");
    // Lists are envelopes.
    let list = &doc["paths"]["/api/v1/agreements"]["get"];
    let ok = &list["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(ok, "#/components/schemas/Page_AgreementRow");
    let page = &schemas["Page_AgreementRow"];
    assert_eq!(page["properties"]["items"]["type"], "array", "{page}");
    assert_eq!(page["properties"]["total"]["minimum"], 0, "{page}");
    // Every reference names a schema the document holds (a list's `sort`
    // or `due` choice is written out in its parameter).
    let text = doc.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            schemas[name].is_object(),
            "{name} is referenced, not defined"
        );
    }
    // Every refusal carries the error body; 401 wherever a token is needed.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let responses = op["responses"].as_object().unwrap();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    // Public routes need no token; the rest do.
    assert!(doc["paths"]["/api/v1/public/competitions"]["get"]["security"].is_null());
    assert!(doc["paths"]["/api/v1/me"]["get"]["security"].is_array());
    // A request string carries the control-character rule.
    let creds = &schemas["Credentials"]["properties"]["email"]["pattern"];
    assert!(
        creds.as_str().is_some_and(|p| p.contains("u0000")),
        "{creds}"
    );
}

#[tokio::test]
async fn other_methods_on_an_api_path_answer_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        ("TRACE", "/api/v1/health", "GET"),
        ("DELETE", "/api/v1/health", "GET"),
        ("PATCH", "/api/v1/competitions/abc", "GET"),
        ("PUT", "/api/v1/session", "POST, DELETE"),
        ("GET", "/api/v1/forum/me", "PUT"),
    ] {
        let r = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["error"], "method_not_allowed", "{b}");
    }
    // A path no route has is still 404.
    let (s, b) = app.call(Method::GET, "/api/v1/nowhere", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, _) = app
        .call(Method::DELETE, "/api/v1/health/x", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_body_must_be_a_json_object() {
    let app = spawn_app().await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    // serde would read the struct from its fields' values in order.
    let fields = json!([pesel(3), "Anna", "Nowak", "ul. Polna 1"]);
    let (s, b) = app.post("/api/v1/residents", &desk, fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["."].is_array(), "{b}");
    for body in [json!(null), json!("text"), json!(12)] {
        let (s, b) = app.post("/api/v1/residents", &desk, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!([desk.email, "whatever-password"])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

#[tokio::test]
async fn integral_floats_are_integers() {
    let app = spawn_app().await;
    let organizer = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    let (s, b) = app
        .post(
            "/api/v1/community/communities",
            &organizer,
            json!({"name": "Osiedle", "kind": "territorial"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let activity = |participants: Value| {
        json!({"date": day(-1), "title": "Spotkanie", "kind": "meeting", "dimension": "preventive",
               "community": "Osiedle",
               "participants": participants, "volunteers": 3.0, "volunteer_hours": 12})
    };
    let (s, b) = app
        .post(
            "/api/v1/community/activities",
            &organizer,
            activity(json!(20.0)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["participants"], 20, "{b}");
    // A fraction is still not an integer.
    let (s, b) = app
        .post(
            "/api/v1/community/activities",
            &organizer,
            activity(json!(20.5)),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["participants"].is_array(), "{b}");
}

#[tokio::test]
async fn a_meeting_needs_a_time_and_a_link_id_is_bounded() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let thread = |extra: Value| {
        let mut t = json!({"title": "Posiedzenie", "body": "Zapraszamy.", "kind": "meeting",
                           "meeting_at": format!("{}T17:00", day(7))});
        for (k, v) in extra.as_object().unwrap() {
            t[k] = v.clone();
        }
        t
    };
    for blank in [json!(""), json!("  "), json!(null)] {
        let (s, b) = app
            .post(
                "/api/v1/forum/threads",
                &organizer,
                thread(json!({"meeting_at": blank})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{blank}: {b}");
        assert!(b["fields"]["meeting_at"].is_array(), "{b}");
    }
    // A discussion takes a blank time as none.
    let (s, b) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            thread(json!({"kind": "discussion", "meeting_at": ""})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            thread(json!({"linked_id": "x".repeat(101)})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["linked_id"].is_array(), "{b}");
    let (s, b) = app
        .post("/api/v1/forum/threads", &organizer, thread(json!({})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

#[tokio::test]
async fn staff_accounts_carry_rfc3339_timestamps() {
    let app = spawn_app().await;
    let admin = app.user(Role::Admin, SOCHACZEW).await;
    let (s, b) = app.get("/api/v1/users", &admin).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let at = b["items"][0]["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(at).is_ok(),
        "{at} is not RFC 3339"
    );
}
