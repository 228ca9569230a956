//! Open competitions (otwarty konkurs ofert, UDPP art. 13-15): the
//! announcement with every part the statute requires, criteria with weights
//! and maximum points, publication at least 21 days before the offer
//! deadline, the public list, and cancellation (art. 18a).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::bounds::{Paging, Window};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{competitions, criteria, organizations};
use cus_db::{
    new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role,
};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::check_money;
pub use cus_db::ids::CompetitionId;
use cus_db::ids::CooperationProgramId;

/// UDPP art. 13 ust. 1: offers are due at least 21 days after the announcement.
pub const MIN_OFFER_DAYS: i64 = 21;
/// UDPP art. 16: multi-year agreements for up to 5 years (to verify: a setting).
pub const MAX_YEARS: i32 = 5;

cus_db::text_enum! {
    /// How the public task is financed.
    pub enum Financing {
        CoFinancing = "co_financing",
        FullFinancing = "full_financing",
    }
}

cus_db::text_enum! {
    /// Where an open competition stands.
    pub enum CompetitionStatus {
        Draft = "draft",
        Published = "published",
        Resolved = "resolved",
        Cancelled = "cancelled",
    }
}

impl Lifecycle for CompetitionStatus {
    fn moves(self) -> &'static [Self] {
        use CompetitionStatus::*;
        match self {
            Draft => &[Published, Cancelled],
            Published => &[Resolved, Cancelled],
            Resolved | Cancelled => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = competitions)]
pub struct CompetitionRow {
    pub id: CompetitionId,
    pub municipality: String,
    pub program_id: Option<CooperationProgramId>,
    pub title: String,
    pub task: String,
    pub service_code: Option<String>,
    pub financing: Financing,
    pub funds_grosze: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub offer_deadline: NaiveDate,
    pub award_rules: String,
    pub conditions: String,
    pub award_procedure: String,
    pub prior_funding: String,
    pub status: CompetitionStatus,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub published_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub resolved_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    /// The social services program's service this competition implements.
    pub program_service_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = criteria)]
pub struct Criterion {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub weight: i32,
    pub max_points: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Competition {
    #[serde(flatten)]
    pub row: CompetitionRow,
    pub criteria: Vec<Criterion>,
    pub currency: &'static str,
    pub offers_open: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// Unique within the competition (ignoring case).
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[schema(minimum = 1, maximum = 100)]
    pub weight: i32,
    #[schema(minimum = 1, maximum = 100)]
    pub max_points: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitionInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// The public task and its type.
    #[schema(min_length = 1, max_length = 10_000)]
    pub task: String,
    #[serde(default)]
    pub service_code: Option<String>,
    #[serde(default)]
    pub program_id: Option<String>,
    /// The service of a social services program it implements; agreements
    /// awarded from it name the same service.
    #[serde(default)]
    pub program_service_id: Option<String>,
    #[serde(default = "default_financing")]
    #[schema(value_type = Financing, default = "co_financing")]
    pub financing: String,
    #[schema(minimum = 1, maximum = 1e12)]
    pub funds_grosze: i64,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub period_start: NaiveDate,
    /// Not before `period_start`, in at most 5 calendar years.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub period_end: NaiveDate,
    /// Not in the past, not after `period_start`.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub offer_deadline: NaiveDate,
    /// Rules for awarding grants.
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub award_rules: String,
    /// Dates and conditions of carrying out the task.
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub conditions: String,
    /// The procedure and criteria of choosing offers.
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub award_procedure: String,
    /// The same tasks funded this year and last (with amounts).
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub prior_funding: String,
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Vec<CriterionInput>,
    #[serde(default)]
    #[schema(value_type = Option<cus_db::openapi::Currency>)]
    pub currency: Option<String>,
}

fn default_financing() -> String {
    "co_financing".to_string()
}

fn check_input(input: &CompetitionInput) -> DomainResult<()> {
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.text("task", &input.task, 1, 10_000);
    for (field, value) in [
        ("award_rules", &input.award_rules),
        ("conditions", &input.conditions),
        ("award_procedure", &input.award_procedure),
        ("prior_funding", &input.prior_funding),
    ] {
        check.text(field, value, 0, 10_000);
    }
    check.one_of::<Financing>(&input.financing, "financing", "error-financing");
    crate::check_currency(&mut check, &input.currency);
    check_money(&mut check, "funds_grosze", input.funds_grosze);
    check.require(
        input.funds_grosze > 0,
        "funds_grosze",
        "error-money-positive",
    );
    check.require(
        input.period_end >= input.period_start,
        "period_end",
        "error-dates-order",
    );
    check.require(
        input.period_end.year() - input.period_start.year() < MAX_YEARS,
        "period_end",
        "error-period-too-long",
    );
    check.require(
        input.offer_deadline <= input.period_start,
        "offer_deadline",
        "error-deadline-after-start",
    );
    check.require(
        input.offer_deadline >= today(),
        "offer_deadline",
        "error-date-past",
    );
    check.require(
        !input.criteria.is_empty() && input.criteria.len() <= 20,
        "criteria",
        "error-criteria",
    );
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in input.criteria.iter().enumerate() {
        check.text(&format!("criteria[{i}].name"), &c.name, 1, 300);
        check.require(
            names.insert(c.name.trim().to_lowercase()),
            &format!("criteria[{i}].name"),
            "error-duplicate",
        );
        check.require(
            (1..=100).contains(&c.weight),
            &format!("criteria[{i}].weight"),
            "error-weight",
        );
        check.require(
            (1..=100).contains(&c.max_points),
            &format!("criteria[{i}].max_points"),
            "error-max-points",
        );
    }
    check.finish()
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: CompetitionInput,
) -> DomainResult<Competition> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    check_input(&input)?;
    let program = match input.program_id.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            use cus_db::schema::programs;
            let unknown = || DomainError::field("program_id", "error-program-unknown");
            let p = CooperationProgramId::parse(p).ok_or_else(unknown)?;
            let ok: i64 = programs::table
                .find(&p)
                .filter(programs::municipality.eq(&municipality))
                .count()
                .get_result(conn)?;
            if ok == 0 {
                return Err(unknown());
            }
            Some(p)
        }
    };
    let program_service =
        crate::program_service(conn, &municipality, input.program_service_id.as_deref())?;
    let id = CompetitionId::new();
    diesel::insert_into(competitions::table)
        .values((
            competitions::program_service_id.eq(program_service),
            competitions::id.eq(&id),
            competitions::municipality.eq(&municipality),
            competitions::program_id.eq(program),
            competitions::title.eq(input.title.trim()),
            competitions::task.eq(input.task.trim()),
            competitions::service_code.eq(input.service_code.as_deref().filter(|s| !s.is_empty())),
            competitions::financing.eq(&input.financing),
            competitions::funds_grosze.eq(input.funds_grosze),
            competitions::period_start.eq(input.period_start),
            competitions::period_end.eq(input.period_end),
            competitions::offer_deadline.eq(input.offer_deadline),
            competitions::award_rules.eq(input.award_rules.trim()),
            competitions::conditions.eq(input.conditions.trim()),
            competitions::award_procedure.eq(input.award_procedure.trim()),
            competitions::prior_funding.eq(input.prior_funding.trim()),
            competitions::status.eq(CompetitionStatus::Draft),
            competitions::created_by.eq(&actor.user_id),
            competitions::created_at.eq(now()),
            competitions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    for (i, c) in input.criteria.iter().enumerate() {
        diesel::insert_into(criteria::table)
            .values((
                criteria::id.eq(new_id()),
                criteria::competition_id.eq(&id),
                criteria::position.eq(i as i32),
                criteria::name.eq(c.name.trim()),
                criteria::weight.eq(c.weight),
                criteria::max_points.eq(c.max_points),
            ))
            .execute(conn)?;
    }
    audit_in(
        conn,
        actor,
        &municipality,
        "competition.create",
        "competition",
        &id,
    )?;
    load(conn, &id)
}

pub fn load(conn: &mut DbConn, id: &CompetitionId) -> DomainResult<Competition> {
    let row: CompetitionRow = competitions::table
        .find(id)
        .select(CompetitionRow::as_select())
        .get_result(conn)
        .found()?;
    let crit = criteria::table
        .filter(criteria::competition_id.eq(id))
        .order(criteria::position)
        .select(Criterion::as_select())
        .load(conn)?;
    Ok(Competition {
        offers_open: row.status == CompetitionStatus::Published && row.offer_deadline >= today(),
        row,
        criteria: crit,
        currency: "PLN",
    })
}

/// Published competitions are public; drafts only for their organizers.
pub fn get(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: &CompetitionId,
) -> DomainResult<Competition> {
    let c = load(conn, id)?;
    if c.row.status == CompetitionStatus::Draft {
        let staff = actor.is_some_and(|a| {
            a.is(&[Role::Organizer, Role::Admin]) && a.sees_municipality(&c.row.municipality)
        });
        if !staff {
            return Err(DomainError::NotFound);
        }
    }
    Ok(c)
}

/// A competition the organizer of its municipality manages.
pub fn managed(conn: &mut DbConn, actor: &Actor, id: &CompetitionId) -> DomainResult<Competition> {
    let c = load(conn, id)?;
    if !actor.sees_municipality(&c.row.municipality) || !actor.role.is_staff() {
        return Err(DomainError::NotFound);
    }
    actor.require(&[Role::Organizer])?;
    Ok(c)
}

/// Złoty amount for announcement text: "12 345,67 zł".
fn zl(grosze: i64) -> String {
    let whole = (grosze / 100).to_string();
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    format!("{out},{:02} zł", grosze % 100)
}

/// UDPP art. 13 ust. 2 pkt 7: the same tasks funded this year and last,
/// from the platform's own records (competitions of the same service).
fn prior_funding_from_records(conn: &mut DbConn, c: &Competition) -> QueryResult<String> {
    use cus_db::schema::{agreements, tranches};
    let year = today().year();
    let mut q = competitions::table
        .filter(competitions::municipality.eq(&c.row.municipality))
        .filter(competitions::status.eq(CompetitionStatus::Resolved))
        .filter(competitions::id.ne(&c.row.id))
        .select(competitions::id)
        .into_boxed();
    q = match &c.row.service_code {
        Some(code) => q.filter(competitions::service_code.eq(code.clone())),
        None => q.filter(competitions::title.eq(c.row.title.clone())),
    };
    let ids: Vec<CompetitionId> = q.load(conn)?;
    let amounts: Vec<(i32, i64)> = tranches::table
        .inner_join(agreements::table)
        .filter(agreements::competition_id.eq_any(&ids))
        .filter(tranches::year.eq_any([year - 1, year]))
        .select((tranches::year, tranches::amount_grosze))
        .load(conn)?;
    let sum = |y: i32| {
        amounts
            .iter()
            .filter(|a| a.0 == y)
            .map(|a| a.1)
            .sum::<i64>()
    };
    Ok(format!(
        "Zadania tego samego rodzaju zlecone przez gminę (według rejestru platformy): {}: {}; {}: {}.",
        year - 1,
        zl(sum(year - 1)),
        year,
        zl(sum(year))
    ))
}

/// Publishes the announcement with every part art. 13 requires: parts the
/// organizer left empty are composed from the competition's own data (the
/// form of the grant and the funds, the period, the criteria, and the same
/// tasks funded this year and last from the platform's records). Refused
/// when offers would be due in fewer than 21 days.
pub fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CompetitionId,
    public_url: &str,
) -> DomainResult<Competition> {
    let c = managed(conn, actor, id)?;
    if c.row.status != CompetitionStatus::Draft {
        return Err(DomainError::conflict("error-competition-not-draft"));
    }
    let earliest = today() + Duration::days(MIN_OFFER_DAYS);
    if c.row.offer_deadline < earliest {
        return Err(DomainError::field("offer_deadline", "error-deadline-21"));
    }
    let form = if c.row.financing == Financing::CoFinancing {
        "wspierania (współfinansowania)"
    } else {
        "powierzenia (pełnego finansowania)"
    };
    let award_rules = if c.row.award_rules.trim().is_empty() {
        format!(
            "Dotacja w formie {form} realizacji zadania; łączna wysokość środków: {}.",
            zl(c.row.funds_grosze)
        )
    } else {
        c.row.award_rules.clone()
    };
    let conditions = if c.row.conditions.trim().is_empty() {
        format!(
            "Zadanie realizowane od {} do {}.",
            c.row.period_start, c.row.period_end
        )
    } else {
        c.row.conditions.clone()
    };
    let procedure = if c.row.award_procedure.trim().is_empty() {
        let list: Vec<String> = c
            .criteria
            .iter()
            .map(|k| format!("{} (waga {}, maks. {} pkt)", k.name, k.weight, k.max_points))
            .collect();
        format!(
            "Ocena formalna, następnie ocena komisji konkursowej; oferty do {} włącznie. Kryteria: {}.",
            c.row.offer_deadline,
            list.join("; ")
        )
    } else {
        c.row.award_procedure.clone()
    };
    let prior = if c.row.prior_funding.trim().is_empty() {
        prior_funding_from_records(conn, &c)?
    } else {
        c.row.prior_funding.clone()
    };
    diesel::update(competitions::table.find(id))
        .set((
            competitions::award_rules.eq(award_rules),
            competitions::conditions.eq(conditions),
            competitions::award_procedure.eq(procedure),
            competitions::prior_funding.eq(prior),
        ))
        .execute(conn)?;
    diesel::update(competitions::table.find(id))
        .set((
            competitions::status.eq(CompetitionStatus::Published),
            competitions::published_at.eq(now()),
            competitions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "competition.publish",
        "competition",
        id,
    )?;
    // Alerts to NGOs that asked for them.
    let subscribers: Vec<String> = organizations::table
        .filter(organizations::municipality.eq(&c.row.municipality))
        .filter(organizations::alerts.eq(true))
        .select(organizations::email)
        .load(conn)?;
    for email in subscribers {
        outbox::enqueue(
            conn,
            "competition_published",
            "pl",
            &email,
            &serde_json::json!({
                "title": c.row.title,
                "deadline": c.row.offer_deadline.to_string(),
                "link": format!("{}/competitions/{}", public_url.trim_end_matches('/'), id),
            }),
        )?;
    }
    load(conn, id)
}

/// Competitions anyone may read: published, in evaluation, resolved or
/// cancelled; newest first; of one municipality when given; the latest 200
/// (the Atom feed; the list is [`public_find`]).
pub fn public_list(
    conn: &mut DbConn,
    municipality: Option<&str>,
) -> DomainResult<Vec<CompetitionRow>> {
    let mut q = competitions::table
        .filter(competitions::status.ne(CompetitionStatus::Draft))
        .select(CompetitionRow::as_select())
        .order(competitions::published_at.desc())
        .limit(200)
        .into_boxed();
    if let Some(m) = municipality {
        q = q.filter(competitions::municipality.eq(m.to_string()));
    }
    Ok(q.load(conn)?)
}

cus_db::text_enum! {
    /// How a list of competitions is sorted (`?sort=`).
    pub enum CompetitionSort {
        /// The latest published (staff: created) first.
        Newest = "newest",
        /// The nearest offer deadline first.
        Deadline = "deadline",
    }
}

/// A list of competitions as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct CompetitionFilter {
    #[param(required = false, value_type = CompetitionStatus)]
    pub status: Option<String>,
    #[param(required = false, value_type = CompetitionSort, inline)]
    pub sort: Option<String>,
}

impl CompetitionFilter {
    /// The status asked for, the order and the page, or 422 on the field.
    fn read(
        &self,
        paging: &Paging,
    ) -> DomainResult<(Option<CompetitionStatus>, CompetitionSort, Window)> {
        let status = cus_db::todo::choice(&self.status, "status")?;
        let sort = cus_db::todo::choice(&self.sort, "sort")?.unwrap_or(CompetitionSort::Newest);
        Ok((status, sort, paging.window()?))
    }
}

/// One page of the public list (no drafts; of one municipality when given),
/// newest published first unless sorted by deadline, and how many in all.
pub fn public_find(
    conn: &mut DbConn,
    municipality: Option<&str>,
    filter: &CompetitionFilter,
    paging: &Paging,
) -> DomainResult<(Vec<CompetitionRow>, i64)> {
    let (status, sort, window) = filter.read(paging)?;
    let scope = || {
        let mut q = competitions::table
            .filter(competitions::status.ne(CompetitionStatus::Draft))
            .into_boxed();
        if let Some(m) = municipality {
            q = q.filter(competitions::municipality.eq(m.to_string()));
        }
        if let Some(s) = status {
            q = q.filter(competitions::status.eq(s));
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    let q = scope().select(CompetitionRow::as_select());
    let q = match sort {
        // Never published (cancelled as drafts) last, on either database.
        CompetitionSort::Newest => q.order((
            competitions::published_at.is_null(),
            competitions::published_at.desc(),
            competitions::id,
        )),
        CompetitionSort::Deadline => q.order((competitions::offer_deadline, competitions::id)),
    };
    Ok((window.of(q).load(conn)?, total))
}

/// One page of the staff's list of the municipality's competitions (drafts
/// for the organizer only), newest first unless sorted by deadline, and how
/// many in all.
pub fn find(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &CompetitionFilter,
    paging: &Paging,
) -> DomainResult<(Vec<CompetitionRow>, i64)> {
    let m = actor.home()?.to_string();
    let (status, sort, window) = filter.read(paging)?;
    let scope = || {
        let mut q = competitions::table
            .filter(competitions::municipality.eq(m.clone()))
            .into_boxed();
        if actor.role != Role::Organizer {
            q = q.filter(competitions::status.ne(CompetitionStatus::Draft));
        }
        if let Some(s) = status {
            q = q.filter(competitions::status.eq(s));
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    let q = scope().select(CompetitionRow::as_select());
    let q = match sort {
        CompetitionSort::Newest => q.order((competitions::created_at.desc(), competitions::id)),
        CompetitionSort::Deadline => q.order((competitions::offer_deadline, competitions::id)),
    };
    Ok((window.of(q).load(conn)?, total))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Cancels a competition (art. 18a); the cancellation is public.
pub fn cancel(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CompetitionId,
    input: CancelInput,
) -> DomainResult<Competition> {
    let c = managed(conn, actor, id)?;
    if !CompetitionStatus::can_move(c.row.status, CompetitionStatus::Cancelled) {
        return Err(DomainError::conflict("error-competition-closed"));
    }
    let mut check = Check::new();
    check.text("reason", &input.reason, 1, 2000);
    check.finish()?;
    set_cancelled(conn, id, input.reason.trim())?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "competition.cancel",
        "competition",
        id,
    )?;
    load(conn, id)
}

pub(crate) fn set_cancelled(
    conn: &mut DbConn,
    id: &CompetitionId,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(competitions::table.find(id))
        .set((
            competitions::status.eq(CompetitionStatus::Cancelled),
            competitions::cancel_reason.eq(reason),
            competitions::resolved_at.eq(now()),
            competitions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
