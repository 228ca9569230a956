//! Accounts and sessions: argon2id password hashes, server-side sessions
//! (cookie for pages, bearer token for the API; only token hashes are
//! stored), login throttling per account and per address, registration with
//! email confirmation through the outbox.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use cus_db::error::{Check, OptionalFound};
use cus_db::ids::OrganizationId;
use cus_db::schema::{
    login_attempts, municipalities, organizations, residents, sessions, user_tokens, users,
};
use cus_db::{new_id, now, outbox, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::platform::config::Security;

pub const SESSION_COOKIE: &str = "cus_session";
pub const KIND_COOKIE: &str = "cookie";
pub const KIND_BEARER: &str = "bearer";

/// A fresh random secret, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters succeeds")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a wrong
/// email costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password"))
}

pub fn check_password(check: &mut Check, field: &str, password: &str) {
    let n = password.chars().count();
    check.require(n >= 10, field, "error-password-short");
    check.require(n <= 128, field, "error-password-long");
}

pub use cus_db::error::check_email;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub municipality: Option<String>,
    pub organization_id: Option<OrganizationId>,
    pub resident_id: Option<String>,
    pub display_name: String,
    pub locale: String,
    pub email_confirmed_at: Option<NaiveDateTime>,
    pub disabled: bool,
}

impl UserRow {
    pub fn actor(self) -> Actor {
        Actor {
            role: Role::parse(&self.role).unwrap_or(Role::Resident),
            user_id: self.id,
            email: self.email,
            display_name: self.display_name,
            municipality: self.municipality,
            organization_id: self.organization_id,
            resident_id: self.resident_id,
            locale: self.locale,
        }
    }
}

/// A session just opened: the secret goes to the client once.
#[derive(Debug, Clone, Serialize)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

/// Checks credentials under the throttle and opens a session of `kind`.
pub fn login(
    conn: &mut DbConn,
    sec: &Security,
    email: &str,
    password: &str,
    address: &str,
    kind: &str,
) -> DomainResult<NewSession> {
    let email = email.trim().to_lowercase();
    let since = now() - Duration::minutes(sec.failure_window_minutes);
    let failures = |conn: &mut DbConn, by_email: bool| -> QueryResult<i64> {
        let q = login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::at.gt(since));
        if by_email {
            q.filter(login_attempts::email.eq(&email))
                .count()
                .get_result(conn)
        } else {
            q.filter(login_attempts::address.eq(address))
                .count()
                .get_result(conn)
        }
    };
    let retry_after_secs = (sec.failure_window_minutes * 60) as u64;
    if failures(conn, true)? >= sec.max_failures_per_account
        || failures(conn, false)? >= sec.max_failures_per_address
    {
        return Err(DomainError::RateLimited { retry_after_secs });
    }
    let user: Option<UserRow> = users::table
        .filter(users::email.eq(&email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash) && !u.disabled,
        None => {
            verify_password(password, dummy_hash());
            false
        }
    };
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id()),
            login_attempts::email.eq(&email),
            login_attempts::address.eq(address),
            login_attempts::succeeded.eq(ok),
            login_attempts::at.eq(now()),
        ))
        .execute(conn)?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(DomainError::Unauthorized),
    };
    if user.email_confirmed_at.is_none() {
        return Err(DomainError::conflict("error-email-unconfirmed"));
    }
    let hours = if kind == KIND_BEARER {
        sec.api_token_hours
    } else {
        sec.session_hours
    };
    let token = random_token();
    let csrf = random_token();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(&user.id),
            sessions::kind.eq(kind),
            sessions::csrf_token.eq(&csrf),
            sessions::created_at.eq(now()),
            sessions::expires_at.eq(now() + Duration::hours(hours)),
        ))
        .execute(conn)?;
    Ok(NewSession {
        token,
        csrf,
        actor: user.actor(),
    })
}

/// The user and CSRF token behind a live session of `kind`.
pub fn session_actor(
    conn: &mut DbConn,
    token: &str,
    kind: &str,
) -> QueryResult<Option<(Actor, String)>> {
    let found: Option<(UserRow, String)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash(token)))
        .filter(sessions::kind.eq(kind))
        .filter(sessions::expires_at.gt(now()))
        .filter(users::disabled.eq(false))
        .select((UserRow::as_select(), sessions::csrf_token))
        // Not `.first()`: its bound `LIMIT ?` makes SQLite re-prepare the
        // statement on every execution, bypassing the statement cache; the
        // token is the primary key, so there is at most one row anyway.
        .get_result(conn)
        .optional()?;
    Ok(found.map(|(u, csrf)| (u.actor(), csrf)))
}

/// Ends a session server-side: the token is useless from now on.
pub fn logout(conn: &mut DbConn, token: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token))))
        .execute(conn)?;
    Ok(())
}

/// What `create_user` needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub municipality: Option<String>,
    pub organization_id: Option<String>,
    pub display_name: String,
    pub locale: String,
    pub confirmed: bool,
}

/// Creates an account (administrators, the CLI and demo data; residents
/// register through [`register_resident`]).
pub fn create_user(conn: &mut DbConn, new: NewUser) -> DomainResult<String> {
    create_user_hashed(conn, new, None)
}

/// [`create_user`] with the password's argon2 hash computed beforehand:
/// hashing takes tens of milliseconds by design and must not run inside a
/// unit of work, where it would hold up every write of the group-commit
/// writer (anonymous registration hashes off the writer this way).
pub fn create_user_hashed(
    conn: &mut DbConn,
    new: NewUser,
    password_hash: Option<String>,
) -> DomainResult<String> {
    let email = new.email.trim().to_lowercase();
    let mut check = Check::new();
    check_email(&mut check, "email", &email);
    check_password(&mut check, "password", &new.password);
    if new.role != Role::Admin && new.municipality.is_none() {
        check.fail("municipality", "error-required");
    }
    check.finish()?;
    if let Some(m) = &new.municipality {
        municipalities::table
            .find(m)
            .select(municipalities::teryt)
            .first::<String>(conn)
            .optional()?
            .ok_or_else(|| DomainError::field("municipality", "error-municipality-unknown"))?;
    }
    if let Some(org) = &new.organization_id {
        check_organization(conn, new.role, new.municipality.as_deref(), org)?;
    }
    let taken: i64 = users::table
        .filter(users::email.eq(&email))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(DomainError::field("email", "error-email-taken"));
    }
    let id = new_id();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(&email),
            users::password_hash.eq(password_hash.unwrap_or_else(|| hash_password(&new.password))),
            users::role.eq(new.role.as_str()),
            users::municipality.eq(&new.municipality),
            users::organization_id.eq(&new.organization_id),
            users::display_name.eq(new.display_name.trim()),
            users::locale.eq(crate::platform::i18n::normalize(&new.locale)),
            users::email_confirmed_at.eq(new.confirmed.then(now)),
            users::disabled.eq(false),
            users::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// An account acts for an organization of its own municipality, and only
/// an NGO's or a commission member's account names one. An organization of
/// another municipality reads as unknown: its existence does not leak.
fn check_organization(
    conn: &mut DbConn,
    role: Role,
    municipality: Option<&str>,
    org: &str,
) -> DomainResult<()> {
    if !matches!(role, Role::Ngo | Role::Commission) {
        return Err(DomainError::field(
            "organization_id",
            "error-organization-role",
        ));
    }
    let home: Option<String> = organizations::table
        .find(org)
        .select(organizations::municipality)
        .first(conn)
        .optional()?;
    if home.is_none() || home.as_deref() != municipality {
        return Err(DomainError::field(
            "organization_id",
            "error-organization-unknown",
        ));
    }
    Ok(())
}

/// A resident's online registration.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    /// TERYT code of the resident's municipality (one the center serves).
    #[schema(
        format = "teryt",
        pattern = "^(0[2468]|[12][02468]|3[02])[0-9]{4}[1-589]$"
    )]
    pub municipality: String,
    /// 11 digits with the PESEL checksum and a birth date, or empty.
    #[serde(default)]
    #[schema(format = "pesel-or-blank")]
    pub pesel: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
}

/// Registers a resident: an unconfirmed account, their resident record, and
/// a confirmation mail in the outbox.
///
/// It answers alike whoever is on file, so that nobody learns from it
/// whether a person has an account or is a client of the center: for an
/// email with an account, nothing is created and the account's owner is
/// mailed instead; for a PESEL already on file, the account is made but not
/// tied to that resident's record (the desk links them once it has seen the
/// person), and the resident is mailed if the center has their address.
/// Only malformed input is refused (422).
pub fn register_resident(
    conn: &mut DbConn,
    reg: Registration,
    password_hash: String,
    locale: &str,
    public_url: &str,
) -> DomainResult<()> {
    let mut check = Check::new();
    check.text("first_name", &reg.first_name, 1, 100);
    check.text("last_name", &reg.last_name, 1, 100);
    check.text("address", reg.address.as_deref().unwrap_or(""), 0, 300);
    check.text("phone", reg.phone.as_deref().unwrap_or(""), 0, 20);
    let email = reg.email.trim().to_lowercase();
    check_email(&mut check, "email", &email);
    check_password(&mut check, "password", &reg.password);
    let pesel = match reg
        .pesel
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => match cus_db::identifiers::Pesel::parse(p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(key) => {
                check.fail("pesel", key);
                None
            }
        },
        None => None,
    };
    check.finish()?;
    require_municipality(conn, &reg.municipality)?;
    if account_exists(conn, &email)? {
        return Ok(());
    }
    let on_file: Option<(String, Option<String>)> = match &pesel {
        Some(p) => residents::table
            .filter(residents::municipality.eq(&reg.municipality))
            .filter(residents::pesel.eq(p))
            .select((residents::id, residents::email))
            .first(conn)
            .optional()?,
        None => None,
    };
    let user_id = create_user_hashed(
        conn,
        NewUser {
            email: email.clone(),
            password: reg.password,
            role: Role::Resident,
            municipality: Some(reg.municipality.clone()),
            organization_id: None,
            display_name: format!("{} {}", reg.first_name.trim(), reg.last_name.trim()),
            locale: locale.to_string(),
            confirmed: false,
        },
        Some(password_hash),
    )?;
    match on_file {
        None => {
            let resident_id = new_id();
            diesel::insert_into(residents::table)
                .values((
                    residents::id.eq(&resident_id),
                    residents::municipality.eq(&reg.municipality),
                    residents::pesel.eq(&pesel),
                    residents::first_name.eq(reg.first_name.trim()),
                    residents::last_name.eq(reg.last_name.trim()),
                    residents::address.eq(reg.address.as_deref().unwrap_or("").trim()),
                    residents::email.eq(&email),
                    residents::phone.eq(reg.phone.as_deref().map(str::trim)),
                    residents::created_at.eq(now()),
                ))
                .execute(conn)?;
            diesel::update(users::table.find(&user_id))
                .set(users::resident_id.eq(&resident_id))
                .execute(conn)?;
        }
        Some((resident_id, resident_email)) => {
            // A PESEL proves nothing: the account stays apart from the
            // record, the audit log tells the center, the mail the person.
            let account: UserRow = users::table
                .find(&user_id)
                .select(UserRow::as_select())
                .first(conn)?;
            cus_db::audit::audit_in(
                conn,
                &account.actor(),
                &reg.municipality,
                "resident.register.pesel_on_file",
                "resident",
                &resident_id,
            )?;
            if let Some(to) = resident_email.filter(|e| !e.is_empty() && *e != email) {
                mail_once(conn, "pesel_on_file", "pl", &to, &serde_json::json!({}))?;
            }
        }
    }
    send_confirmation(conn, &user_id, &email, locale, public_url)?;
    Ok(())
}

/// 422 on `municipality` unless it is a known municipality.
pub fn require_municipality(conn: &mut DbConn, teryt: &str) -> DomainResult<()> {
    let known: i64 = municipalities::table.find(teryt).count().get_result(conn)?;
    if known == 0 {
        return Err(DomainError::field(
            "municipality",
            "error-municipality-unknown",
        ));
    }
    Ok(())
}

/// Whether an account has `email` (whatever its role). If so, its owner is
/// mailed that someone tried to register with it. Callers hash the password
/// before asking, whether or not an account turns out to exist, so that the
/// answer takes as long either way.
pub fn account_exists(conn: &mut DbConn, email: &str) -> DomainResult<bool> {
    let owner: Option<String> = users::table
        .filter(users::email.eq(email))
        .select(users::locale)
        .first(conn)
        .optional()?;
    let Some(locale) = owner else {
        return Ok(false);
    };
    mail_once(
        conn,
        "account_exists",
        &locale,
        email,
        &serde_json::json!({}),
    )?;
    Ok(true)
}

/// Queues `template` for `to` unless one went to it within the hour: the
/// notices of registration attempts must not make a mail cannon.
fn mail_once(
    conn: &mut DbConn,
    template: &str,
    locale: &str,
    to: &str,
    context: &serde_json::Value,
) -> DomainResult<()> {
    use cus_db::schema::outbox as queued;
    let recent: i64 = queued::table
        .filter(queued::template.eq(template))
        .filter(queued::to_address.eq(to))
        .filter(queued::created_at.gt(now() - Duration::hours(1)))
        .count()
        .get_result(conn)?;
    if recent == 0 {
        outbox::enqueue(conn, template, locale, to, context)?;
    }
    Ok(())
}

pub fn send_confirmation(
    conn: &mut DbConn,
    user_id: &str,
    email: &str,
    locale: &str,
    public_url: &str,
) -> DomainResult<()> {
    let token = random_token();
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::token_hash.eq(token_hash(&token)),
            user_tokens::user_id.eq(user_id),
            user_tokens::purpose.eq("confirm_email"),
            user_tokens::expires_at.eq(now() + Duration::days(3)),
        ))
        .execute(conn)?;
    outbox::enqueue(
        conn,
        "confirm_email",
        locale,
        email,
        &serde_json::json!({
            "link": format!("{}/confirm?token={token}", public_url.trim_end_matches('/')),
            "token": token,
        }),
    )?;
    Ok(())
}

/// The account behind a live one-time token of `purpose`: unknown or
/// expired → 404, already used → 409.
pub fn live_token_user(conn: &mut DbConn, token: &str, purpose: &str) -> DomainResult<String> {
    let (user_id, used): (String, Option<NaiveDateTime>) = user_tokens::table
        .find(token_hash(token.trim()))
        .filter(user_tokens::purpose.eq(purpose))
        .filter(user_tokens::expires_at.gt(now()))
        .select((user_tokens::user_id, user_tokens::used_at))
        .get_result(conn)
        .found()?;
    if used.is_some() {
        return Err(DomainError::conflict("error-token-used"));
    }
    Ok(user_id)
}

/// Confirms the email behind a one-time token.
pub fn confirm_email(conn: &mut DbConn, token: &str) -> DomainResult<()> {
    let hash = token_hash(token.trim());
    let user_id = live_token_user(conn, token, "confirm_email")?;
    diesel::update(user_tokens::table.find(&hash))
        .set(user_tokens::used_at.eq(now()))
        .execute(conn)?;
    diesel::update(users::table.find(&user_id))
        .set(users::email_confirmed_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Housekeeping: expired sessions and tokens, and login attempts older than
/// a day (the throttle looks back minutes). Returns rows removed.
pub fn purge_expired(conn: &mut DbConn) -> QueryResult<usize> {
    let sessions =
        diesel::delete(sessions::table.filter(sessions::expires_at.lt(now()))).execute(conn)?;
    let tokens = diesel::delete(user_tokens::table.filter(user_tokens::expires_at.lt(now())))
        .execute(conn)?;
    let attempts = diesel::delete(
        login_attempts::table.filter(login_attempts::at.lt(now() - Duration::days(1))),
    )
    .execute(conn)?;
    Ok(sessions + tokens + attempts)
}
