//! Agreements (umowy): from a competition or another mode, co-financing or
//! full financing, up to 5 years with a tranche per year, result indicators,
//! annexes, partial and final reports, settlement and termination.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::bounds::Paging;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    agreements, annexes, budget_lines, organizations, reports, sent_reminders, tranches,
};
use cus_db::{new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::competitions::{Competition, CompetitionId, Financing, MAX_YEARS};
use crate::offers::OfferId;
use crate::organizations::OrganizationId;
use crate::{check_money, from_json_list, to_json};
pub use cus_db::ids::AgreementId;
use cus_db::Lifecycle;

cus_db::text_enum! {
    /// How an agreement was contracted.
    pub enum AgreementMode {
        Competition = "competition",
        SmallGrant = "small_grant",
        Procurement = "procurement",
        Partnership = "partnership",
        Own = "own",
    }
}

cus_db::text_enum! {
    /// What an agreement's capacity counts.
    pub enum CapacityUnit {
        Hours = "hours",
        Places = "places",
    }
}

cus_db::text_enum! {
    /// A report's kind.
    pub enum ReportKind {
        Partial = "partial",
        Final = "final",
    }
}

cus_db::text_enum! {
    /// Where an agreement stands: a small grant is open for public comment
    /// first; the final report or a termination ends it.
    pub enum AgreementStatus {
        PublicComment = "public_comment",
        Active = "active",
        Reported = "reported",
        Terminated = "terminated",
    }
}

impl Lifecycle for AgreementStatus {
    fn moves(self) -> &'static [Self] {
        use AgreementStatus::*;
        match self {
            PublicComment => &[Active, Reported, Terminated],
            Active => &[Reported, Terminated],
            // A reported agreement may still be terminated (settlement).
            Reported => &[Terminated],
            Terminated => &[],
        }
    }
}

impl AgreementStatus {
    /// Whether the task is still under way (reminders are due).
    pub fn under_way(self) -> bool {
        matches!(
            self,
            AgreementStatus::PublicComment | AgreementStatus::Active
        )
    }
}
/// UDPP art. 19a: a small grant is at most PLN 10,000 for at most 90 days,
/// published for comments for 7 days before the agreement.
pub const SMALL_GRANT_MAX_GROSZE: i64 = 1_000_000;
pub const SMALL_GRANT_MAX_DAYS: i64 = 90;
pub const SMALL_GRANT_COMMENT_DAYS: i64 = 7;
/// UDPP art. 18: the final report within 30 days of the task's end.
pub const FINAL_REPORT_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = agreements)]
pub struct AgreementRow {
    pub id: AgreementId,
    pub municipality: String,
    pub organization_id: OrganizationId,
    pub competition_id: Option<CompetitionId>,
    pub offer_id: Option<OfferId>,
    pub number: String,
    pub title: String,
    pub mode: AgreementMode,
    pub financing: Financing,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(skip)]
    pub indicators: String,
    pub capacity_unit: Option<CapacityUnit>,
    pub capacity_per_year: Option<i32>,
    pub status: AgreementStatus,
    pub public_comment_until: Option<NaiveDate>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub terminated_at: Option<NaiveDateTime>,
    pub termination_reason: Option<String>,
    /// The social services program's service this agreement implements.
    pub program_service_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tranche {
    /// A year of the agreement's period, each at most once.
    #[schema(minimum = 1900, maximum = 2200)]
    pub year: i32,
    #[schema(minimum = 1, maximum = 1e12)]
    pub amount_grosze: i64,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Annex {
    pub id: String,
    pub reason: String,
    pub changes: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Report {
    pub id: String,
    pub kind: ReportKind,
    pub period: String,
    pub text: String,
    pub spent_grosze: i64,
    pub spent_own_grosze: i64,
    #[serde(skip)]
    pub indicator_values_json: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Settlement {
    pub granted_grosze: i64,
    pub spent_grosze: i64,
    pub spent_own_grosze: i64,
    /// Granted but not spent: to be returned (UDPP art. 18 settlement).
    pub refund_due_grosze: i64,
    pub final_report_due: NaiveDate,
    pub final_report_filed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    #[serde(flatten)]
    pub row: AgreementRow,
    pub organization_name: String,
    pub indicators: Vec<String>,
    pub tranches: Vec<Tranche>,
    pub annexes: Vec<Annex>,
    pub reports: Vec<serde_json::Value>,
    pub settlement: Settlement,
    /// Places or hours left per year for IPUS plans (when the agreement has a capacity).
    pub capacity: Vec<YearCapacity>,
    pub currency: &'static str,
}

fn next_number(conn: &mut DbConn, municipality: &str, year: i32) -> QueryResult<String> {
    let n: i64 = agreements::table
        .filter(agreements::municipality.eq(municipality))
        .count()
        .get_result(conn)?;
    Ok(format!("UM/{municipality}/{year}/{:04}", n + 1))
}

struct NewAgreement<'a> {
    municipality: &'a str,
    organization_id: &'a OrganizationId,
    competition_id: Option<&'a CompetitionId>,
    offer_id: Option<&'a OfferId>,
    program_service_id: Option<&'a str>,
    title: &'a str,
    mode: AgreementMode,
    financing: Financing,
    start: NaiveDate,
    end: NaiveDate,
    indicators: &'a [String],
    capacity_unit: Option<CapacityUnit>,
    capacity_per_year: Option<i32>,
    tranches: &'a [Tranche],
    comment_until: Option<NaiveDate>,
}

fn insert(conn: &mut DbConn, actor: &Actor, a: NewAgreement) -> DomainResult<AgreementId> {
    let id = AgreementId::new();
    diesel::insert_into(agreements::table)
        .values((
            agreements::id.eq(&id),
            agreements::municipality.eq(a.municipality),
            agreements::organization_id.eq(a.organization_id),
            agreements::competition_id.eq(a.competition_id),
            agreements::offer_id.eq(a.offer_id),
            agreements::program_service_id.eq(a.program_service_id),
            agreements::number.eq(next_number(conn, a.municipality, today().year())?),
            agreements::title.eq(a.title),
            agreements::mode.eq(a.mode),
            agreements::financing.eq(a.financing),
            agreements::start_date.eq(a.start),
            agreements::end_date.eq(a.end),
            agreements::indicators.eq(to_json(&a.indicators)),
            agreements::capacity_unit.eq(a.capacity_unit),
            agreements::capacity_per_year.eq(a.capacity_per_year),
            agreements::status.eq(if a.comment_until.is_some() {
                AgreementStatus::PublicComment
            } else {
                AgreementStatus::Active
            }),
            agreements::public_comment_until.eq(a.comment_until),
            agreements::created_by.eq(&actor.user_id),
            agreements::created_at.eq(now()),
            agreements::updated_at.eq(now()),
        ))
        .execute(conn)?;
    write_tranches(conn, &id, a.tranches)?;
    audit_in(
        conn,
        actor,
        a.municipality,
        "agreement.create",
        "agreement",
        &id,
    )?;
    Ok(id)
}

fn write_tranches(conn: &mut DbConn, id: &AgreementId, list: &[Tranche]) -> QueryResult<()> {
    diesel::delete(tranches::table.filter(tranches::agreement_id.eq(id))).execute(conn)?;
    for t in list {
        diesel::insert_into(tranches::table)
            .values((
                tranches::id.eq(new_id()),
                tranches::agreement_id.eq(id),
                tranches::year.eq(t.year),
                tranches::amount_grosze.eq(t.amount_grosze),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The agreement for an awarded offer: the offer's budget by year, scaled
/// down when the award is less than requested (the last year takes the
/// rounding).
pub(crate) fn from_award(
    conn: &mut DbConn,
    actor: &Actor,
    c: &Competition,
    offer_id: &OfferId,
    award: i64,
) -> DomainResult<AgreementId> {
    use cus_db::schema::offers;
    let (org, title, requested, indicators): (OrganizationId, String, i64, String) = offers::table
        .find(offer_id)
        .select((
            offers::organization_id,
            offers::title,
            offers::requested_grosze,
            offers::indicators,
        ))
        .get_result(conn)?;
    let lines: Vec<(i32, i64)> = budget_lines::table
        .filter(budget_lines::offer_id.eq(offer_id))
        .select((budget_lines::year, budget_lines::amount_grosze))
        .load(conn)?;
    let mut by_year: BTreeMap<i32, i64> = BTreeMap::new();
    for (y, a) in lines {
        *by_year.entry(y).or_default() += a;
    }
    let mut list: Vec<Tranche> = by_year
        .iter()
        .map(|(y, a)| Tranche {
            year: *y,
            amount_grosze: (i128::from(*a) * i128::from(award) / i128::from(requested.max(1)))
                as i64,
        })
        .collect();
    let assigned: i64 = list.iter().map(|t| t.amount_grosze).sum();
    if let Some(last) = list.last_mut() {
        last.amount_grosze += award - assigned;
    }
    let indicators: Vec<String> = from_json_list(&indicators);
    insert(
        conn,
        actor,
        NewAgreement {
            municipality: &c.row.municipality,
            organization_id: &org,
            competition_id: Some(&c.row.id),
            offer_id: Some(offer_id),
            program_service_id: c.row.program_service_id.as_deref(),
            title: &title,
            mode: AgreementMode::Competition,
            financing: c.row.financing,
            start: c.row.period_start,
            end: c.row.period_end,
            indicators: &indicators,
            capacity_unit: None,
            capacity_per_year: None,
            tranches: &list,
            comment_until: None,
        },
    )
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    pub organization_id: String,
    /// Required when `mode` is `competition`.
    #[serde(default)]
    pub competition_id: Option<String>,
    /// The service of a social services program it implements (default:
    /// the competition's).
    #[serde(default)]
    pub program_service_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub title: Option<String>,
    #[schema(value_type = AgreementMode)]
    pub mode: String,
    #[serde(default = "default_financing")]
    #[schema(value_type = Financing, default = "full_financing")]
    pub financing: String,
    /// At most 5 calendar years from `start_date` to `end_date`; a small
    /// grant lasts under 90 days and is at most PLN 10,000.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub end_date: NaiveDate,
    /// One per year of the period, each year inside it.
    #[schema(min_items = 1)]
    pub tranches: Vec<Tranche>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Vec<String>,
    /// "hours" or "places" the provider offers per year, for IPUS planning.
    #[serde(default)]
    #[schema(value_type = Option<CapacityUnit>)]
    pub capacity_unit: Option<String>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub capacity_per_year: Option<i32>,
    #[serde(default)]
    #[schema(value_type = Option<cus_db::openapi::Currency>)]
    pub currency: Option<String>,
}

fn default_financing() -> String {
    "full_financing".to_string()
}

fn check_tranches(check: &mut Check, start: NaiveDate, end: NaiveDate, list: &[Tranche]) -> i64 {
    check.require(!list.is_empty(), "tranches", "error-required");
    let mut years = std::collections::BTreeSet::new();
    let mut total = 0i64;
    for (i, t) in list.iter().enumerate() {
        check_money(
            check,
            &format!("tranches[{i}].amount_grosze"),
            t.amount_grosze,
        );
        check.require(
            t.amount_grosze > 0,
            &format!("tranches[{i}].amount_grosze"),
            "error-money-positive",
        );
        check.require(
            (start.year()..=end.year()).contains(&t.year) && years.insert(t.year),
            &format!("tranches[{i}].year"),
            "error-year-outside",
        );
        total = total.saturating_add(t.amount_grosze.clamp(0, crate::MAX_GROSZE));
    }
    total
}

/// An agreement outside a competition (small grant, procurement,
/// partnership, the center's own staff). Small grants keep art. 19a's
/// limits and open a 7-day public comment window.
pub fn create(conn: &mut DbConn, actor: &Actor, input: AgreementInput) -> DomainResult<Agreement> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    let mode = check.one_of::<AgreementMode>(&input.mode, "mode", "error-mode");
    let financing = check.one_of::<Financing>(&input.financing, "financing", "error-financing");
    crate::check_currency(&mut check, &input.currency);
    check.text("title", input.title.as_deref().unwrap_or(""), 0, 300);
    check.require(
        input.end_date >= input.start_date,
        "end_date",
        "error-dates-order",
    );
    check.require(
        input.end_date.year() - input.start_date.year() < MAX_YEARS,
        "end_date",
        "error-period-too-long",
    );
    check.require(input.indicators.len() <= 50, "indicators", "error-too-many");
    let mut capacity_unit = None;
    if let Some(u) = &input.capacity_unit {
        capacity_unit = check.one_of::<CapacityUnit>(u, "capacity_unit", "error-capacity-unit");
    }
    if let Some(n) = input.capacity_per_year {
        check.require(
            (0..=1_000_000).contains(&n),
            "capacity_per_year",
            "error-capacity",
        );
    }
    let total = check_tranches(
        &mut check,
        input.start_date,
        input.end_date,
        &input.tranches,
    );
    if mode == Some(AgreementMode::SmallGrant) {
        check.require(
            total <= SMALL_GRANT_MAX_GROSZE,
            "tranches",
            "error-small-grant-amount",
        );
        check.require(
            (input.end_date - input.start_date).num_days() < SMALL_GRANT_MAX_DAYS,
            "end_date",
            "error-small-grant-days",
        );
    }
    if mode == Some(AgreementMode::Competition) {
        check.require(
            input.competition_id.is_some(),
            "competition_id",
            "error-required",
        );
    }
    check.finish()?;
    let (mode, financing) = (
        mode.expect("checked above"),
        financing.expect("checked above"),
    );
    let org_unknown = || DomainError::field("organization_id", "error-organization-unknown");
    let organization = OrganizationId::parse(&input.organization_id).ok_or_else(org_unknown)?;
    let org_name: String = organizations::table
        .find(&organization)
        .filter(organizations::municipality.eq(&municipality))
        .select(organizations::name)
        .first(conn)
        .optional()?
        .ok_or_else(org_unknown)?;
    let mut program_service =
        crate::program_service(conn, &municipality, input.program_service_id.as_deref())?;
    let competition = match &input.competition_id {
        None => None,
        Some(cid) => Some(
            CompetitionId::parse(cid)
                .ok_or_else(|| DomainError::field("competition_id", "error-competition-unknown"))?,
        ),
    };
    if let Some(cid) = &competition {
        use cus_db::schema::competitions;
        let named: Option<Option<String>> = competitions::table
            .find(cid)
            .filter(competitions::municipality.eq(&municipality))
            .select(competitions::program_service_id)
            .first(conn)
            .optional()?;
        match named {
            None => {
                return Err(DomainError::field(
                    "competition_id",
                    "error-competition-unknown",
                ))
            }
            Some(of_competition) => program_service = program_service.or(of_competition),
        }
    }
    let comment_until = (mode == AgreementMode::SmallGrant)
        .then(|| today() + Duration::days(SMALL_GRANT_COMMENT_DAYS));
    let title = input
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(org_name);
    let id = insert(
        conn,
        actor,
        NewAgreement {
            municipality: &municipality,
            organization_id: &organization,
            competition_id: competition.as_ref(),
            offer_id: None,
            program_service_id: program_service.as_deref(),
            title: title.trim(),
            mode,
            financing,
            start: input.start_date,
            end: input.end_date,
            indicators: &input.indicators,
            capacity_unit,
            capacity_per_year: input.capacity_per_year,
            tranches: &input.tranches,
            comment_until,
        },
    )?;
    load(conn, &id)
}

pub fn load(conn: &mut DbConn, id: &AgreementId) -> DomainResult<Agreement> {
    let mut row: AgreementRow = agreements::table
        .find(id)
        .select(AgreementRow::as_select())
        .get_result(conn)
        .found()?;
    // A small grant's comment window closes by itself.
    if row.status == AgreementStatus::PublicComment
        && row.public_comment_until.is_some_and(|d| d < today())
    {
        diesel::update(agreements::table.find(id))
            .set(agreements::status.eq(AgreementStatus::Active))
            .execute(conn)?;
        row.status = AgreementStatus::Active;
    }
    let organization_name: String = organizations::table
        .find(&row.organization_id)
        .select(organizations::name)
        .get_result(conn)?;
    let list: Vec<Tranche> = tranches::table
        .filter(tranches::agreement_id.eq(id))
        .order(tranches::year)
        .select((tranches::year, tranches::amount_grosze))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .map(|(year, amount_grosze)| Tranche {
            year,
            amount_grosze,
        })
        .collect();
    let annex_list = annexes::table
        .filter(annexes::agreement_id.eq(id))
        .order(annexes::created_at)
        .select((
            annexes::id,
            annexes::reason,
            annexes::changes,
            annexes::created_at,
        ))
        .load(conn)?;
    let report_list: Vec<Report> = reports::table
        .filter(reports::agreement_id.eq(id))
        .order(reports::submitted_at)
        .select((
            reports::id,
            reports::kind,
            reports::period,
            reports::body,
            reports::spent_grosze,
            reports::spent_own_grosze,
            reports::indicator_values,
            reports::submitted_at,
        ))
        .load(conn)?;
    // Stored amounts are bounded (check_money), the sums saturate anyway.
    let granted: i64 = list
        .iter()
        .fold(0, |sum, t| sum.saturating_add(t.amount_grosze));
    let final_report = report_list
        .iter()
        .rev()
        .find(|r| r.kind == ReportKind::Final);
    let (spent, spent_own) = match final_report {
        Some(f) => (f.spent_grosze, f.spent_own_grosze),
        None => report_list.iter().fold((0i64, 0i64), |(a, b), r| {
            (
                a.saturating_add(r.spent_grosze),
                b.saturating_add(r.spent_own_grosze),
            )
        }),
    };
    let settlement = Settlement {
        granted_grosze: granted,
        spent_grosze: spent,
        spent_own_grosze: spent_own,
        refund_due_grosze: if final_report.is_some() {
            granted.saturating_sub(spent).max(0)
        } else {
            0
        },
        final_report_due: final_report_due(row.end_date),
        final_report_filed: final_report.is_some(),
    };
    let reports_json = report_list
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["indicator_values"] =
                serde_json::from_str(&r.indicator_values_json).unwrap_or_default();
            v
        })
        .collect();
    let mut agreement = Agreement {
        indicators: from_json_list(&row.indicators),
        organization_name,
        tranches: list,
        annexes: annex_list,
        reports: reports_json,
        settlement,
        capacity: vec![],
        currency: "PLN",
        row,
    };
    agreement.capacity = capacity(conn, &agreement)?;
    Ok(agreement)
}

/// The organizer sees the municipality's agreements; an NGO its own.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &AgreementId) -> DomainResult<Agreement> {
    let a = load(conn, id)?;
    let visible = match actor.role {
        Role::Ngo => actor.acts_for(&a.row.organization_id, &a.row.municipality),
        Role::Organizer | Role::Admin | Role::Coordinator => {
            actor.sees_municipality(&a.row.municipality)
        }
        _ => false,
    };
    if visible {
        Ok(a)
    } else {
        Err(DomainError::NotFound)
    }
}

cus_db::text_enum! {
    /// How a list of agreements is sorted (`?sort=`).
    pub enum AgreementSort {
        /// The latest start first.
        Newest = "newest",
        Number = "number",
    }
}

/// A list of agreements as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct AgreementFilter {
    #[param(required = false, value_type = AgreementStatus)]
    pub status: Option<String>,
    #[param(required = false, value_type = AgreementSort, inline)]
    pub sort: Option<String>,
}

/// One page of the agreements the actor sees (the organizer's, admin's and
/// coordinator's municipality's; an NGO its own), and how many in all.
pub fn find(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &AgreementFilter,
    paging: &Paging,
) -> DomainResult<(Vec<AgreementRow>, i64)> {
    let status: Option<AgreementStatus> = cus_db::todo::choice(&filter.status, "status")?;
    let sort = cus_db::todo::choice(&filter.sort, "sort")?.unwrap_or(AgreementSort::Newest);
    let window = paging.window()?;
    let scope = || -> DomainResult<_> {
        let mut q = agreements::table.into_boxed();
        match actor.role {
            Role::Ngo => {
                q = q
                    .filter(
                        agreements::organization_id
                            .nullable()
                            .eq(actor.organization_id.clone()),
                    )
                    .filter(agreements::municipality.eq(actor.home()?.to_string()))
            }
            Role::Organizer | Role::Admin | Role::Coordinator => {
                q = q.filter(agreements::municipality.eq(actor.home()?.to_string()))
            }
            _ => return Err(DomainError::Forbidden),
        }
        if let Some(s) = status {
            q = q.filter(agreements::status.eq(s));
        }
        Ok(q)
    };
    let total: i64 = scope()?.count().get_result(conn)?;
    let q = scope()?.select(AgreementRow::as_select());
    let q = match sort {
        AgreementSort::Newest => q.order((agreements::start_date.desc(), agreements::id)),
        AgreementSort::Number => q.order((agreements::number, agreements::id)),
    };
    Ok((window.of(q).load(conn)?, total))
}

fn managed(conn: &mut DbConn, actor: &Actor, id: &AgreementId) -> DomainResult<Agreement> {
    let a = get(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    if a.row.status.is_final() {
        return Err(DomainError::conflict("error-agreement-terminated"));
    }
    Ok(a)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnexInput {
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub changes: String,
    /// New tranches, replacing the old ones.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub tranches: Option<Vec<Tranche>>,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub end_date: Option<NaiveDate>,
}

/// An annex: a reason, and changed tranches or end date.
pub fn annex(
    conn: &mut DbConn,
    actor: &Actor,
    id: &AgreementId,
    input: AnnexInput,
) -> DomainResult<Agreement> {
    let a = managed(conn, actor, id)?;
    let mut check = Check::new();
    check.text("reason", &input.reason, 1, 5000);
    check.text("changes", &input.changes, 0, 10_000);
    let end = input.end_date.unwrap_or(a.row.end_date);
    check.require(end >= a.row.start_date, "end_date", "error-dates-order");
    check.require(
        end.year() - a.row.start_date.year() < MAX_YEARS,
        "end_date",
        "error-period-too-long",
    );
    if let Some(list) = &input.tranches {
        let total = check_tranches(&mut check, a.row.start_date, end, list);
        if a.row.mode == AgreementMode::SmallGrant {
            check.require(
                total <= SMALL_GRANT_MAX_GROSZE,
                "tranches",
                "error-small-grant-amount",
            );
        }
    }
    check.finish()?;
    diesel::insert_into(annexes::table)
        .values((
            annexes::id.eq(new_id()),
            annexes::agreement_id.eq(id),
            annexes::reason.eq(input.reason.trim()),
            annexes::changes.eq(input.changes.trim()),
            annexes::created_by.eq(&actor.user_id),
            annexes::created_at.eq(now()),
        ))
        .execute(conn)?;
    if let Some(list) = &input.tranches {
        write_tranches(conn, id, list)?;
    }
    diesel::update(agreements::table.find(id))
        .set((
            agreements::end_date.eq(end),
            agreements::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &a.row.municipality,
        "agreement.annex",
        "agreement",
        id,
    )?;
    load(conn, id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The period covered, e.g. "2027" or "2027-01-01/2027-06-30".
    #[schema(min_length = 1, max_length = 100)]
    pub period: String,
    #[schema(value_type = ReportKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 20_000)]
    pub text: String,
    /// Grant money spent, at most what was granted.
    #[schema(minimum = 0, maximum = 1e12)]
    pub spent_grosze: i64,
    /// Own money spent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1e12)]
    pub spent_own_grosze: i64,
    /// The agreement's indicators (by name) and their values: numbers up
    /// to 10^12 either way, or any other JSON value; at most 50.
    #[serde(default)]
    pub indicator_values: BTreeMap<String, serde_json::Value>,
}

/// The NGO files a partial or final report (one final per agreement).
pub fn report(
    conn: &mut DbConn,
    actor: &Actor,
    id: &AgreementId,
    input: ReportInput,
) -> DomainResult<Agreement> {
    let a = get(conn, actor, id)?;
    actor.require(&[Role::Ngo])?;
    if a.row.status.is_final() {
        return Err(DomainError::conflict("error-agreement-terminated"));
    }
    if a.settlement.final_report_filed {
        return Err(DomainError::conflict("error-final-report-filed"));
    }
    let mut check = Check::new();
    let kind = check.one_of::<ReportKind>(&input.kind, "kind", "error-report-kind");
    check.text("period", &input.period, 1, 100);
    check.text("text", &input.text, 1, 20_000);
    check_money(&mut check, "spent_grosze", input.spent_grosze);
    check_money(&mut check, "spent_own_grosze", input.spent_own_grosze);
    check.require(
        input.spent_grosze <= a.settlement.granted_grosze,
        "spent_grosze",
        "error-spent-over-granted",
    );
    check.require(
        input.indicator_values.len() <= 50,
        "indicator_values",
        "error-too-many",
    );
    for (k, v) in &input.indicator_values {
        check.require(
            a.indicators.contains(k),
            &format!("indicator_values.{k}"),
            "error-indicator-unknown",
        );
        check.require(
            v.as_f64()
                .is_none_or(|n| n.abs() <= cus_db::bounds::MAX_FIGURE),
            &format!("indicator_values.{k}"),
            cus_db::bounds::OUT_OF_RANGE,
        );
    }
    check.finish()?;
    diesel::insert_into(reports::table)
        .values((
            reports::id.eq(new_id()),
            reports::agreement_id.eq(id),
            reports::kind.eq(kind.expect("checked above")),
            reports::period.eq(input.period.trim()),
            reports::body.eq(input.text.trim()),
            reports::spent_grosze.eq(input.spent_grosze),
            reports::spent_own_grosze.eq(input.spent_own_grosze),
            reports::indicator_values.eq(to_json(&input.indicator_values)),
            reports::submitted_by.eq(&actor.user_id),
            reports::submitted_at.eq(now()),
        ))
        .execute(conn)?;
    if kind == Some(ReportKind::Final) {
        diesel::update(agreements::table.find(id))
            .set(agreements::status.eq(AgreementStatus::Reported))
            .execute(conn)?;
    }
    audit_in(
        conn,
        actor,
        &a.row.municipality,
        &format!("agreement.report.{}", input.kind),
        "agreement",
        id,
    )?;
    load(conn, id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateInput {
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
}

pub fn terminate(
    conn: &mut DbConn,
    actor: &Actor,
    id: &AgreementId,
    input: TerminateInput,
) -> DomainResult<Agreement> {
    let a = managed(conn, actor, id)?;
    let mut check = Check::new();
    check.text("reason", &input.reason, 1, 5000);
    check.finish()?;
    diesel::update(agreements::table.find(id))
        .set((
            agreements::status.eq(AgreementStatus::Terminated),
            agreements::terminated_at.eq(now()),
            agreements::termination_reason.eq(input.reason.trim()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &a.row.municipality,
        "agreement.terminate",
        "agreement",
        id,
    )?;
    load(conn, id)
}

/// 30 days after the task's end; the last day chrono knows for an end date
/// that has none after it (input dates are bounded, see `cus_db::bounds`, so
/// only a row written before those bounds could get there).
pub fn final_report_due(end: NaiveDate) -> NaiveDate {
    end.checked_add_days(chrono::Days::new(FINAL_REPORT_DAYS as u64))
        .unwrap_or(NaiveDate::MAX)
}

/// What `remind_reports` records in `sent_reminders` for each mail.
pub const REMINDER_FINAL_REPORT: &str = "final_report_due";

/// The scheduled reminder: NGOs whose final report is due within 7 days (or
/// overdue by up to 30) and not filed get a mail, once per day: each mail is
/// recorded in `sent_reminders` (agreement, kind, day) in the transaction
/// that queues it, so a second run on the same day — by hand, a late tick, a
/// restored database — queues nothing new. Returns the mails queued now.
pub fn remind_reports(conn: &mut DbConn) -> QueryResult<usize> {
    remind_reports_on(conn, today())
}

/// `remind_reports` for `day`.
pub fn remind_reports_on(conn: &mut DbConn, day: NaiveDate) -> QueryResult<usize> {
    let rows: Vec<(String, String, String, NaiveDate, String)> = agreements::table
        .inner_join(organizations::table)
        .filter(
            agreements::status.eq_any([AgreementStatus::Active, AgreementStatus::PublicComment]),
        )
        .filter(agreements::end_date.le(day - Duration::days(FINAL_REPORT_DAYS - 7)))
        .filter(agreements::end_date.ge(day - Duration::days(2 * FINAL_REPORT_DAYS)))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            sent_reminders::table
                .filter(sent_reminders::agreement_id.eq(agreements::id))
                .filter(sent_reminders::kind.eq(REMINDER_FINAL_REPORT))
                .filter(sent_reminders::day.eq(day)),
        )))
        .select((
            agreements::id,
            agreements::number,
            agreements::title,
            agreements::end_date,
            organizations::email,
        ))
        .load(conn)?;
    let mut queued = 0;
    for (id, number, title, end, email) in &rows {
        let sent = cus_db::transaction(conn, |c| {
            let outbox_id = outbox::enqueue(
                c,
                "report_due",
                "pl",
                email,
                &serde_json::json!({
                    "agreement_id": id,
                    "number": number,
                    "title": title,
                    "due": final_report_due(*end).to_string(),
                }),
            )?;
            diesel::insert_into(sent_reminders::table)
                .values((
                    sent_reminders::agreement_id.eq(id),
                    sent_reminders::kind.eq(REMINDER_FINAL_REPORT),
                    sent_reminders::day.eq(day),
                    sent_reminders::outbox_id.eq(&outbox_id),
                    sent_reminders::created_at.eq(now()),
                ))
                .execute(c)
        });
        match sent {
            Ok(_) => queued += 1,
            // A concurrent run recorded this reminder first; its mail stands.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(queued)
}

/// What one IPUS plan item takes from an agreement in `year`: hours (its
/// monthly hours times the months it runs that year) or one place.
pub fn item_usage(
    unit: CapacityUnit,
    hours_per_month: Option<i32>,
    start: NaiveDate,
    end: NaiveDate,
    year: i32,
) -> i64 {
    let months = (1..=12u32)
        .filter(|m| {
            // The month's first and last day; none outside chrono's years.
            let Some(first) = NaiveDate::from_ymd_opt(year, *m, 1) else {
                return false;
            };
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            start <= last && end >= first
        })
        .count() as i64;
    match unit {
        CapacityUnit::Hours => months * i64::from(hours_per_month.unwrap_or(0)),
        CapacityUnit::Places => i64::from(months > 0),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearCapacity {
    pub year: i32,
    pub unit: CapacityUnit,
    pub capacity: i64,
    pub used: i64,
    pub remaining: i64,
}

/// Per year of the agreement: its capacity, what IPUS plan items that name
/// it use (closed plans excluded), and what remains — so coordinators do not
/// overbook a provider. Empty when the agreement states no capacity.
pub fn capacity(conn: &mut DbConn, a: &Agreement) -> QueryResult<Vec<YearCapacity>> {
    use cus_db::schema::{plan_items, plans};
    let (Some(unit), Some(cap)) = (a.row.capacity_unit, a.row.capacity_per_year) else {
        return Ok(vec![]);
    };
    let items: Vec<(Option<i32>, NaiveDate, NaiveDate)> = plan_items::table
        .inner_join(plans::table)
        .filter(plan_items::provider_agreement_id.eq(&a.row.id))
        .filter(plans::status.ne(cus_db::states::PlanStatus::Closed))
        .select((
            plan_items::hours_per_month,
            plan_items::start_date,
            plan_items::end_date,
        ))
        .load(conn)?;
    Ok((a.row.start_date.year()..=a.row.end_date.year())
        .map(|year| {
            let used: i64 = items
                .iter()
                .map(|(h, s, e)| item_usage(unit, *h, *s, *e, year))
                .sum();
            YearCapacity {
                year,
                unit,
                capacity: i64::from(cap),
                used,
                remaining: i64::from(cap) - used,
            }
        })
        .collect())
}
