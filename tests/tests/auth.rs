use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn logout_invalidates_the_token_server_side() {
    let app = spawn_app().await;
    let u = app.user(Role::Desk, SOCHACZEW).await;
    let (s, me) = app.get("/api/v1/me", &u).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["role"], "desk");
    assert_eq!(me["municipality"], SOCHACZEW);
    let (s, _) = app
        .call(Method::DELETE, "/api/v1/session", Some(&u), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = app.get("/api/v1/me", &u).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["error"], "unauthorized");
    // Expired sessions are swept by the housekeeping job.
    let other = app.user(Role::Desk, SOCHACZEW).await;
    {
        use cus_db::schema::sessions;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(cus_db::now() - chrono::Duration::minutes(1)))
            .execute(&mut conn)
            .unwrap();
    }
    let (s, _) = app.get("/api/v1/me", &other).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "an expired session no longer works"
    );
    assert_ne!(app.run_job("housekeeping"), "removed 0 rows");
    assert_eq!(
        app.run_job("housekeeping"),
        "removed 0 rows",
        "nothing left to sweep"
    );
}

#[tokio::test]
async fn passwords_are_argon2id_hashes() {
    let app = spawn_app().await;
    let u = app.user(Role::Desk, SOCHACZEW).await;
    use cus_db::schema::users;
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().unwrap();
    let hash: String = users::table
        .find(&u.id)
        .select(users::password_hash)
        .first(&mut conn)
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account() {
    let app = spawn_app().await;
    let u = app.user(Role::Desk, SOCHACZEW).await;
    for _ in 0..10 {
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"email": u.email, "password": "wrong-password"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": u.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    // Another account from the same address still works (per-address bound is higher).
    let other = app.user(Role::Desk, SOCHACZEW).await;
    let (s, _) = app.get("/api/v1/me", &other).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn resident_registers_confirms_by_mail_and_signs_in() {
    let app = spawn_app().await;
    let email = "anna.nowak@test.example";
    let reg = json!({"email": email, "password": "short", "first_name": "Anna", "last_name": "Nowak", "municipality": SOCHACZEW, "pesel": "44051401459"});
    let (s, b) = app
        .call(Method::POST, "/api/v1/register", None, Some(reg))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["pesel"].is_array() && b["fields"]["password"].is_array(),
        "{b}"
    );
    let reg = json!({"email": email, "password": PASSWORD, "first_name": "Anna", "last_name": "Nowak", "municipality": SOCHACZEW, "pesel": "44051401458"});
    let (s, b) = app
        .call(Method::POST, "/api/v1/register", None, Some(reg.clone()))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b, json!({"email_confirmation": "sent"}));
    // Same email again: the same answer (it tells nobody who has an
    // account), nothing duplicated; the owner is mailed instead.
    let (s, again) = app
        .call(Method::POST, "/api/v1/register", None, Some(reg))
        .await;
    assert_eq!((s, again), (StatusCode::ACCEPTED, b));
    // Not confirmed yet.
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // The relay writes the confirmation mail; its link confirms.
    assert!(app.run_job("outbox").starts_with("sent 2"));
    let mails = app.mails();
    assert_eq!(mails.len(), 2);
    let mail = mails
        .iter()
        .find(|m| m.contains("token="))
        .expect("the confirmation");
    let token = mail.split("token=").nth(1).expect("link in mail")[..64].to_string();
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/confirm",
            None,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a token works once");
    let token = app.login(email, PASSWORD).await;
    let me = User {
        id: String::new(),
        email: email.into(),
        token,
    };
    let (s, b) = app.get("/api/v1/me", &me).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["role"], "resident");
    assert!(b["resident_id"].is_string());
}
