//! Password reset by an emailed one-time link, and password change.

use cus_db::Role;
use cus_tests::*;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a-brand-new-password";

async fn ask_reset(app: &TestApp, email: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/v1/password-reset",
        None,
        Some(json!({"email": email})),
    )
    .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/password-reset/{token}"),
        None,
        Some(json!({"password": password})),
    )
    .await
}

/// The reset mails the relay wrote to `email`.
fn reset_mails(app: &TestApp, email: &str) -> Vec<String> {
    app.mails()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {email}")) && m.contains("/password-reset/"))
        .collect()
}

/// The token of the one reset mail to `email`.
fn reset_token(app: &TestApp, email: &str) -> String {
    let mails = reset_mails(app, email);
    assert_eq!(mails.len(), 1, "one reset mail to {email}");
    let token: String = mails[0]
        .split("/password-reset/")
        .nth(1)
        .unwrap()
        .chars()
        .take(64)
        .collect();
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    token
}

fn as_user(u: &User, token: String) -> User {
    User {
        id: u.id.clone(),
        email: u.email.clone(),
        token,
    }
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.call(
        Method::POST,
        "/api/v1/session",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
    .0
}

fn audit_count(app: &TestApp, action: &str, user_id: &str) -> i64 {
    use cus_db::schema::audit_log;
    app.with_db(|c| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .filter(audit_log::subject_id.eq(user_id))
            .count()
            .get_result(c)
            .unwrap()
    })
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    for role in [Role::Resident, Role::Ngo, Role::Desk] {
        let u = app.user(role, SOCHACZEW).await;
        let other = as_user(&u, app.login(&u.email, PASSWORD).await);
        let (s, body) = ask_reset(&app, &u.email.to_uppercase()).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body, json!({"password_reset": "requested"}));
        app.run_job("outbox");
        let mail = reset_mails(&app, &u.email).remove(0);
        assert!(mail.contains("Link działa przez godzinę"), "Polish: {mail}");
        let token = reset_token(&app, &u.email);
        // Only the hash is stored.
        {
            use cus_db::schema::user_tokens;
            let stored: Vec<String> = app.with_db(|c| {
                user_tokens::table
                    .filter(user_tokens::user_id.eq(&u.id))
                    .select(user_tokens::token_hash)
                    .load(c)
                    .unwrap()
            });
            assert!(!stored.contains(&token));
            assert!(stored.contains(&cus::platform::auth::token_hash(&token)));
            // Nor does the sent message keep the link.
            use cus_db::schema::outbox;
            let contexts: Vec<String> = app.with_db(|c| {
                outbox::table
                    .filter(outbox::to_address.eq(&u.email))
                    .select(outbox::context)
                    .load(c)
                    .unwrap()
            });
            assert!(!contexts.is_empty());
            assert!(contexts.iter().all(|c| !c.contains(&token)), "{contexts:?}");
        }
        // The password rules apply, and a refusal does not use the link up.
        let (s, b) = reset(&app, &token, "short").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b["fields"]["password"].is_array(), "{b}");
        let (s, b) = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Every session of the account ended.
        assert_eq!(app.get("/api/v1/me", &u).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.get("/api/v1/me", &other).await.0,
            StatusCode::UNAUTHORIZED
        );
        // The link works once.
        let (s, b) = reset(&app, &token, "yet-another-password").await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert_eq!(
            login_status(&app, &u.email, PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        let fresh = as_user(&u, app.login(&u.email, NEW_PASSWORD).await);
        assert_eq!(app.get("/api/v1/me", &fresh).await.0, StatusCode::OK);
        assert_eq!(audit_count(&app, "user.password_reset.request", &u.id), 1);
        assert_eq!(audit_count(&app, "user.password_reset.complete", &u.id), 1);
    }
}

#[tokio::test]
async fn unknown_disabled_and_repeated_addresses_get_the_same_answer_and_no_extra_mail() {
    let app = spawn_app().await;
    let (s, unknown) = ask_reset(&app, "nobody-here@test.example").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let u = app.user(Role::Ngo, SOCHACZEW).await;
    let (s, known) = ask_reset(&app, &u.email).await;
    assert_eq!((s, &known), (StatusCode::ACCEPTED, &unknown));
    // Asked again within 15 minutes: the same answer, no second mail.
    let (s, again) = ask_reset(&app, &u.email).await;
    assert_eq!((s, &again), (StatusCode::ACCEPTED, &unknown));
    let off = app.user(Role::Desk, SOCHACZEW).await;
    {
        use cus_db::schema::users;
        app.with_db(|c| {
            diesel::update(users::table.find(&off.id))
                .set(users::disabled.eq(true))
                .execute(c)
                .unwrap()
        });
    }
    let (s, disabled) = ask_reset(&app, &off.email).await;
    assert_eq!((s, &disabled), (StatusCode::ACCEPTED, &unknown));
    app.run_job("outbox");
    assert!(app
        .mails()
        .iter()
        .all(|m| !m.contains("nobody-here@test.example")));
    assert_eq!(reset_mails(&app, &u.email).len(), 1);
    assert!(reset_mails(&app, &off.email).is_empty());
    // Only a malformed address is refused.
    let (s, b) = ask_reset(&app, "not an address").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["email"].is_array(), "{b}");
}

#[tokio::test]
async fn expired_and_unknown_links_are_refused() {
    let app = spawn_app().await;
    let u = app.user(Role::Resident, SOCHACZEW).await;
    assert_eq!(ask_reset(&app, &u.email).await.0, StatusCode::ACCEPTED);
    app.run_job("outbox");
    let token = reset_token(&app, &u.email);
    {
        use cus_db::schema::user_tokens;
        app.with_db(|c| {
            diesel::update(user_tokens::table.filter(user_tokens::user_id.eq(&u.id)))
                .set(user_tokens::expires_at.eq(cus_db::now() - chrono::Duration::minutes(1)))
                .execute(c)
                .unwrap()
        });
    }
    let (s, b) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "expired: {b}");
    let (s, _) = reset(&app, &"0".repeat(64), NEW_PASSWORD).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "unknown");
    // The sessions and the password are as they were.
    assert_eq!(app.get("/api/v1/me", &u).await.0, StatusCode::OK);
    app.login(&u.email, PASSWORD).await;
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let u = app.user(Role::Organizer, SOCHACZEW).await;
    let other = as_user(&u, app.login(&u.email, PASSWORD).await);
    let (s, b) = app
        .post(
            "/api/v1/me/password",
            &u,
            json!({"current_password": "wrong-password", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["current_password"].is_array(), "{b}");
    let (s, b) = app
        .post(
            "/api/v1/me/password",
            &u,
            json!({"current_password": PASSWORD, "password": "short"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["fields"]["password"].is_array(), "{b}");
    // Nothing changed so far.
    assert_eq!(app.get("/api/v1/me", &other).await.0, StatusCode::OK);
    let (s, b) = app
        .post(
            "/api/v1/me/password",
            &u,
            json!({"current_password": PASSWORD, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.get("/api/v1/me", &u).await.0, StatusCode::OK, "kept");
    assert_eq!(
        app.get("/api/v1/me", &other).await.0,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(
        login_status(&app, &u.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    app.login(&u.email, NEW_PASSWORD).await;
    assert_eq!(audit_count(&app, "user.password.change", &u.id), 1);
    // Anonymous: 401.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/me/password",
            None,
            Some(json!({"current_password": PASSWORD, "password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reset_and_change_through_the_pages() {
    let app = spawn_app().await;
    let u = app.user(Role::Resident, SOCHACZEW).await;
    let b = Browser::new(&app);
    let (s, login) = b.get("/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(login.contains("href=\"/password-reset\""));
    assert!(login.contains("Nie pamiętasz hasła?"));
    let (s, form) = b.get("/password-reset").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<label for=\"email\">"));
    assert!(!form.contains("<script"));
    let csrf = csrf_of(&form);
    // Without the form's token: refused.
    let (s, _, _) = b
        .post_form("/password-reset", &[("csrf", "x"), ("email", &u.email)])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html, _) = b
        .post_form("/password-reset", &[("csrf", &csrf), ("email", "nope")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\""), "error summary");
    assert!(html.contains("aria-invalid=\"true\""));
    let (s, done, _) = b
        .post_form("/password-reset", &[("csrf", &csrf), ("email", &u.email)])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        done.contains("Jeśli konto z tym adresem istnieje"),
        "{done}"
    );
    app.run_job("outbox");
    let token = reset_token(&app, &u.email);
    let path = format!("/password-reset/{token}");
    let (s, form) = b.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<label for=\"password_confirm\">"));
    let csrf = csrf_of(&form);
    let (s, html, _) = b
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("password", NEW_PASSWORD),
                ("password_confirm", "something-else"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Hasła nie są takie same."));
    let (s, html, _) = b
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Hasło zmienione"));
    assert_eq!(app.get("/api/v1/me", &u).await.0, StatusCode::UNAUTHORIZED);
    let (s, used) = b.get(&path).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(used.contains("href=\"/password-reset\""));
    let (s, _) = b.get(&format!("/password-reset/{}", "f".repeat(64))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The profile page: change the password; another session ends.
    let elsewhere = as_user(&u, app.login(&u.email, NEW_PASSWORD).await);
    let csrf = b.sign_in(&u.email, NEW_PASSWORD).await;
    let (s, profile) = b.get("/profile").await;
    assert_eq!(s, StatusCode::OK);
    assert!(profile.contains(&u.email));
    assert!(profile.contains("<label for=\"current_password\">"));
    let (s, html, _) = b
        .post_form(
            "/profile/password",
            &[
                ("csrf", &csrf),
                ("current_password", "wrong-password"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Obecne hasło jest nieprawidłowe."));
    let (s, _, _) = b
        .post_form(
            "/profile/password",
            &[
                ("csrf", "wrong"),
                ("current_password", NEW_PASSWORD),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, location) = b
        .post_form(
            "/profile/password",
            &[
                ("csrf", &csrf),
                ("current_password", NEW_PASSWORD),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert_eq!(location, "/profile?done=flash-password-changed");
    let (s, page) = b.get(&location).await;
    assert_eq!(s, StatusCode::OK, "this browser stays signed in");
    assert!(page.contains("Hasło zmienione."));
    assert_eq!(
        app.get("/api/v1/me", &elsewhere).await.0,
        StatusCode::UNAUTHORIZED
    );
    // English.
    let (_, en) = b.get("/profile?lang=en").await;
    assert!(en.contains("Change password"));
}
