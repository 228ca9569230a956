//! Forum membership: who belongs, how they hear of new posts.

use super::*;
use cus_db::audit::audit_in;
use cus_db::schema::{forum_members, users};
use cus_db::{now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = forum_members)]
pub struct Membership {
    pub user_id: String,
    pub municipality: String,
    pub active: bool,
    pub notify: String,
    #[serde(skip)]
    pub calendar_token: String,
}

pub(super) fn eligible(actor: &Actor) -> bool {
    actor.role.is_staff() || actor.role == Role::Ngo
}

pub(super) fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The actor's membership of their municipality's forum. Staff and NGO users
/// join on first use; a removed member, or anyone else the organizer has not
/// added, is refused (403).
pub fn membership(conn: &mut DbConn, actor: &Actor) -> DomainResult<Membership> {
    let m = actor.home()?.to_string();
    let row: Option<Membership> = forum_members::table
        .find(&actor.user_id)
        .select(Membership::as_select())
        .get_result(conn)
        .optional()?;
    match row {
        Some(r) if r.active => Ok(r),
        Some(_) => Err(DomainError::Forbidden),
        None if eligible(actor) => {
            diesel::insert_into(forum_members::table)
                .values((
                    forum_members::user_id.eq(&actor.user_id),
                    forum_members::municipality.eq(&m),
                    forum_members::active.eq(true),
                    forum_members::notify.eq("digest"),
                    forum_members::calendar_token.eq(secret()),
                    forum_members::joined_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(forum_members::table
                .find(&actor.user_id)
                .select(Membership::as_select())
                .get_result(conn)?)
        }
        None => Err(DomainError::Forbidden),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub user_id: String,
    pub active: bool,
}

/// The organizer adds a user of the municipality to the forum or removes one.
pub fn set_membership(
    conn: &mut DbConn,
    actor: &Actor,
    input: MemberInput,
) -> DomainResult<Membership> {
    actor.require(&[Role::Organizer])?;
    let m = actor.home()?.to_string();
    let known: i64 = users::table
        .find(&input.user_id)
        .filter(users::municipality.eq(&m))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(DomainError::field("user_id", "error-user-unknown"));
    }
    let exists: i64 = forum_members::table
        .find(&input.user_id)
        .count()
        .get_result(conn)?;
    if exists > 0 {
        diesel::update(forum_members::table.find(&input.user_id))
            .set(forum_members::active.eq(input.active))
            .execute(conn)?;
    } else {
        diesel::insert_into(forum_members::table)
            .values((
                forum_members::user_id.eq(&input.user_id),
                forum_members::municipality.eq(&m),
                forum_members::active.eq(input.active),
                forum_members::notify.eq("digest"),
                forum_members::calendar_token.eq(secret()),
                forum_members::joined_at.eq(now()),
            ))
            .execute(conn)?;
    }
    audit_in(
        conn,
        actor,
        &m,
        if input.active {
            "forum.member.add"
        } else {
            "forum.member.remove"
        },
        "user",
        &input.user_id,
    )?;
    Ok(forum_members::table
        .find(&input.user_id)
        .select(Membership::as_select())
        .get_result(conn)?)
}

/// How the member wants to hear of forum activity.
pub fn set_notify(conn: &mut DbConn, actor: &Actor, notify: &str) -> DomainResult<Membership> {
    membership(conn, actor)?;
    if !Notify::parse(notify).is_some() {
        return Err(DomainError::field("notify", "error-notify"));
    }
    diesel::update(forum_members::table.find(&actor.user_id))
        .set(forum_members::notify.eq(notify))
        .execute(conn)?;
    membership(conn, actor)
}
