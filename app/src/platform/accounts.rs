//! Staff account administration. The deployment's administrator (every
//! municipality), a municipality's administrator and its organizer (their
//! own municipality) list staff accounts, create them, disable and re-enable
//! them and change their roles. Disabling ends the account's sessions at
//! once. Every change is audited. Residents and NGOs keep their own
//! accounts (registration, an organization's users), so they are not listed
//! here.

use chrono::NaiveDateTime;
use cus_db::audit::audit;
use cus_db::schema::{sessions, user_tokens, users};
use cus_db::{Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::platform::auth::{self, NewUser};

/// The roles of the center's and the municipality's staff.
pub const STAFF_ROLES: [Role; 10] = [
    Role::Admin,
    Role::Desk,
    Role::Organizer,
    Role::Coordinator,
    Role::SocialWorker,
    Role::Benefits,
    Role::CommunityOrganizer,
    Role::Commission,
    Role::Council,
    Role::Iod,
];

/// Who administers accounts.
pub const ADMINISTERING: &[Role] = &[Role::Admin, Role::Organizer];

/// A staff account as its administrator sees it (never its password hash).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = users)]
pub struct StaffAccount {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub municipality: Option<String>,
    pub disabled: bool,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

/// A new staff account. `municipality` is the administrator's own unless a
/// deployment administrator names one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub email: String,
    /// At least 10 characters; the holder changes it on their profile.
    pub password: String,
    pub role: String,
    #[serde(default)]
    pub municipality: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A change to an account: its role, whether it is disabled, or both.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

fn staff_role_names() -> Vec<&'static str> {
    STAFF_ROLES.iter().map(|r| r.as_str()).collect()
}

/// The roles `actor` may give: an organizer never makes administrators,
/// nor the data protection officer who watches them (the controller
/// appoints the officer; the administrator records it).
pub fn grantable_roles(actor: &Actor) -> Vec<&'static str> {
    STAFF_ROLES
        .iter()
        .filter(|r| actor.role == Role::Admin || !matches!(r, Role::Admin | Role::Iod))
        .map(|r| r.as_str())
        .collect()
}

fn grantable(actor: &Actor, name: &str) -> DomainResult<Role> {
    let role = Role::parse(name)
        .filter(|r| STAFF_ROLES.contains(r))
        .ok_or_else(|| DomainError::field("role", "error-role"))?;
    if !grantable_roles(actor).contains(&role.as_str()) {
        return Err(DomainError::Forbidden);
    }
    Ok(role)
}

/// Staff accounts within `actor`'s reach, by email; `q` filters by email or
/// name.
pub fn list(conn: &mut DbConn, actor: &Actor, q: Option<&str>) -> DomainResult<Vec<StaffAccount>> {
    actor.require(ADMINISTERING)?;
    let mut query = users::table
        .filter(users::role.eq_any(staff_role_names()))
        .select(StaffAccount::as_select())
        .order(users::email.asc())
        .into_boxed();
    if let Some(m) = &actor.municipality {
        query = query.filter(users::municipality.eq(m.clone()));
    } else if actor.role != Role::Admin {
        return Err(DomainError::Forbidden);
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            users::email
                .like(like.clone())
                .or(users::display_name.like(like)),
        );
    }
    Ok(query.limit(500).load(conn)?)
}

/// One account, if it is a staff account within `actor`'s reach (404
/// otherwise: another municipality's accounts do not exist for them).
fn reachable(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<StaffAccount> {
    actor.require(ADMINISTERING)?;
    let account: StaffAccount = users::table
        .find(id)
        .select(StaffAccount::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    let staff = Role::parse(&account.role).is_some_and(|r| STAFF_ROLES.contains(&r));
    let ours = actor.municipality.is_none() || account.municipality == actor.municipality;
    if !staff || !ours {
        return Err(DomainError::NotFound);
    }
    Ok(account)
}

/// Creates a staff account with its password hashed beforehand (hashing
/// stays out of the unit of work).
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: StaffInput,
    password_hash: String,
) -> DomainResult<String> {
    actor.require(ADMINISTERING)?;
    let role = grantable(actor, &input.role)?;
    let municipality = match (
        &actor.municipality,
        input.municipality.filter(|m| !m.is_empty()),
    ) {
        (Some(own), Some(named)) if *own != named => return Err(DomainError::NotFound),
        (Some(own), _) => Some(own.clone()),
        (None, named) => named,
    };
    let id = auth::create_user_hashed(
        conn,
        NewUser {
            display_name: input
                .display_name
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| input.email.clone()),
            email: input.email,
            password: input.password,
            role,
            municipality,
            organization_id: None,
            locale: "pl".into(),
            confirmed: true,
        },
        Some(password_hash),
    )?;
    audit(conn, actor, "user.create", "user", &id)?;
    Ok(id)
}

/// Changes an account's role or disables / re-enables it. Nobody changes
/// their own account this way (an administrator cannot lock themselves out
/// or drop their own rights). Disabling deletes the account's sessions and
/// unused links, so it is signed out everywhere at once.
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    change: AccountChange,
) -> DomainResult<StaffAccount> {
    let account = reachable(conn, actor, id)?;
    if account.id == actor.user_id {
        return Err(DomainError::Conflict("error-account-self".into()));
    }
    // An organizer does not manage administrators at all.
    if account.role == Role::Admin.as_str() && actor.role != Role::Admin {
        return Err(DomainError::Forbidden);
    }
    if let Some(name) = &change.role {
        let role = grantable(actor, name)?;
        if role.as_str() != account.role {
            // Sessions read the role afresh on every request: the new
            // rights hold from the next one.
            diesel::update(users::table.find(id))
                .set(users::role.eq(role.as_str()))
                .execute(conn)?;
            audit(
                conn,
                actor,
                &format!("user.role.{}", role.as_str()),
                "user",
                id,
            )?;
        }
    }
    if let Some(disabled) = change.disabled {
        if disabled != account.disabled {
            diesel::update(users::table.find(id))
                .set(users::disabled.eq(disabled))
                .execute(conn)?;
            if disabled {
                diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
                diesel::delete(
                    user_tokens::table
                        .filter(user_tokens::user_id.eq(id))
                        .filter(user_tokens::used_at.is_null()),
                )
                .execute(conn)?;
            }
            let action = if disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            audit(conn, actor, action, "user", id)?;
        }
    }
    reachable(conn, actor, id)
}

/// A staff account's display name (a case's assigned worker, on its page).
pub fn display_name(conn: &mut DbConn, user_id: &str) -> DomainResult<Option<String>> {
    Ok(users::table
        .find(user_id)
        .select(users::display_name)
        .first(conn)
        .optional()?)
}
