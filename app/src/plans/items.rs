//! A plan's items: the services it lists, from the catalogue or contracted.

use chrono::NaiveDate;
use cus_db::audit::audit;
use cus_db::error::Check;
use cus_db::schema::{plan_items, plans};
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult, Role};
use serde::Deserialize;
use utoipa::ToSchema;

use super::*;
use crate::window::find_service;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub service_code: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub provider_agreement_id: Option<String>,
    pub frequency: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 744)]
    pub hours_per_month: Option<i32>,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub start_date: NaiveDate,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub end_date: NaiveDate,
}

/// Adds a service to a draft plan. The plan, from its first item's start to
/// its last item's end, may last at most a year.
pub fn add_item(
    conn: &mut DbConn,
    actor: &Actor,
    rules: &PlanRules,
    plan_id: &PlanId,
    item: NewItem,
) -> DomainResult<PlanItem> {
    let plan = visible_plan(conn, actor, plan_id)?;
    actor.require(&[Role::Coordinator])?;
    crate::window::ensure_unrestricted(conn, plan.resident_id.as_str())?;
    if plan.status != PlanStatus::Draft {
        return Err(DomainError::conflict("error-plan-not-draft"));
    }
    let mut check = Check::new();
    check.require(
        !item.frequency.trim().is_empty(),
        "frequency",
        "error-required",
    );
    check_text(&mut check, "frequency", &item.frequency, 200);
    let provider = item.provider.as_deref().unwrap_or("").trim().to_string();
    check_text(&mut check, "provider", &provider, 300);
    if let Some(h) = item.hours_per_month {
        check.require((0..=744).contains(&h), "hours_per_month", "error-hours");
    }
    check.require(
        item.end_date >= item.start_date,
        "end_date",
        "error-dates-order",
    );
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = plan_items::table
        .filter(plan_items::plan_id.eq(plan_id))
        .select((
            diesel::dsl::min(plan_items::start_date),
            diesel::dsl::max(plan_items::end_date),
        ))
        .first(conn)?;
    let start = first.map_or(item.start_date, |f| f.min(item.start_date));
    let end = last.map_or(item.end_date, |l| l.max(item.end_date));
    check.require(
        (end - start).num_days() < rules.max_days,
        "end_date",
        "error-plan-too-long",
    );
    check.finish()?;
    let service = find_service(conn, &plan.municipality, item.service_code.trim())
        .map_err(|_| DomainError::field("service_code", "error-service-unknown"))?;
    let agreement_id = item
        .provider_agreement_id
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let mut provider = provider;
    if let Some(aid) = agreement_id {
        let aid = &contracting::agreements::AgreementId::parse(aid).ok_or_else(|| {
            DomainError::field("provider_agreement_id", "error-agreement-unknown")
        })?;
        check_agreement(conn, actor, aid, &item)?;
        if provider.is_empty() {
            provider = contracting::agreements::get(conn, actor, aid)?.organization_name;
        }
    }
    let id = new_id();
    diesel::insert_into(plan_items::table)
        .values((
            plan_items::id.eq(&id),
            plan_items::plan_id.eq(plan_id),
            plan_items::service_id.eq(&service.id),
            plan_items::provider.eq(&provider),
            plan_items::provider_agreement_id.eq(item
                .provider_agreement_id
                .as_deref()
                .filter(|a| !a.is_empty())),
            plan_items::frequency.eq(item.frequency.trim()),
            plan_items::hours_per_month.eq(item.hours_per_month),
            plan_items::start_date.eq(item.start_date),
            plan_items::end_date.eq(item.end_date),
            plan_items::created_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::update(plans::table.find(plan_id))
        .set(plans::updated_at.eq(now()))
        .execute(conn)?;
    audit(conn, actor, "plan.item.add", "plan", plan_id)?;
    Ok(PlanItem {
        id,
        service_code: service.code,
        service_name: service.name,
        provider,
        provider_agreement_id: agreement_id.map(str::to_string),
        frequency: item.frequency.trim().to_string(),
        hours_per_month: item.hours_per_month,
        start_date: item.start_date,
        end_date: item.end_date,
    })
}

/// A plan item may name an active agreement of the municipality as its
/// provider: the item must fall within the agreement, and within what the
/// agreement still has per year.
fn check_agreement(
    conn: &mut DbConn,
    actor: &Actor,
    agreement_id: &contracting::agreements::AgreementId,
    item: &NewItem,
) -> DomainResult<()> {
    use contracting::agreements;
    let a = agreements::get(conn, actor, agreement_id)
        .map_err(|_| DomainError::field("provider_agreement_id", "error-agreement-unknown"))?;
    let mut check = Check::new();
    check.require(
        a.row.status == agreements::AgreementStatus::Active,
        "provider_agreement_id",
        "error-agreement-inactive",
    );
    check.require(
        item.start_date >= a.row.start_date && item.end_date <= a.row.end_date,
        "provider_agreement_id",
        "error-agreement-period",
    );
    for year in &a.capacity {
        let need = agreements::item_usage(
            year.unit,
            item.hours_per_month,
            item.start_date,
            item.end_date,
            year.year,
        );
        if need > year.remaining {
            check.fail("provider_agreement_id", "error-agreement-capacity");
            break;
        }
    }
    check.finish()
}
