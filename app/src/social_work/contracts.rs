//! Social contracts (kontrakt socjalny, social assistance act art. 108): the
//! social worker's written agreement with a client: goals, the client's and
//! the worker's commitments with dates, each ticked off with a note as it
//! is kept, and an end: completed, broken or cancelled (the two latter with
//! a reason). A contract ends on the day of that transition.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{contract_commitments, residents, social_contracts, users};
use cus_db::{now, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{same_municipality, ContractId};
use cus_db::ids::ResidentId;

cus_db::text_enum! {
    /// Where a social contract stands.
    pub enum ContractStatus {
        Active = "active",
        Completed = "completed",
        Broken = "broken",
        Cancelled = "cancelled",
    }
}

impl Lifecycle for ContractStatus {
    fn moves(self) -> &'static [Self] {
        use ContractStatus::*;
        match self {
            Active => &[Completed, Broken, Cancelled],
            Completed | Broken | Cancelled => &[],
        }
    }
}

cus_db::text_enum! {
    /// Whose commitment it is.
    pub enum Party {
        Client = "client",
        Worker = "worker",
    }
}

/// The roles that read social contracts: the social worker and the
/// benefits officer (a contract bears on benefits, art. 108 ust. 2).
pub const READING: &[Role] = &[Role::SocialWorker, Role::Benefits];

/// The most goals, and the most commitments of each party.
pub const MAX_GOALS: usize = 20;
pub const MAX_COMMITMENTS: usize = 30;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
    /// By when; within the contract's dates.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub due: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub resident_id: String,
    #[schema(min_items = 1, max_items = 20)]
    pub goals: Vec<String>,
    #[schema(max_items = 30)]
    pub client_commitments: Vec<CommitmentInput>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub worker_commitments: Vec<CommitmentInput>,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub end_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = social_contracts)]
pub struct Contract {
    pub id: ContractId,
    pub municipality: String,
    pub resident_id: ResidentId,
    pub worker_id: String,
    #[serde(skip)]
    pub goals: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
    pub reason: Option<String>,
    /// The day it was completed, broken or cancelled.
    pub ended_on: Option<NaiveDate>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = contract_commitments)]
pub struct Commitment {
    /// The position `n` of `POST …/commitments/{n}`: the client's from 0,
    /// then the worker's.
    pub position: i32,
    #[serde(skip)]
    pub party: Party,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub done: bool,
    pub note: String,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub done_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    #[serde(flatten)]
    pub contract: Contract,
    #[serde(rename = "goals")]
    pub goal_list: Vec<String>,
    pub resident_name: String,
    pub worker_name: String,
    pub client_commitments: Vec<Commitment>,
    pub worker_commitments: Vec<Commitment>,
    /// Commitments past their date and not kept, while the contract is active.
    pub overdue_commitments: i64,
}

fn check_commitments(
    check: &mut Check,
    field: &str,
    list: &[CommitmentInput],
    start: NaiveDate,
    end: NaiveDate,
) {
    check.require(list.len() <= MAX_COMMITMENTS, field, "error-too-many");
    for c in list {
        check.text(field, &c.text, 1, 1000);
        if c.due < start || c.due > end {
            check.fail(field, "error-commitment-due");
        }
    }
}

pub fn create_contract(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewContract,
) -> DomainResult<ContractView> {
    actor.require(&[Role::SocialWorker])?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    let goals: Vec<String> = new
        .goals
        .iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    check.require(!goals.is_empty(), "goals", "error-required");
    check.require(goals.len() <= MAX_GOALS, "goals", "error-too-many");
    for g in &goals {
        check.text("goals", g, 1, 1000);
    }
    check.require(
        new.end_date >= new.start_date,
        "end_date",
        "error-dates-order",
    );
    check.require(
        !new.client_commitments.is_empty(),
        "client_commitments",
        "error-required",
    );
    check_commitments(
        &mut check,
        "client_commitments",
        &new.client_commitments,
        new.start_date,
        new.end_date,
    );
    check_commitments(
        &mut check,
        "worker_commitments",
        &new.worker_commitments,
        new.start_date,
        new.end_date,
    );
    let resident = ResidentId::parse(new.resident_id.trim());
    let known = match &resident {
        Some(r) => residents::table
            .find(r)
            .filter(residents::municipality.eq(&municipality))
            .filter(residents::anonymised_at.is_null())
            .select(residents::id)
            .first::<ResidentId>(conn)
            .optional()?,
        None => None,
    };
    check.require(known.is_some(), "resident_id", "error-resident-unknown");
    check.finish()?;
    let resident = known.expect("checked above");
    crate::window::ensure_unrestricted(conn, resident.as_str())?;
    let id = ContractId::new();
    let at = now();
    diesel::insert_into(social_contracts::table)
        .values((
            social_contracts::id.eq(&id),
            social_contracts::municipality.eq(&municipality),
            social_contracts::resident_id.eq(&resident),
            social_contracts::worker_id.eq(&actor.user_id),
            social_contracts::goals.eq(serde_json::to_string(&goals).expect("strings serialize")),
            social_contracts::start_date.eq(new.start_date),
            social_contracts::end_date.eq(new.end_date),
            social_contracts::status.eq(ContractStatus::Active),
            social_contracts::created_at.eq(at),
            social_contracts::updated_at.eq(at),
        ))
        .execute(conn)?;
    let all = new
        .client_commitments
        .iter()
        .map(|c| (Party::Client, c))
        .chain(new.worker_commitments.iter().map(|c| (Party::Worker, c)));
    for (position, (party, c)) in all.enumerate() {
        diesel::insert_into(contract_commitments::table)
            .values((
                contract_commitments::contract_id.eq(&id),
                contract_commitments::position.eq(position as i32),
                contract_commitments::party.eq(party),
                contract_commitments::text.eq(c.text.trim()),
                contract_commitments::due.eq(Some(c.due)),
                contract_commitments::done.eq(false),
                contract_commitments::note.eq(""),
            ))
            .execute(conn)?;
    }
    audit(
        conn,
        actor,
        "social_contract.create",
        "social_contract",
        &id,
    )?;
    let contract = visible(conn, actor, &id)?;
    view(conn, contract, crate::dashboard::today())
}

fn visible(conn: &mut DbConn, actor: &Actor, id: &ContractId) -> DomainResult<Contract> {
    let c: Contract = social_contracts::table
        .find(id)
        .select(Contract::as_select())
        .get_result(conn)
        .found()?;
    if !actor.is(READING) {
        return Err(DomainError::NotFound);
    }
    same_municipality(actor, &c.municipality)?;
    Ok(c)
}

fn view(conn: &mut DbConn, contract: Contract, today: NaiveDate) -> DomainResult<ContractView> {
    let (first, last): (String, String) = residents::table
        .find(&contract.resident_id)
        .select((residents::first_name, residents::last_name))
        .get_result(conn)?;
    let worker_name: String = users::table
        .find(&contract.worker_id)
        .select(users::display_name)
        .get_result(conn)?;
    let commitments: Vec<Commitment> = contract_commitments::table
        .filter(contract_commitments::contract_id.eq(&contract.id))
        .order(contract_commitments::position)
        .select(Commitment::as_select())
        .load(conn)?;
    let overdue_commitments = if contract.status == ContractStatus::Active {
        commitments
            .iter()
            .filter(|c| !c.done && c.due.is_some_and(|d| d < today))
            .count() as i64
    } else {
        0
    };
    let (client_commitments, worker_commitments) = commitments
        .into_iter()
        .partition(|c| c.party == Party::Client);
    Ok(ContractView {
        goal_list: serde_json::from_str(&contract.goals).unwrap_or_default(),
        resident_name: format!("{first} {last}"),
        worker_name,
        client_commitments,
        worker_commitments,
        overdue_commitments,
        contract,
    })
}

/// A resident's contracts with their commitments, unchecked: the caller
/// has checked who may read them (the resident's own data, the officer's
/// export).
pub fn of_resident(
    conn: &mut DbConn,
    resident: &ResidentId,
    today: NaiveDate,
) -> DomainResult<Vec<ContractView>> {
    let rows: Vec<Contract> = social_contracts::table
        .filter(social_contracts::resident_id.eq(resident))
        .order(social_contracts::start_date)
        .select(Contract::as_select())
        .load(conn)?;
    rows.into_iter().map(|c| view(conn, c, today)).collect()
}

/// A contract with its commitments (audited).
pub fn get_contract(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ContractId,
    today: NaiveDate,
) -> DomainResult<ContractView> {
    let contract = visible(conn, actor, id)?;
    audit_in(
        conn,
        actor,
        &contract.municipality,
        "social_contract.read",
        "social_contract",
        id,
    )?;
    view(conn, contract, today)
}

/// The contracts a list asks for.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    pub resident_id: Option<String>,
    #[param(required = false, value_type = ContractStatus)]
    pub status: Option<String>,
    /// A social worker's own contracts.
    pub mine: Option<bool>,
}

/// One row of a list of contracts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractRow {
    pub id: ContractId,
    pub resident_id: ResidentId,
    pub resident_name: String,
    pub worker_id: String,
    pub worker_name: String,
    pub status: ContractStatus,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// One page of the municipality's contracts, latest start first.
pub fn list_contracts(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ContractFilter,
    paging: &cus_db::bounds::Paging,
) -> DomainResult<(Vec<ContractRow>, i64)> {
    actor.require(READING)?;
    let municipality = actor.home()?.to_string();
    let status: Option<ContractStatus> = cus_db::todo::choice(&filter.status, "status")?;
    let window = paging.window()?;
    let resident = match filter.resident_id.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(
            ResidentId::parse(r).ok_or_else(|| DomainError::field("resident_id", "error-id"))?,
        ),
        None => None,
    };
    let mine = filter.mine.unwrap_or(false).then(|| actor.user_id.clone());
    let scope = || {
        let mut q = social_contracts::table
            .inner_join(residents::table)
            .inner_join(users::table)
            .filter(social_contracts::municipality.eq(municipality.clone()))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(social_contracts::status.eq(s));
        }
        if let Some(r) = &resident {
            q = q.filter(social_contracts::resident_id.eq(r.clone()));
        }
        if let Some(me) = &mine {
            q = q.filter(social_contracts::worker_id.eq(me.clone()));
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    type Row = (
        ContractId,
        ResidentId,
        String,
        String,
        String,
        String,
        ContractStatus,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = window
        .of(scope()
            .order((social_contracts::start_date.desc(), social_contracts::id))
            .select((
                social_contracts::id,
                social_contracts::resident_id,
                residents::first_name,
                residents::last_name,
                social_contracts::worker_id,
                users::display_name,
                social_contracts::status,
                social_contracts::start_date,
                social_contracts::end_date,
                social_contracts::ended_on,
            )))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|r| ContractRow {
                id: r.0,
                resident_id: r.1,
                resident_name: format!("{} {}", r.2, r.3),
                worker_id: r.4,
                worker_name: r.5,
                status: r.6,
                start_date: r.7,
                end_date: r.8,
                ended_on: r.9,
            })
            .collect(),
        total,
    ))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentUpdate {
    pub done: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Ticks a commitment off (or back on) with a note, while the contract is
/// active; `n` counts the client's commitments, then the worker's, from 0.
pub fn tick(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ContractId,
    n: i64,
    input: CommitmentUpdate,
) -> DomainResult<ContractView> {
    let contract = visible(conn, actor, id)?;
    actor.require(&[Role::SocialWorker])?;
    let position = i32::try_from(n).map_err(|_| DomainError::NotFound)?;
    let exists = contract_commitments::table
        .find((id, position))
        .select(contract_commitments::position)
        .first::<i32>(conn)
        .optional()?;
    if exists.is_none() {
        return Err(DomainError::NotFound);
    }
    crate::window::ensure_unrestricted(conn, contract.resident_id.as_str())?;
    let mut check = Check::new();
    check.text("note", &input.note, 0, 2000);
    check.finish()?;
    if contract.status != ContractStatus::Active {
        return Err(DomainError::conflict("error-contract-ended"));
    }
    diesel::update(contract_commitments::table.find((id, position)))
        .set((
            contract_commitments::done.eq(input.done),
            contract_commitments::note.eq(input.note.trim()),
            contract_commitments::done_at.eq(input.done.then(now)),
        ))
        .execute(conn)?;
    diesel::update(social_contracts::table.find(id))
        .set(social_contracts::updated_at.eq(now()))
        .execute(conn)?;
    audit(
        conn,
        actor,
        "social_contract.commitment",
        "social_contract",
        id,
    )?;
    let contract = visible(conn, actor, id)?;
    view(conn, contract, crate::dashboard::today())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractTransition {
    /// `completed`, `broken` or `cancelled`.
    #[schema(value_type = ContractStatus)]
    pub to: String,
    /// Required for `broken` and `cancelled`.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Ends an active contract on `today`.
pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ContractId,
    input: ContractTransition,
    today: NaiveDate,
) -> DomainResult<ContractView> {
    let contract = visible(conn, actor, id)?;
    actor.require(&[Role::SocialWorker])?;
    crate::window::ensure_unrestricted(conn, contract.resident_id.as_str())?;
    let mut check = Check::new();
    let to = check.one_of::<ContractStatus>(&input.to, "to", "error-contract-status");
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
    check.text("reason", reason, 0, 2000);
    check.require(
        to != Some(ContractStatus::Active),
        "to",
        "error-contract-status",
    );
    if matches!(to, Some(ContractStatus::Broken | ContractStatus::Cancelled)) {
        check.require(!reason.is_empty(), "reason", "error-required");
    }
    check.finish()?;
    let to = to.expect("checked above");
    if !ContractStatus::can_move(contract.status, to) {
        return Err(DomainError::conflict("error-contract-ended"));
    }
    let moved = diesel::update(
        social_contracts::table
            .find(id)
            .filter(social_contracts::status.eq(contract.status)),
    )
    .set((
        social_contracts::status.eq(to),
        social_contracts::reason.eq((!reason.is_empty()).then_some(reason)),
        social_contracts::ended_on.eq(Some(today)),
        social_contracts::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if moved != 1 {
        return Err(DomainError::conflict("error-contract-ended"));
    }
    audit(
        conn,
        actor,
        "social_contract.transition",
        "social_contract",
        id,
    )?;
    let contract = visible(conn, actor, id)?;
    view(conn, contract, today)
}

/// Whether `actor` may write contracts (the pages show the forms).
pub fn can_write(actor: &Actor) -> bool {
    actor.role == Role::SocialWorker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_contract_ends_and_it_ends_once() {
        use ContractStatus::*;
        for to in [Completed, Broken, Cancelled] {
            assert!(ContractStatus::can_move(Active, to));
            assert!(to.is_final());
        }
        assert!(!ContractStatus::can_move(Active, Active));
    }
}
