//! Staff account administration: who may list, create, disable, re-enable
//! and change the roles of staff accounts, that disabling ends sessions at
//! once, and that every change is audited — over the API and the pages.

use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn put(app: &TestApp, path: &str, user: &User, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(user), Some(body)).await
}

fn audit_actions(app: &TestApp, subject: &str) -> Vec<String> {
    use cus_db::schema::audit_log;
    app.with_db(|c| {
        audit_log::table
            .filter(audit_log::subject_id.eq(subject))
            .select(audit_log::action)
            .order((audit_log::at.asc(), audit_log::id.asc()))
            .load::<String>(c)
            .unwrap()
    })
}

#[tokio::test]
async fn an_organizer_administers_own_staff_and_disabling_ends_sessions() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let other_desk = app.user(Role::Desk, BRZEZINY).await;
    let admin = app.user(Role::Admin, SOCHACZEW).await;

    // The list holds this municipality's staff only, never residents or
    // another municipality's accounts.
    let (st, list) = app.get("/api/v1/users", &organizer).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let emails: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&desk.email.as_str()));
    assert!(!emails.contains(&other_desk.email.as_str()));
    assert_eq!(list["total"], json!(emails.len()));
    assert!(list["items"][0].get("password_hash").is_none());
    let (st, _) = app.get("/api/v1/users", &desk).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Creating: staff roles of the own municipality; never an administrator.
    let (st, body) = app
        .post(
            "/api/v1/users",
            &organizer,
            json!({"email": "nowa@cus.example", "password": PASSWORD, "role": "coordinator", "display_name": "Nowa Koordynatorka"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let new_id = body["id"].as_str().unwrap().to_string();
    for (role, municipality, expected) in [
        ("admin", None, StatusCode::FORBIDDEN),
        ("resident", None, StatusCode::UNPROCESSABLE_ENTITY),
        ("desk", Some(BRZEZINY), StatusCode::NOT_FOUND),
    ] {
        let (st, body) = app
            .post(
                "/api/v1/users",
                &organizer,
                json!({"email": format!("x-{role}@cus.example"), "password": PASSWORD, "role": role, "municipality": municipality}),
            )
            .await;
        assert_eq!(st, expected, "{role}: {body}");
    }
    let coordinator = User {
        id: new_id.clone(),
        email: "nowa@cus.example".into(),
        token: app.login("nowa@cus.example", PASSWORD).await,
    };

    // Changing a role holds from the next request.
    let (st, body) = put(
        &app,
        &format!("/api/v1/users/{}", desk.id),
        &organizer,
        json!({"role": "benefits"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "benefits");
    let (_, me) = app.get("/api/v1/me", &desk).await;
    assert_eq!(me["role"], "benefits");
    let (st, _) = put(
        &app,
        &format!("/api/v1/users/{}", desk.id),
        &organizer,
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Disabling ends every session at once; the account cannot sign in;
    // re-enabling lets it sign in again.
    let (st, body) = put(
        &app,
        &format!("/api/v1/users/{new_id}"),
        &organizer,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["disabled"], true);
    let (st, _) = app.get("/api/v1/me", &coordinator).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"email": coordinator.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = put(
        &app,
        &format!("/api/v1/users/{new_id}"),
        &organizer,
        json!({"disabled": false}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    app.login(&coordinator.email, PASSWORD).await;

    // Out of reach: another municipality's account is 404, an
    // administrator's is 403 for an organizer, one's own is 409.
    let (st, _) = put(
        &app,
        &format!("/api/v1/users/{}", other_desk.id),
        &organizer,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = put(
        &app,
        &format!("/api/v1/users/{}", admin.id),
        &organizer,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) = put(
        &app,
        &format!("/api/v1/users/{}", organizer.id),
        &organizer,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body) = put(
        &app,
        &format!("/api/v1/users/{}", desk.id),
        &organizer,
        json!({"role": "pope"}),
    )
    .await;
    assert_eq!(refusal(st, &body, "role"), "Unknown role.");
    let (st, _) = put(
        &app,
        &format!("/api/v1/users/{}", desk.id),
        &desk,
        json!({"disabled": true}),
    )
    .await;
    assert!(
        st == StatusCode::FORBIDDEN || st == StatusCode::UNAUTHORIZED,
        "{st}"
    );

    // A municipality's administrator may make administrators of its own.
    let (st, body) = put(
        &app,
        &format!("/api/v1/users/{}", desk.id),
        &admin,
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // Every change is in the audit log.
    assert_eq!(
        audit_actions(&app, &new_id),
        ["user.create", "user.disable", "user.enable"]
    );
    assert_eq!(
        audit_actions(&app, &desk.id),
        ["user.role.benefits", "user.role.admin"]
    );
}

#[tokio::test]
async fn the_accounts_page_creates_disables_and_reenables() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let other = app.user(Role::Desk, BRZEZINY).await;
    let browser = Browser::new(&app);
    let csrf = browser.sign_in(&organizer.email, PASSWORD).await;

    let (st, page) = browser.get("/admin/users").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Konta pracowników"));
    assert!(page.contains(&organizer.email));
    assert!(
        !page.contains(&other.email),
        "another municipality's account shown"
    );
    // No buttons on one's own row; administrators are not offered.
    assert!(!page.contains(&format!("/admin/users/{}\"", organizer.id)));
    assert!(!page.contains("<option value=\"admin\""));

    // A refusal keeps what was typed and names the field.
    let (st, page, _) = browser
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "zly-adres"),
                ("display_name", "Jan Nowak"),
                ("role", "desk"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"email-error\""));
    assert!(page.contains("value=\"Jan Nowak\""));
    assert!(
        !page.contains(PASSWORD),
        "the password is never shown again"
    );

    let (st, _, location) = browser
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "jan.nowak@cus.example"),
                ("display_name", "Jan Nowak"),
                ("role", "desk"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some("/admin/users?done=flash-account-created")
    );
    let (_, page) = browser
        .get("/admin/users?done=flash-account-created&lang=en")
        .await;
    assert!(page.contains("Account created."));
    let id: String = {
        use cus_db::schema::users;
        app.with_db(|c| {
            users::table
                .filter(users::email.eq("jan.nowak@cus.example"))
                .select(users::id)
                .first(c)
                .unwrap()
        })
    };
    let jan = app.login("jan.nowak@cus.example", PASSWORD).await;

    let (st, _, location) = browser
        .post_form(
            &format!("/admin/users/{id}"),
            &[("csrf", &csrf), ("change", "disable")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/admin/users?done=flash-saved"));
    let jan_user = User {
        id: id.clone(),
        email: "jan.nowak@cus.example".into(),
        token: jan,
    };
    let (st, _) = app.get("/api/v1/me", &jan_user).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the session ended with the disabling"
    );
    let (_, page) = browser.get("/admin/users?lang=en").await;
    assert!(page.contains("<strong>disabled</strong>"));

    let (st, _, _) = browser
        .post_form(
            &format!("/admin/users/{id}"),
            &[("csrf", &csrf), ("change", "enable")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = browser
        .post_form(
            &format!("/admin/users/{id}"),
            &[("csrf", &csrf), ("change", "role"), ("role", "coordinator")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        audit_actions(&app, &id),
        [
            "user.create",
            "user.disable",
            "user.enable",
            "user.role.coordinator"
        ]
    );

    // Without the CSRF token, and for another municipality's account, nothing changes.
    let (st, _, _) = browser
        .post_form(&format!("/admin/users/{id}"), &[("change", "disable")])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = browser
        .post_form(
            &format!("/admin/users/{}", other.id),
            &[("csrf", &csrf), ("change", "disable")],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Staff without the right see no such page.
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let desk_browser = Browser::new(&app);
    desk_browser.sign_in(&desk.email, PASSWORD).await;
    let (st, _) = desk_browser.get("/admin/users").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
