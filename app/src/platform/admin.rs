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
/// have one), an organizer and the data protection officer their
/// municipality's.
pub fn audit_rows(
    c: &mut cus_db::DbConn,
    actor: &Actor,
    q: &AuditQuery,
) -> cus_db::DomainResult<(Vec<AuditRow>, i64)> {
    actor.require(&[Role::Admin, Role::Organizer, Role::Iod])?;
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

/// What people call the subjects of audit rows, by `(subject_type,
/// subject_id)`: a resident by name, a case by its number, an agreement by
/// its number, a program or competition by its title, an account by its
/// name. Subjects of other kinds (a benchmark round, a survey's invitations)
/// are named by their kind alone.
pub fn subject_names(
    c: &mut cus_db::DbConn,
    rows: &[AuditRow],
) -> QueryResult<std::collections::HashMap<(String, String), String>> {
    use cus_db::schema::{
        agreements, benchmark_groups, communities, competitions, corrective_actions, diagnoses,
        districts, indicators, municipalities, offers, organizations, plans, programs, requests,
        residents, services, social_programs, surveys,
    };
    let mut out = std::collections::HashMap::new();
    let ids = |kind: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.subject_type == kind)
            .map(|r| r.subject_id.clone())
            .collect()
    };
    macro_rules! named {
        ($kind:literal, $table:ident, $id:ident, $name:ident) => {{
            let found: Vec<(String, String)> = $table::table
                .filter($table::$id.eq_any(ids($kind)))
                .select(($table::$id, $table::$name))
                .load(c)?;
            for (id, name) in found {
                out.insert(($kind.to_string(), id), name);
            }
        }};
    }
    named!("request", requests, id, case_number);
    named!("agreement", agreements, id, number);
    named!("competition", competitions, id, title);
    named!("program", programs, id, title);
    named!("social_program", social_programs, id, title);
    named!("offer", offers, id, title);
    named!("diagnosis", diagnoses, id, title);
    named!("organization", organizations, id, name);
    named!("community", communities, id, name);
    named!("corrective_action", corrective_actions, id, title);
    named!("survey", surveys, id, title);
    named!("benchmark_group", benchmark_groups, id, name);
    named!("indicator", indicators, code, name);
    named!("municipality", municipalities, teryt, name);
    named!("service", services, id, name);
    named!("user", users, id, display_name);
    named!("district", districts, id, name);
    let people: Vec<(String, String, String)> = residents::table
        .filter(residents::id.eq_any(ids("resident")))
        .select((residents::id, residents::first_name, residents::last_name))
        .load(c)?;
    for (id, first, last) in people {
        out.insert(("resident".to_string(), id), format!("{first} {last}"));
    }
    let plans_of: Vec<(String, String, String)> = plans::table
        .inner_join(residents::table)
        .filter(plans::id.eq_any(ids("plan")))
        .select((plans::id, residents::first_name, residents::last_name))
        .load(c)?;
    for (id, first, last) in plans_of {
        out.insert(("plan".to_string(), id), format!("IPUS: {first} {last}"));
    }
    Ok(out)
}

/// The page of an audit row's subject, where there is one.
pub fn subject_link(kind: &str, id: &str) -> Option<String> {
    let prefix = match kind {
        "resident" => "/residents",
        "request" => "/requests",
        "plan" => "/plans",
        "agreement" => "/agreements",
        "competition" => "/competitions",
        "program" => "/programs",
        "social_program" => "/social-programs",
        "diagnosis" => "/diagnoses",
        "household" => "/households",
        "referral" => "/referrals",
        "social_contract" => "/social-contracts",
        "corrective_action" => "/corrective-actions",
        "survey" => "/surveys",
        "benchmark_group" => "/benchmark-groups",
        _ => return None,
    };
    Some(format!("{prefix}/{id}"))
}

/// An audit action in the reader's language: `plan.consent_requested` is
/// the subject's kind and what was done to it, each a message
/// (`audit-subject-plan`, `audit-verb-consent_requested`); a role change
/// names the role.
pub fn action_label(lang: &str, action: &str) -> String {
    let t = |key: &str| crate::platform::i18n::t(lang, key);
    let (kind, verb) = action.split_once('.').unwrap_or((action, ""));
    let verb = match verb.strip_prefix("role.") {
        Some(role) => format!("{}: {}", t("audit-verb-role"), t(&format!("role-{role}"))),
        None => t(&format!("audit-verb-{}", verb.replace('.', "-"))),
    };
    format!("{} — {verb}", t(&format!("audit-subject-{kind}")))
}
