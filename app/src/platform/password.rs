//! Password reset by an emailed one-time link, and password change by a
//! signed-in user.
//!
//! A reset link carries a random token; only its SHA-256 hash is stored (in
//! `user_tokens`, purpose `password_reset`), it expires after
//! [`RESET_HOURS`] and works once. Asking for a reset answers alike whether
//! or not the address has an account; a mail goes only to an existing,
//! enabled account, at most one per address per [`RESET_MAIL_MINUTES`].
//! Setting a new password ends every session of the account; changing it
//! on the profile ends every session but the one in use.
//!
//! Refusals: an unknown or expired token is 404, a used one 409. Argon2
//! hashing and verifying happen on the blocking pool, outside the unit of
//! work (`st.tx` runs on SQLite's single writer thread).

use actix_web::web;
use chrono::Duration;
use cus_db::audit::audit;
use cus_db::error::Check;
use cus_db::schema::{login_attempts, outbox as queued, sessions, user_tokens, users};
use cus_db::{new_id, now, outbox, Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;

use crate::platform::auth;
use crate::platform::auth::UserRow;
use crate::platform::error::AppResult;
use crate::platform::state::AppState;

pub const RESET_PURPOSE: &str = "password_reset";
/// How long a reset link works.
pub const RESET_HOURS: i64 = 1;
/// At most one reset mail per address within this many minutes.
pub const RESET_MAIL_MINUTES: i64 = 15;
const RESET_TEMPLATE: &str = "password_reset";

/// Queues a reset link for the enabled account with `email`, if any and if
/// none was mailed to it within [`RESET_MAIL_MINUTES`]; does nothing else
/// otherwise, so that the caller's answer tells nobody who has an account.
pub fn request_reset(conn: &mut DbConn, email: &str, public_url: &str) -> DomainResult<()> {
    let email = email.trim().to_lowercase();
    let user: Option<UserRow> = users::table
        .filter(users::email.eq(&email))
        .filter(users::disabled.eq(false))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let Some(user) = user else { return Ok(()) };
    let recent: i64 = queued::table
        .filter(queued::template.eq(RESET_TEMPLATE))
        .filter(queued::to_address.eq(&email))
        .filter(queued::created_at.gt(now() - Duration::minutes(RESET_MAIL_MINUTES)))
        .count()
        .get_result(conn)?;
    if recent > 0 {
        return Ok(());
    }
    let token = auth::random_token();
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::token_hash.eq(auth::token_hash(&token)),
            user_tokens::user_id.eq(&user.id),
            user_tokens::purpose.eq(RESET_PURPOSE),
            user_tokens::expires_at.eq(now() + Duration::hours(RESET_HOURS)),
        ))
        .execute(conn)?;
    outbox::enqueue(
        conn,
        RESET_TEMPLATE,
        &user.locale,
        &email,
        &serde_json::json!({
            "link": format!("{}/password-reset/{token}", public_url.trim_end_matches('/')),
            "hours": RESET_HOURS,
        }),
    )?;
    let id = user.id.clone();
    audit(
        conn,
        &user.actor(),
        "user.password_reset.request",
        "user",
        &id,
    )?;
    Ok(())
}

/// The account behind a live reset token: 404 when unknown or expired, 409
/// when used.
pub fn reset_token_user(conn: &mut DbConn, token: &str) -> DomainResult<String> {
    auth::live_token_user(conn, token, RESET_PURPOSE)
}

/// Sets the password hash `new_hash` for the account behind `token`, uses
/// up the token (and every other reset token of the account), confirms the
/// email (the link proves the address) and ends every session.
pub fn complete_reset(conn: &mut DbConn, token: &str, new_hash: &str) -> DomainResult<()> {
    let user_id = reset_token_user(conn, token)?;
    // Conditional, so that of two submissions at once only one wins.
    let taken = diesel::update(
        user_tokens::table
            .find(auth::token_hash(token.trim()))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now()))
    .execute(conn)?;
    if taken == 0 {
        return Err(DomainError::conflict("error-token-used"));
    }
    let user: UserRow = users::table
        .find(&user_id)
        .select(UserRow::as_select())
        .first(conn)?;
    if user.disabled {
        return Err(DomainError::NotFound);
    }
    set_password(conn, &user_id, new_hash, None)?;
    if user.email_confirmed_at.is_none() {
        diesel::update(users::table.find(&user_id))
            .set(users::email_confirmed_at.eq(now()))
            .execute(conn)?;
    }
    audit(
        conn,
        &user.actor(),
        "user.password_reset.complete",
        "user",
        &user_id,
    )?;
    Ok(())
}

/// Stores `new_hash`, uses up the account's open reset links and ends its
/// sessions, all but the one whose token hash is `keep`.
fn set_password(
    conn: &mut DbConn,
    user_id: &str,
    new_hash: &str,
    keep: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(new_hash))
        .execute(conn)?;
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(user_id))
            .filter(user_tokens::purpose.eq(RESET_PURPOSE))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now()))
    .execute(conn)?;
    let mine = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(hash) => diesel::delete(mine.filter(sessions::token_hash.ne(hash))).execute(conn)?,
        None => diesel::delete(mine).execute(conn)?,
    };
    Ok(())
}

/// 422 on `field` unless `password` follows the password rules.
fn check_new_password(field: &str, password: &str) -> DomainResult<()> {
    let mut check = Check::new();
    auth::check_password(&mut check, field, password);
    check.finish()
}

/// `POST /api/v1/password-reset` and its page: 422 only for a malformed
/// address, otherwise the same outcome for every address.
pub async fn ask(st: &AppState, email: String) -> AppResult<()> {
    let email = email.trim().to_lowercase();
    let mut check = Check::new();
    auth::check_email(&mut check, "email", &email);
    check.finish()?;
    let public = st.config.server.public_url.clone();
    st.tx(move |c| request_reset(c, &email, &public)).await
}

/// `POST /api/v1/password-reset/{token}` and its page.
pub async fn reset(st: &AppState, token: String, password: String) -> AppResult<()> {
    // A dead token costs no hashing.
    let t = token.clone();
    st.db(move |c| reset_token_user(c, &t)).await?;
    check_new_password("password", &password)?;
    let new_hash = st.hash_password(password).await?;
    st.tx(move |c| complete_reset(c, &token, &new_hash)).await
}

/// Whether `address` or the account has failed too often lately (the
/// login throttle, which wrong current passwords count towards).
fn throttled(
    conn: &mut DbConn,
    st: &crate::platform::config::Security,
    email: &str,
    address: &str,
) -> DomainResult<()> {
    let since = now() - Duration::minutes(st.failure_window_minutes);
    let base = || {
        login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::at.gt(since))
    };
    let by_email: i64 = base()
        .filter(login_attempts::email.eq(email))
        .count()
        .get_result(conn)?;
    let by_address: i64 = base()
        .filter(login_attempts::address.eq(address))
        .count()
        .get_result(conn)?;
    if by_email >= st.max_failures_per_account || by_address >= st.max_failures_per_address {
        return Err(DomainError::RateLimited {
            retry_after_secs: (st.failure_window_minutes * 60) as u64,
        });
    }
    Ok(())
}

/// `POST /api/v1/me/password` and the profile page: checks the current
/// password (422 on `current_password`, counted as a failed sign-in), sets
/// the new one and ends the account's other sessions (`session_token` is
/// the one in use).
pub async fn change(
    st: &AppState,
    actor: Actor,
    session_token: String,
    address: String,
    current: String,
    password: String,
) -> AppResult<()> {
    check_new_password("password", &password)?;
    let sec = st.config.security.clone();
    let (id, email, at) = (actor.user_id.clone(), actor.email.clone(), address.clone());
    let stored: String = st
        .db(move |c| {
            throttled(c, &sec, &email, &at)?;
            let stored = users::table
                .find(&id)
                .select(users::password_hash)
                .first(c)?;
            Ok(stored)
        })
        .await?;
    let ok = crate::platform::state::hashing(web::block(move || {
        auth::verify_password(&current, &stored)
    }))
    .await?;
    if !ok {
        let email = actor.email.clone();
        st.tx(move |c| {
            diesel::insert_into(login_attempts::table)
                .values((
                    login_attempts::id.eq(new_id()),
                    login_attempts::email.eq(&email),
                    login_attempts::address.eq(&address),
                    login_attempts::succeeded.eq(false),
                    login_attempts::at.eq(now()),
                ))
                .execute(c)?;
            Ok(())
        })
        .await?;
        return Err(DomainError::field("current_password", "error-password-wrong").into());
    }
    let new_hash = st.hash_password(password).await?;
    let keep = auth::token_hash(&session_token);
    st.tx(move |c| {
        set_password(c, &actor.user_id, &new_hash, Some(&keep))?;
        audit(c, &actor, "user.password.change", "user", &actor.user_id)?;
        Ok(())
    })
    .await
}
