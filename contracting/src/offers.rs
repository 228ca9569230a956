//! Offers (oferta realizacji zadania publicznego) after the official 2018
//! template: I basic data, II the bidder, III the task with its schedule,
//! results and indicators, IV the bidder's profile, V the cost calculation by
//! year and category with own contribution in money, in kind and volunteer
//! work, VII declarations. An NGO edits its offer until the deadline and
//! never sees another NGO's offers.

use chrono::{Datelike, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{budget_lines, commission_members, offers, organizations};
use cus_db::{new_id, now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::competitions::{self, Competition, CompetitionId, CompetitionStatus};
use crate::organizations::OrganizationId;
use crate::{check_money, from_json_list, to_json};
pub use cus_db::ids::OfferId;
use cus_db::Lifecycle;

// Cost categories of section V: the task's own costs and administrative costs.
cus_db::text_enum! {
    /// A budget line's category.
    pub enum CostCategory {
        Task = "task",
        Administrative = "administrative",
    }
}

cus_db::text_enum! {
    /// Where an offer stands: filed, formally checked, then awarded or not
    /// when the competition is resolved.
    pub enum OfferStatus {
        Submitted = "submitted",
        FormalPassed = "formal_passed",
        FormalFailed = "formal_failed",
        Awarded = "awarded",
        NotAwarded = "not_awarded",
    }
}

impl Lifecycle for OfferStatus {
    fn moves(self) -> &'static [Self] {
        use OfferStatus::*;
        match self {
            Submitted => &[FormalPassed, FormalFailed],
            // The formal check may be made again until the competition is resolved.
            FormalPassed => &[FormalPassed, FormalFailed, Awarded, NotAwarded],
            FormalFailed => &[FormalPassed, FormalFailed],
            Awarded | NotAwarded => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    pub id: OfferId,
    pub competition_id: CompetitionId,
    pub organization_id: OrganizationId,
    pub title: String,
    pub description: String,
    pub schedule: String,
    pub expected_results: String,
    #[serde(skip)]
    pub indicators: String,
    pub bidder_profile: String,
    pub requested_grosze: i64,
    pub own_contribution_grosze: i64,
    pub in_kind_grosze: i64,
    pub volunteer_hours: i32,
    pub declarations: bool,
    pub status: OfferStatus,
    pub formal_note: Option<String>,
    pub awarded_grosze: Option<i64>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[serde(default = "default_category")]
    #[schema(value_type = CostCategory, default = "task")]
    pub category: String,
    /// A year of the competition's period.
    #[schema(minimum = 1900, maximum = 2200)]
    pub year: i32,
    #[schema(minimum = 1, maximum = 1e12)]
    pub amount_grosze: i64,
}

fn default_category() -> String {
    "task".to_string()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Offer {
    #[serde(flatten)]
    pub row: OfferRow,
    pub organization_name: String,
    pub indicators: Vec<String>,
    pub budget_lines: Vec<BudgetLine>,
    /// Requested grant per year (section V, multi-year offers).
    pub by_year: Vec<(i32, i64)>,
    /// Total cost: grant plus own money and in-kind contribution.
    pub total_cost_grosze: i64,
    pub currency: &'static str,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(min_length = 1, max_length = 20_000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub schedule: String,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub expected_results: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub bidder_profile: String,
    /// In total at most the competition's funds.
    #[schema(min_items = 1, max_items = 200)]
    pub budget_lines: Vec<BudgetLine>,
    /// With co-financing, own money, in kind or volunteer hours are needed.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1e12)]
    pub own_contribution_grosze: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1e12)]
    pub in_kind_grosze: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub volunteer_hours: i32,
    /// Section VII statements; submitting through the API makes them.
    #[serde(default = "yes")]
    #[schema(schema_with = cus_db::openapi::always_true)]
    pub declarations: bool,
    #[serde(default)]
    #[schema(value_type = Option<cus_db::openapi::Currency>)]
    pub currency: Option<String>,
}

fn yes() -> bool {
    true
}

/// Checks the offer against its competition, budget arithmetic included;
/// returns the requested total.
fn check_offer(c: &Competition, input: &OfferInput) -> DomainResult<i64> {
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.text("description", &input.description, 1, 20_000);
    check.text("schedule", &input.schedule, 0, 10_000);
    check.text("expected_results", &input.expected_results, 0, 10_000);
    check.text("bidder_profile", &input.bidder_profile, 0, 10_000);
    check.require(input.indicators.len() <= 50, "indicators", "error-too-many");
    check.require(input.declarations, "declarations", "error-declarations");
    crate::check_currency(&mut check, &input.currency);
    check_money(
        &mut check,
        "own_contribution_grosze",
        input.own_contribution_grosze,
    );
    check_money(&mut check, "in_kind_grosze", input.in_kind_grosze);
    check.require(
        (0..=1_000_000).contains(&input.volunteer_hours),
        "volunteer_hours",
        "error-hours",
    );
    check.require(
        !input.budget_lines.is_empty() && input.budget_lines.len() <= 200,
        "budget_lines",
        "error-budget-lines",
    );
    let years = c.row.period_start.year()..=c.row.period_end.year();
    let mut total: i64 = 0;
    for (i, line) in input.budget_lines.iter().enumerate() {
        check.text(&format!("budget_lines[{i}].name"), &line.name, 1, 300);
        check.require(
            CostCategory::parse(&line.category).is_some(),
            &format!("budget_lines[{i}].category"),
            "error-category",
        );
        check.require(
            years.contains(&line.year),
            &format!("budget_lines[{i}].year"),
            "error-year-outside",
        );
        check_money(
            &mut check,
            &format!("budget_lines[{i}].amount_grosze"),
            line.amount_grosze,
        );
        check.require(
            line.amount_grosze > 0,
            &format!("budget_lines[{i}].amount_grosze"),
            "error-money-positive",
        );
        total = total.saturating_add(line.amount_grosze.clamp(0, crate::MAX_GROSZE));
    }
    check.require(
        total <= c.row.funds_grosze,
        "budget_lines",
        "error-budget-over-funds",
    );
    if c.row.financing == competitions::Financing::CoFinancing {
        let own = input
            .own_contribution_grosze
            .max(0)
            .saturating_add(input.in_kind_grosze.max(0));
        check.require(
            own > 0 || input.volunteer_hours > 0,
            "own_contribution_grosze",
            "error-own-contribution",
        );
    }
    check.finish()?;
    Ok(total)
}

fn open_competition(
    conn: &mut DbConn,
    competition_id: &CompetitionId,
    actor: &Actor,
) -> DomainResult<Competition> {
    let c = competitions::get(conn, Some(actor), competition_id)?;
    if !actor.sees_municipality(&c.row.municipality) {
        return Err(DomainError::NotFound);
    }
    if c.row.status != CompetitionStatus::Published || c.row.offer_deadline < today() {
        return Err(DomainError::conflict("error-offers-closed"));
    }
    Ok(c)
}

fn write_lines(conn: &mut DbConn, offer_id: &OfferId, lines: &[BudgetLine]) -> QueryResult<()> {
    diesel::delete(budget_lines::table.filter(budget_lines::offer_id.eq(offer_id)))
        .execute(conn)?;
    for (i, l) in lines.iter().enumerate() {
        diesel::insert_into(budget_lines::table)
            .values((
                budget_lines::id.eq(new_id()),
                budget_lines::offer_id.eq(offer_id),
                budget_lines::position.eq(i as i32),
                budget_lines::year.eq(l.year),
                budget_lines::category.eq(&l.category),
                budget_lines::name.eq(l.name.trim()),
                budget_lines::amount_grosze.eq(l.amount_grosze),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An NGO submits its offer while the competition takes offers.
pub fn submit(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
    input: OfferInput,
) -> DomainResult<Offer> {
    actor.require(&[Role::Ngo])?;
    let org = actor
        .organization_id
        .clone()
        .ok_or(DomainError::Forbidden)?;
    let c = open_competition(conn, competition_id, actor)?;
    // The organization bids where it is registered, through its own accounts.
    let org_municipality: Option<String> = organizations::table
        .find(&org)
        .select(organizations::municipality)
        .first(conn)
        .optional()?;
    if !org_municipality.is_some_and(|m| actor.acts_for(&org, &m) && m == c.row.municipality) {
        return Err(DomainError::Forbidden);
    }
    let requested = check_offer(&c, &input)?;
    let exists: i64 = offers::table
        .filter(offers::competition_id.eq(competition_id))
        .filter(offers::organization_id.eq(&org))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(DomainError::conflict("error-offer-exists"));
    }
    let id = OfferId::new();
    diesel::insert_into(offers::table)
        .values((
            offers::id.eq(&id),
            offers::competition_id.eq(competition_id),
            offers::organization_id.eq(&org),
            offers::title.eq(input.title.trim()),
            offers::description.eq(input.description.trim()),
            offers::schedule.eq(input.schedule.trim()),
            offers::expected_results.eq(input.expected_results.trim()),
            offers::indicators.eq(to_json(&input.indicators)),
            offers::bidder_profile.eq(input.bidder_profile.trim()),
            offers::requested_grosze.eq(requested),
            offers::own_contribution_grosze.eq(input.own_contribution_grosze),
            offers::in_kind_grosze.eq(input.in_kind_grosze),
            offers::volunteer_hours.eq(input.volunteer_hours),
            offers::declarations.eq(input.declarations),
            offers::status.eq(OfferStatus::Submitted),
            offers::created_by.eq(&actor.user_id),
            offers::created_at.eq(now()),
            offers::updated_at.eq(now()),
        ))
        .execute(conn)?;
    write_lines(conn, &id, &input.budget_lines)?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "offer.submit",
        "offer",
        &id,
    )?;
    load(conn, &id)
}

/// The NGO changes its offer until the deadline; after it the offer is frozen.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    offer_id: &OfferId,
    input: OfferInput,
) -> DomainResult<Offer> {
    let offer = get(conn, actor, offer_id)?;
    actor.require(&[Role::Ngo])?;
    let c = open_competition(conn, &offer.row.competition_id, actor)?;
    let requested = check_offer(&c, &input)?;
    diesel::update(offers::table.find(offer_id))
        .set((
            offers::title.eq(input.title.trim()),
            offers::description.eq(input.description.trim()),
            offers::schedule.eq(input.schedule.trim()),
            offers::expected_results.eq(input.expected_results.trim()),
            offers::indicators.eq(to_json(&input.indicators)),
            offers::bidder_profile.eq(input.bidder_profile.trim()),
            offers::requested_grosze.eq(requested),
            offers::own_contribution_grosze.eq(input.own_contribution_grosze),
            offers::in_kind_grosze.eq(input.in_kind_grosze),
            offers::volunteer_hours.eq(input.volunteer_hours),
            offers::declarations.eq(input.declarations),
            offers::updated_at.eq(now()),
        ))
        .execute(conn)?;
    write_lines(conn, offer_id, &input.budget_lines)?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "offer.update",
        "offer",
        offer_id,
    )?;
    load(conn, offer_id)
}

pub fn load(conn: &mut DbConn, id: &OfferId) -> DomainResult<Offer> {
    let row: OfferRow = offers::table
        .find(id)
        .select(OfferRow::as_select())
        .get_result(conn)
        .found()?;
    let organization_name: String = organizations::table
        .find(&row.organization_id)
        .select(organizations::name)
        .get_result(conn)?;
    let lines: Vec<BudgetLine> = budget_lines::table
        .filter(budget_lines::offer_id.eq(id))
        .order(budget_lines::position)
        .select((
            budget_lines::name,
            budget_lines::category,
            budget_lines::year,
            budget_lines::amount_grosze,
        ))
        .load(conn)?;
    let mut by_year = std::collections::BTreeMap::new();
    for l in &lines {
        *by_year.entry(l.year).or_insert(0i64) += l.amount_grosze;
    }
    Ok(Offer {
        total_cost_grosze: row.requested_grosze + row.own_contribution_grosze + row.in_kind_grosze,
        indicators: from_json_list(&row.indicators),
        organization_name,
        budget_lines: lines,
        by_year: by_year.into_iter().collect(),
        currency: "PLN",
        row,
    })
}

/// Whether `actor` sits on the competition's commission.
pub fn is_member(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
) -> QueryResult<bool> {
    let n: i64 = commission_members::table
        .find((competition_id, &actor.user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// An offer as its NGO, the organizer or a commission member sees it.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &OfferId) -> DomainResult<Offer> {
    let offer = load(conn, id)?;
    let c = competitions::load(conn, &offer.row.competition_id)?;
    let visible = match actor.role {
        Role::Ngo => actor.acts_for(&offer.row.organization_id, &c.row.municipality),
        Role::Organizer | Role::Admin => actor.sees_municipality(&c.row.municipality),
        Role::Commission => is_member(conn, actor, &c.row.id)?,
        _ => false,
    };
    if !visible {
        return Err(DomainError::NotFound);
    }
    Ok(offer)
}

/// Offers of a competition: all for the organizer and the commission, only
/// its own for an NGO.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
) -> DomainResult<Vec<Offer>> {
    let c = competitions::get(conn, Some(actor), competition_id)?;
    if !actor.sees_municipality(&c.row.municipality) {
        return Err(DomainError::NotFound);
    }
    let mut q = offers::table
        .filter(offers::competition_id.eq(competition_id))
        .select(offers::id)
        .order(offers::created_at)
        .into_boxed();
    match actor.role {
        Role::Organizer | Role::Admin => {}
        Role::Commission if is_member(conn, actor, competition_id)? => {}
        Role::Ngo => {
            q = q.filter(
                offers::organization_id
                    .nullable()
                    .eq(actor.organization_id.clone()),
            );
        }
        _ => return Err(DomainError::Forbidden),
    }
    let ids: Vec<OfferId> = q.load(conn)?;
    ids.iter().map(|id| load(conn, id)).collect()
}
