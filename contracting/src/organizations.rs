//! NGOs and other providers (organizacje pozarządowe, podmioty ekonomii
//! społecznej), with every identifier checked.

use chrono::NaiveDateTime;
use cus_db::bounds::Paging;
use cus_db::error::{Check, OptionalFound};
use cus_db::identifiers::{iban, krs, postal_code, Nip, Regon};
use cus_db::schema::organizations;
use cus_db::{audit::audit_in, now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use cus_db::ids::OrganizationId;

cus_db::text_enum! {
    /// An organization's legal form.
    pub enum LegalForm {
        Association = "association",
        Foundation = "foundation",
        ChurchEntity = "church_entity",
        SocialCooperative = "social_cooperative",
        NonProfitCompany = "non_profit_company",
        LocalActivityGroup = "local_activity_group",
        Other = "other",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: OrganizationId,
    pub municipality: String,
    pub name: String,
    pub legal_form: String,
    pub krs: Option<String>,
    pub nip: String,
    pub regon: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub email: String,
    pub phone: Option<String>,
    pub iban: Option<String>,
    pub alerts: bool,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[schema(value_type = LegalForm)]
    pub legal_form: String,
    /// Up to 10 digits (zero-padded on the left), or empty.
    #[serde(default)]
    #[schema(pattern = "^([0-9]{1,10})?$")]
    pub krs: Option<String>,
    /// 10 digits with the NIP checksum (dashes and spaces are dropped).
    #[schema(format = "nip", pattern = "^[0-9]{10}$")]
    pub nip: String,
    /// 9 or 14 digits with the REGON checksum.
    #[schema(format = "regon", pattern = "^([0-9]{9}|[0-9]{14})$")]
    pub regon: String,
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// `NN-NNN`, or empty.
    #[serde(default)]
    #[schema(pattern = "^([0-9]{2}-[0-9]{3})?$")]
    pub postal_code: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub city: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// A Polish IBAN: `PL` (optional) and 26 digits with the checksum, or empty.
    #[serde(default)]
    #[schema(format = "iban", pattern = "^((PL)?[0-9]{26})?$")]
    pub iban: Option<String>,
    /// Email alerts about newly published competitions.
    #[serde(default)]
    pub alerts: bool,
}

/// The input with identifiers normalised, or every field error at once.
pub fn validate(input: &OrganizationInput) -> DomainResult<OrganizationInput> {
    let mut check = Check::new();
    check.text("name", &input.name, 1, 300);
    check.require(
        LegalForm::parse(&input.legal_form).is_some(),
        "legal_form",
        "error-legal-form",
    );
    check.text("address", &input.address, 1, 300);
    check.text("city", &input.city, 0, 100);
    let mut out = input.clone();
    match Nip::parse(&input.nip) {
        Ok(n) => out.nip = n.as_str().to_string(),
        Err(k) => check.fail("nip", k),
    }
    match Regon::parse(&input.regon) {
        Ok(r) => out.regon = r.as_str().to_string(),
        Err(k) => check.fail("regon", k),
    }
    out.krs = match input
        .krs
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => krs(k).map_err(|e| check.fail("krs", e)).ok(),
        None => None,
    };
    out.iban = match input
        .iban
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(i) => iban(i).map_err(|e| check.fail("iban", e)).ok(),
        None => None,
    };
    if !input.postal_code.trim().is_empty() {
        if let Err(k) = postal_code(&input.postal_code) {
            check.fail("postal_code", k);
        }
    }
    let email = input.email.trim().to_lowercase();
    {
        use validator::ValidateEmail;
        check.require(
            email.len() <= 254 && email.validate_email(),
            "email",
            "error-email",
        );
    }
    out.email = email;
    out.name = input.name.trim().to_string();
    check.finish()?;
    Ok(out)
}

/// The input normalised, if it may register in `municipality`: every field
/// valid and its NIP not registered there yet.
pub fn check_new(
    conn: &mut DbConn,
    municipality: &str,
    input: &OrganizationInput,
) -> DomainResult<OrganizationInput> {
    let v = validate(input)?;
    let taken: i64 = organizations::table
        .filter(organizations::municipality.eq(municipality))
        .filter(organizations::nip.eq(&v.nip))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(DomainError::field("nip", "error-nip-registered"));
    }
    Ok(v)
}

/// Registers an organization in `municipality` (self-registration or by the
/// organizer). A NIP registered twice in one municipality is refused.
pub fn create(
    conn: &mut DbConn,
    municipality: &str,
    input: &OrganizationInput,
) -> DomainResult<Organization> {
    let v = check_new(conn, municipality, input)?;
    let id = OrganizationId::new();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(&id),
            organizations::municipality.eq(municipality),
            organizations::name.eq(&v.name),
            organizations::legal_form.eq(&v.legal_form),
            organizations::krs.eq(&v.krs),
            organizations::nip.eq(&v.nip),
            organizations::regon.eq(&v.regon),
            organizations::address.eq(v.address.trim()),
            organizations::postal_code.eq(v.postal_code.trim()),
            organizations::city.eq(v.city.trim()),
            organizations::email.eq(&v.email),
            organizations::phone.eq(&v.phone),
            organizations::iban.eq(&v.iban),
            organizations::alerts.eq(v.alerts),
            organizations::created_at.eq(now()),
        ))
        .execute(conn)?;
    load(conn, &id)
}

pub fn load(conn: &mut DbConn, id: &OrganizationId) -> DomainResult<Organization> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .get_result(conn)
        .found()
}

/// An organization as its own users, or staff of its municipality, see it.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &OrganizationId) -> DomainResult<Organization> {
    let org = load(conn, id)?;
    let own = actor.acts_for(id, &org.municipality);
    let staff = actor.is(&[
        Role::Organizer,
        Role::Admin,
        Role::Commission,
        Role::Council,
    ]) && actor.sees_municipality(&org.municipality);
    if own || staff {
        Ok(org)
    } else {
        Err(DomainError::NotFound)
    }
}

/// The NGO edits its own profile; the organizer any in the municipality.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &OrganizationId,
    input: &OrganizationInput,
) -> DomainResult<Organization> {
    let org = get(conn, actor, id)?;
    if !(actor.role == Role::Ngo || actor.role == Role::Organizer) {
        return Err(DomainError::Forbidden);
    }
    let v = validate(input)?;
    if v.nip != org.nip {
        let taken: i64 = organizations::table
            .filter(organizations::municipality.eq(&org.municipality))
            .filter(organizations::nip.eq(&v.nip))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(DomainError::field("nip", "error-nip-registered"));
        }
    }
    diesel::update(organizations::table.find(id))
        .set((
            organizations::name.eq(&v.name),
            organizations::legal_form.eq(&v.legal_form),
            organizations::krs.eq(&v.krs),
            organizations::nip.eq(&v.nip),
            organizations::regon.eq(&v.regon),
            organizations::address.eq(v.address.trim()),
            organizations::postal_code.eq(v.postal_code.trim()),
            organizations::city.eq(v.city.trim()),
            organizations::email.eq(&v.email),
            organizations::phone.eq(&v.phone),
            organizations::iban.eq(&v.iban),
            organizations::alerts.eq(v.alerts),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &org.municipality,
        "organization.update",
        "organization",
        id,
    )?;
    load(conn, id)
}

fn may_list(actor: &Actor) -> DomainResult<()> {
    actor.require(&[
        Role::Organizer,
        Role::Admin,
        Role::Commission,
        Role::Council,
    ])
}

/// Organizations of the organizer's municipality, every one by name (the
/// forms' choice of an organization).
pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Organization>> {
    may_list(actor)?;
    Ok(organizations::table
        .filter(organizations::municipality.eq(actor.home()?.to_string()))
        .order(organizations::name)
        .select(Organization::as_select())
        .load(conn)?)
}

cus_db::text_enum! {
    /// How a list of organizations is sorted (`?sort=`).
    pub enum OrganizationSort {
        Name = "name",
        /// The latest registered first.
        Newest = "newest",
    }
}

/// A list of organizations as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct OrganizationFilter {
    #[param(required = false, value_type = LegalForm)]
    pub legal_form: Option<String>,
    #[param(required = false, value_type = OrganizationSort, inline)]
    pub sort: Option<String>,
}

/// One page of the organizations of the staff member's municipality that
/// `filter` asks for, and how many in all.
pub fn find(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &OrganizationFilter,
    paging: &Paging,
) -> DomainResult<(Vec<Organization>, i64)> {
    may_list(actor)?;
    let m = actor.home()?.to_string();
    let form: Option<LegalForm> = cus_db::todo::choice(&filter.legal_form, "legal_form")?;
    let sort = cus_db::todo::choice(&filter.sort, "sort")?.unwrap_or(OrganizationSort::Name);
    let window = paging.window()?;
    let scope = || {
        let mut q = organizations::table
            .filter(organizations::municipality.eq(m.clone()))
            .into_boxed();
        if let Some(f) = form {
            q = q.filter(organizations::legal_form.eq(f.as_str()));
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    let q = scope().select(Organization::as_select());
    let q = match sort {
        OrganizationSort::Name => q.order((organizations::name, organizations::id)),
        OrganizationSort::Newest => q.order((organizations::created_at.desc(), organizations::id)),
    };
    Ok((window.of(q).load(conn)?, total))
}
