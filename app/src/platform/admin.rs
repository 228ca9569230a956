//! The deployment's own records: municipalities and the audit log's read
//! model.

use cus_db::identifiers::Teryt;
use cus_db::schema::{audit_log, municipalities, users};
use cus_db::{now, Actor, DomainError, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, Deserialize, ToSchema, Queryable)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    /// 7 digits `WWPPGGR`: `WW` an even voivodeship code 02–32, `R` the
    /// kind of gmina (1–5, 8, 9).
    #[schema(pattern = "^(0[2468]|[12][02468]|3[02])[0-9]{4}[1-589]$")]
    pub teryt: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// Adds a municipality (gmina) by its TERYT code.
pub fn add_municipality(
    c: &mut cus_db::DbConn,
    teryt: &str,
    name: &str,
) -> cus_db::DomainResult<()> {
    let teryt = Teryt::parse(teryt).map_err(|k| DomainError::field("teryt", k))?;
    if name.trim().is_empty() || name.len() > 200 {
        return Err(DomainError::field("name", "error-required"));
    }
    let exists: i64 = municipalities::table
        .find(teryt.as_str())
        .count()
        .get_result(c)?;
    if exists > 0 {
        return Err(DomainError::conflict("error-municipality-exists"));
    }
    diesel::insert_into(municipalities::table)
        .values((
            municipalities::teryt.eq(teryt.as_str()),
            municipalities::name.eq(name.trim()),
            municipalities::created_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema, Queryable)]
pub struct AuditRow {
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: chrono::NaiveDateTime,
    pub municipality: Option<String>,
}

/// Audit rows: an administrator sees all (of their municipality when they
/// have one), an organizer their municipality's.
pub fn audit_rows(
    c: &mut cus_db::DbConn,
    actor: &Actor,
    q: &AuditQuery,
) -> cus_db::DomainResult<(Vec<AuditRow>, i64)> {
    actor.require(&[Role::Admin, Role::Organizer])?;
    let (page, per_page) = cus_db::bounds::paging(q.page, q.per_page)?;
    let scope = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(m) = &actor.municipality {
            query = query.filter(audit_log::municipality.eq(m.clone()));
        }
        if let Some(t) = &q.subject_type {
            query = query.filter(audit_log::subject_type.eq(t.clone()));
        }
        if let Some(id) = &q.subject_id {
            query = query.filter(audit_log::subject_id.eq(id.clone()));
        }
        query
    };
    let total = scope().count().get_result(c)?;
    let rows = scope()
        .left_join(users::table)
        .select((
            audit_log::actor_id,
            users::email.nullable(),
            audit_log::action,
            audit_log::subject_type,
            audit_log::subject_id,
            audit_log::at,
            audit_log::municipality,
        ))
        .order(audit_log::at.desc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .load(c)?;
    Ok((rows, total))
}

/// Every municipality of the deployment, by name: the one list the forms,
/// the registration page and the administrator's pages choose from.
pub fn municipalities(conn: &mut cus_db::DbConn) -> QueryResult<Vec<Municipality>> {
    use cus_db::schema::municipalities as m;
    m::table
        .select((m::teryt, m::name))
        .order((m::name, m::teryt))
        .load(conn)
}
