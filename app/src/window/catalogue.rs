//! The service catalogue of a municipality.

use cus_db::audit::audit;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::services;
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// A catalogue entry (katalog usług).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = services)]
pub struct Service {
    #[serde(skip)]
    pub id: String,
    pub municipality: String,
    pub code: String,
    pub name: String,
    pub area: Area,
    pub standard: String,
    pub variant: Variant,
    pub phase: Phase,
    pub fee_rule: String,
    pub access_criteria: String,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,40}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(value_type = Area)]
    pub area: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub standard: String,
    #[schema(value_type = Variant)]
    pub variant: String,
    #[serde(default = "default_phase")]
    #[schema(value_type = Phase)]
    pub phase: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub fee_rule: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub access_criteria: String,
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_phase() -> String {
    "III".to_string()
}

fn default_true() -> bool {
    true
}

impl ServiceInput {
    fn check(&self) -> DomainResult<()> {
        let mut check = Check::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 40
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        check.require(code_ok, "code", "error-code");
        check.text("name", &self.name, 1, 200);
        check.one_of::<Area>(&self.area, "area", "error-area");
        check.one_of::<Variant>(&self.variant, "variant", "error-variant");
        check.one_of::<Phase>(&self.phase, "phase", "error-phase");
        check.text("standard", &self.standard, 0, 4000);
        check.text("fee_rule", &self.fee_rule, 0, 2000);
        check.text("access_criteria", &self.access_criteria, 0, 4000);
        check.finish()
    }
}

/// Staff read the whole catalogue; residents see the active services of
/// their municipality, to choose one when they file a request.
pub fn list_services(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Service>> {
    if !(actor.role.is_staff() || actor.role == Role::Resident) {
        return Err(DomainError::Forbidden);
    }
    let municipality = actor.home()?.to_string();
    let mut q = services::table
        .filter(services::municipality.eq(municipality))
        .select(Service::as_select())
        .order((services::area, services::name))
        .into_boxed();
    if !actor.role.is_staff() {
        q = q.filter(services::active.eq(true));
    }
    Ok(q.load(conn)?)
}

pub fn find_service(conn: &mut DbConn, municipality: &str, code: &str) -> DomainResult<Service> {
    services::table
        .filter(services::municipality.eq(municipality))
        .filter(services::code.eq(code))
        .select(Service::as_select())
        .first(conn)
        .found()
}

pub fn save_service(
    conn: &mut DbConn,
    actor: &Actor,
    existing_code: Option<&str>,
    input: ServiceInput,
) -> DomainResult<Service> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    input.check()?;
    let current = match existing_code {
        Some(code) => Some(find_service(conn, &municipality, code)?),
        None => None,
    };
    if current.as_ref().map(|s| s.code.as_str()) != Some(input.code.as_str()) {
        let taken = find_service(conn, &municipality, &input.code).is_ok();
        if taken {
            return Err(DomainError::field("code", "error-code-taken"));
        }
    }
    let id = current
        .as_ref()
        .map(|s| s.id.clone())
        .unwrap_or_else(new_id);
    let values = (
        services::code.eq(&input.code),
        services::name.eq(input.name.trim()),
        services::area.eq(&input.area),
        services::standard.eq(input.standard.trim()),
        services::variant.eq(&input.variant),
        services::phase.eq(&input.phase),
        services::fee_rule.eq(input.fee_rule.trim()),
        services::access_criteria.eq(input.access_criteria.trim()),
        services::active.eq(input.active),
        services::updated_at.eq(now()),
    );
    if current.is_some() {
        diesel::update(services::table.find(&id))
            .set(values)
            .execute(conn)?;
        audit(conn, actor, "service.update", "service", &id)?;
    } else {
        diesel::insert_into(services::table)
            .values((
                services::id.eq(&id),
                services::municipality.eq(&municipality),
                services::created_at.eq(now()),
                values,
            ))
            .execute(conn)?;
        audit(conn, actor, "service.create", "service", &id)?;
    }
    find_service(conn, &municipality, &input.code)
}
