//! The public catalogue of services (API.md "Public catalogue"): for a
//! municipality, its active services by area with their standard, access
//! criteria and fee rule, and who provides each: the organizations with an
//! agreement in force today for it. No sign-in; nothing about any person.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cus_db::identifiers::Teryt;
use cus_db::schema::{
    agreements, competitions, municipalities, organizations, plan_items, plans, services,
    social_program_services,
};
use cus_db::states::PlanStatus;
use cus_db::{DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::Area;

/// Who provides a service, as the public may reach them (`null` where the
/// register does not say).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq, PartialOrd, Ord)]
pub struct Provider {
    pub name: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicService {
    pub code: String,
    pub name: String,
    pub area: Area,
    pub standard: Option<String>,
    pub access_criteria: Option<String>,
    pub fee_rule: Option<String>,
    pub providers: Vec<Provider>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCatalogue {
    /// The TERYT code asked for.
    pub municipality: String,
    /// The municipality's name.
    #[serde(skip)]
    pub name: String,
    pub services: Vec<PublicService>,
}

fn blank_none(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The catalogue of `teryt` as of `today`: a malformed code is refused on
/// `municipality`, an unknown one is not found.
pub fn public_services(
    conn: &mut DbConn,
    teryt: &str,
    today: NaiveDate,
) -> DomainResult<PublicCatalogue> {
    let teryt = Teryt::parse(teryt).map_err(|key| DomainError::field("municipality", key))?;
    let teryt = teryt.as_str().to_string();
    let name: String = municipalities::table
        .find(&teryt)
        .select(municipalities::name)
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    let mut rows: Vec<(String, String, String, Area, String, String, String)> = services::table
        .filter(services::municipality.eq(&teryt))
        .filter(services::active.eq(true))
        .order((services::area, services::name))
        .select((
            services::id,
            services::code,
            services::name,
            services::area,
            services::standard,
            services::access_criteria,
            services::fee_rule,
        ))
        .load(conn)?;
    // The areas in the statute's order (art. 2 ust. 1), not the codes'.
    rows.sort_by(|a, b| (a.3, &a.2).cmp(&(b.3, &b.2)));
    // Agreements in force today: started, not ended, not terminated.
    let in_force = agreements::table
        .filter(agreements::municipality.eq(&teryt))
        .filter(agreements::start_date.le(today))
        .filter(agreements::end_date.ge(today))
        .filter(agreements::terminated_at.is_null())
        .filter(agreements::status.ne(contracting::agreements::AgreementStatus::Terminated));
    // Each path from an agreement to a service code.
    let by_competition: Vec<(Option<String>, String)> = in_force
        .inner_join(
            competitions::table.on(agreements::competition_id.eq(competitions::id.nullable())),
        )
        .select((competitions::service_code, agreements::organization_id))
        .load(conn)?;
    let by_program: Vec<(String, String)> = in_force
        .inner_join(
            social_program_services::table
                .on(agreements::program_service_id.eq(social_program_services::id.nullable())),
        )
        .select((
            social_program_services::service_code,
            agreements::organization_id,
        ))
        .load(conn)?;
    let by_plans: Vec<(String, String)> = in_force
        .inner_join(
            plan_items::table.on(plan_items::provider_agreement_id.eq(agreements::id.nullable())),
        )
        .inner_join(plans::table.on(plans::id.eq(plan_items::plan_id)))
        .inner_join(services::table.on(services::id.eq(plan_items::service_id)))
        .filter(plans::approved_at.is_not_null().or(plans::status.eq_any([
            PlanStatus::Approved,
            PlanStatus::Active,
            PlanStatus::Review,
        ])))
        .select((services::code, agreements::organization_id))
        .load(conn)?;
    let mut orgs_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (code, org) in by_competition
        .into_iter()
        .filter_map(|(c, o)| c.map(|c| (c, o)))
        .chain(by_program)
        .chain(by_plans)
    {
        orgs_of.entry(code).or_default().insert(org);
    }
    let org_ids: Vec<&String> = orgs_of.values().flatten().collect();
    let providers: BTreeMap<String, Provider> = organizations::table
        .filter(organizations::id.eq_any(org_ids))
        .select((
            organizations::id,
            organizations::name,
            organizations::address,
            organizations::postal_code,
            organizations::city,
            organizations::email,
            organizations::phone,
        ))
        .load::<(
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
        )>(conn)?
        .into_iter()
        .map(|(id, name, street, postal, city, email, phone)| {
            let address = blank_none(format!("{street}, {postal} {city}"));
            (
                id,
                Provider {
                    name,
                    address,
                    email: blank_none(email),
                    phone: phone.and_then(blank_none),
                },
            )
        })
        .collect();
    let services = rows
        .into_iter()
        .map(|(_, code, name, area, standard, access, fee)| {
            let mut list: Vec<Provider> = orgs_of
                .get(&code)
                .into_iter()
                .flatten()
                .filter_map(|id| providers.get(id).cloned())
                .collect();
            list.sort();
            PublicService {
                code,
                name,
                area,
                standard: blank_none(standard),
                access_criteria: blank_none(access),
                fee_rule: blank_none(fee),
                providers: list,
            }
        })
        .collect();
    Ok(PublicCatalogue {
        municipality: teryt,
        name,
        services,
    })
}
