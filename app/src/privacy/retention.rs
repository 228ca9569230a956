//! Retention: what each rule finds past its period (`due`, and `held` for
//! residents under a legal hold), and the run that acts on it — a dry run
//! counts, a real run anonymises one resident per transaction (a run
//! killed midway leaves each resident untouched or fully anonymised; the
//! next run finishes) and deletes or clears the rest in one statement per
//! kind.

use chrono::NaiveDateTime;
use cus_db::schema::{
    audit_log, organizations, outbox, plan_events, plans, request_events, requests, residents,
    sessions, social_contracts, survey_codes, surveys, user_tokens, users,
};
use cus_db::states::PlanStatus;
use cus_db::{Actor, DbConn, DomainResult};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::anonymise::{self, ErasureLog, Why};
use super::{officer_municipality, Period, RetentionAction, RetentionKind, RetentionPeriods};
use crate::assessment;
use crate::window::{RequestStatus, ResidentId};

type Db = <DbConn as diesel::Connection>::Backend;

/// One rule as the officer sees it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleState {
    pub kind: RetentionKind,
    /// ISO 8601 duration (`P10Y`).
    pub period: String,
    pub counted_from: &'static str,
    pub action: RetentionAction,
    /// Records past their period and not yet handled.
    pub due: i64,
    /// Of those, kept under a legal hold (residents only).
    pub held: i64,
    /// The municipality this counts; `null`: every municipality.
    pub municipality: Option<String>,
}

/// What a run did (or, dry, would do) for one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Done {
    pub kind: RetentionKind,
    pub records: i64,
}

/// Where a run or a count looks, and when it is.
pub struct Scope<'a> {
    /// `None`: every municipality.
    pub municipality: Option<String>,
    pub now: NaiveDateTime,
    pub periods: &'a RetentionPeriods,
}

impl<'a> Scope<'a> {
    /// The officer's scope: their municipality, or an administrator's
    /// `asked` one (every municipality when none).
    pub fn officer(
        actor: &Actor,
        asked: Option<&str>,
        periods: &'a RetentionPeriods,
        now: NaiveDateTime,
    ) -> DomainResult<Scope<'a>> {
        Ok(Scope {
            municipality: officer_municipality(actor, asked)?,
            now,
            periods,
        })
    }

    fn cutoff(&self, kind: RetentionKind) -> NaiveDateTime {
        before(self.periods.of(kind), self.now)
    }
}

/// The instant `period` before `now`.
pub fn before(period: &Period, now: NaiveDateTime) -> NaiveDateTime {
    period.before(now.date()).and_time(now.time())
}

/// Every rule's state for the officer (their municipality; an
/// administrator's `asked` one, or every municipality).
pub fn state(
    conn: &mut DbConn,
    actor: &Actor,
    asked: Option<&str>,
    periods: &RetentionPeriods,
    now: NaiveDateTime,
) -> DomainResult<Vec<RuleState>> {
    let scope = Scope::officer(actor, asked, periods, now)?;
    let mut out = vec![];
    for &kind in RetentionKind::ALL {
        let (due, held) = match kind {
            RetentionKind::ClosedCases => (
                closed_cases(&scope, false).count().get_result(conn)?,
                closed_cases(&scope, true).count().get_result(conn)?,
            ),
            _ => (act(conn, &scope, kind, true)?, 0),
        };
        out.push(RuleState {
            kind,
            period: periods.of(kind).as_str().to_string(),
            counted_from: kind.counted_from(),
            action: kind.action(),
            due,
            held,
            municipality: scope.municipality.clone(),
        });
    }
    Ok(out)
}

/// The officer's run (`dry_run` counts only).
pub fn run(
    conn: &mut DbConn,
    actor: &Actor,
    asked: Option<&str>,
    dry_run: bool,
    periods: &RetentionPeriods,
    log: &ErasureLog,
    now: NaiveDateTime,
) -> DomainResult<Vec<Done>> {
    let scope = Scope::officer(actor, asked, periods, now)?;
    let done = run_in(conn, &scope, dry_run, log)?;
    if !dry_run {
        let subject = scope.municipality.as_deref().unwrap_or("*");
        cus_db::transaction(conn, |c| {
            cus_db::audit::audit(c, actor, "privacy.retention", "municipality", subject)
        })?;
    }
    Ok(done)
}

/// A run over `scope` without an actor: the daily job's, and the officer's
/// once checked.
pub fn run_in(
    conn: &mut DbConn,
    scope: &Scope,
    dry_run: bool,
    log: &ErasureLog,
) -> DomainResult<Vec<Done>> {
    let mut out = vec![];
    for &kind in RetentionKind::ALL {
        let records = match (kind, dry_run) {
            (RetentionKind::ClosedCases, true) => {
                closed_cases(scope, false).count().get_result(conn)?
            }
            (RetentionKind::ClosedCases, false) => anonymise_closed(conn, scope, log)?,
            (kind, dry) => cus_db::transaction(conn, |c| act(c, scope, kind, dry))?,
        };
        out.push(Done { kind, records });
    }
    Ok(out)
}

/// Residents whose requests and plans (at least one) are all closed, the
/// last closing before the period's cutoff, not yet anonymised; `held`
/// picks those under a legal hold instead of the rest.
fn closed_cases<'a>(scope: &Scope, held: bool) -> residents::BoxedQuery<'a, Db> {
    let cutoff = scope.cutoff(RetentionKind::ClosedCases);
    let has_request = exists(requests::table.filter(requests::resident_id.eq(residents::id)));
    let has_plan = exists(plans::table.filter(plans::resident_id.eq(residents::id)));
    let open_request = exists(
        requests::table
            .filter(requests::resident_id.eq(residents::id))
            .filter(requests::status.ne(RequestStatus::Closed)),
    );
    let open_plan = exists(
        plans::table
            .filter(plans::resident_id.eq(residents::id))
            .filter(plans::status.ne(PlanStatus::Closed)),
    );
    let late_request_close = exists(
        request_events::table
            .inner_join(requests::table)
            .filter(requests::resident_id.eq(residents::id))
            .filter(request_events::status.eq(RequestStatus::Closed))
            .filter(request_events::at.ge(cutoff)),
    );
    let late_plan_close = exists(
        plan_events::table
            .inner_join(plans::table)
            .filter(plans::resident_id.eq(residents::id))
            .filter(plan_events::to_status.eq(PlanStatus::Closed))
            .filter(plan_events::at.ge(cutoff)),
    );
    // An active social contract, or one ended after the cutoff, is an open case.
    let live_contract = exists(
        social_contracts::table
            .filter(social_contracts::resident_id.eq(residents::id))
            .filter(
                social_contracts::ended_on
                    .is_null()
                    .or(social_contracts::ended_on.ge(cutoff.date())),
            ),
    );
    let mut q = residents::table
        .filter(residents::anonymised_at.is_null())
        .filter(not(live_contract))
        .filter(has_request.or(has_plan))
        .filter(not(open_request))
        .filter(not(open_plan))
        .filter(not(late_request_close))
        .filter(not(late_plan_close))
        .into_boxed();
    q = if held {
        q.filter(residents::held_at.is_not_null())
    } else {
        q.filter(residents::held_at.is_null())
    };
    if let Some(m) = &scope.municipality {
        q = q.filter(residents::municipality.eq(m.clone()));
    }
    q
}

/// Writes the erasure log for a batch, then anonymises each resident in a
/// transaction of its own, checking again inside it that they are still
/// due (a request filed meanwhile keeps them).
fn anonymise_closed(conn: &mut DbConn, scope: &Scope, log: &ErasureLog) -> DomainResult<i64> {
    const BATCH: i64 = 500;
    let mut done = 0;
    let mut after = String::new();
    loop {
        let batch: Vec<(ResidentId, String)> = closed_cases(scope, false)
            .filter(residents::id.gt(after.clone()))
            .order(residents::id)
            .limit(BATCH)
            .select((residents::id, residents::municipality))
            .load(conn)?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        after = last.to_string();
        let entries: Vec<_> = batch
            .iter()
            .map(|(id, m)| anonymise::entry(id, m, Why::Retention, scope.now))
            .collect();
        log.append(&entries).map_err(super::storage_failed)?;
        for (id, _) in batch {
            let anonymised = cus_db::transaction(conn, |c| -> DomainResult<bool> {
                let still_due: i64 = closed_cases(scope, false)
                    .filter(residents::id.eq(id.to_string()))
                    .count()
                    .get_result(c)?;
                if still_due == 0 {
                    return Ok(false);
                }
                anonymise::anonymise(c, &id, scope.now)
            })?;
            done += i64::from(anonymised);
        }
    }
    Ok(done)
}

/// Counts the rows of `q` (dry), or applies `act` to the keys `key` of
/// those rows, in chunks.
macro_rules! count_or {
    ($conn:expr, $dry:expr, $q:expr, $key:expr, |$c:ident, $chunk:ident| $act:expr) => {
        if $dry {
            $q.count().get_result($conn)?
        } else {
            let ids: Vec<String> = $q.select($key).load($conn)?;
            delete_in($conn, ids, |$c, $chunk| $act)?
        }
    };
}

/// Counts (`dry`) or acts on one of the kinds that delete or clear.
fn act(conn: &mut DbConn, scope: &Scope, kind: RetentionKind, dry: bool) -> DomainResult<i64> {
    let cutoff = scope.cutoff(kind);
    let m = scope.municipality.clone();
    let users_of = |m: &String| {
        users::table
            .filter(users::municipality.eq(m.clone()))
            .select(users::id)
    };
    let n = match kind {
        RetentionKind::ClosedCases => unreachable!("anonymised one by one"),
        RetentionKind::Sessions => {
            let mut q = sessions::table
                .filter(sessions::expires_at.lt(cutoff))
                .into_boxed();
            if let Some(m) = &m {
                q = q.filter(sessions::user_id.eq_any(users_of(m)));
            }
            count_or!(conn, dry, q, sessions::token_hash, |c, chunk| {
                diesel::delete(sessions::table.filter(sessions::token_hash.eq_any(chunk)))
                    .execute(c)
            })
        }
        RetentionKind::PasswordResets => {
            let mut q = user_tokens::table
                .filter(
                    user_tokens::expires_at
                        .lt(cutoff)
                        .or(user_tokens::used_at.lt(cutoff)),
                )
                .into_boxed();
            if let Some(m) = &m {
                q = q.filter(user_tokens::user_id.eq_any(users_of(m)));
            }
            count_or!(conn, dry, q, user_tokens::token_hash, |c, chunk| {
                diesel::delete(user_tokens::table.filter(user_tokens::token_hash.eq_any(chunk)))
                    .execute(c)
            })
        }
        RetentionKind::Outbox => {
            let mut q = outbox::table
                .filter(outbox::status.eq(cus_db::outbox::OutboxStatus::Sent))
                .filter(outbox::sent_at.lt(cutoff))
                .filter(outbox::to_address.ne(""))
                .into_boxed();
            if let Some(m) = &m {
                // Mail to the municipality's accounts, residents and
                // organizations.
                q = q.filter(
                    outbox::to_address
                        .eq_any(
                            users::table
                                .filter(users::municipality.eq(m.clone()))
                                .select(users::email),
                        )
                        .or(outbox::to_address.nullable().eq_any(
                            residents::table
                                .filter(residents::municipality.eq(m.clone()))
                                .select(residents::email),
                        ))
                        .or(outbox::to_address.eq_any(
                            organizations::table
                                .filter(organizations::municipality.eq(m.clone()))
                                .select(organizations::email),
                        )),
                );
            }
            count_or!(conn, dry, q, outbox::id, |c, chunk| {
                diesel::update(outbox::table.filter(outbox::id.eq_any(chunk)))
                    .set((outbox::to_address.eq(""), outbox::context.eq("{}")))
                    .execute(c)
            })
        }
        RetentionKind::SurveyCodes => {
            let mut q = surveys::table.into_boxed();
            if let Some(m) = &m {
                q = q.filter(surveys::municipality.eq(m.clone()));
            }
            let all: Vec<(String, String)> = q.select((surveys::id, surveys::period)).load(conn)?;
            let ended: Vec<String> = all
                .into_iter()
                .filter(|(_, p)| {
                    assessment::Period::parse(p).is_some_and(|p| p.last_day() < cutoff.date())
                })
                .map(|(id, _)| id)
                .collect();
            let unused = |ids: &[String]| {
                survey_codes::table
                    .filter(survey_codes::survey_id.eq_any(ids.to_vec()))
                    .filter(survey_codes::used.eq(false))
            };
            let mut n = 0;
            for chunk in ended.chunks(500) {
                n += if dry {
                    unused(chunk).count().get_result::<i64>(conn)?
                } else {
                    diesel::delete(unused(chunk)).execute(conn)? as i64
                };
            }
            n
        }
        RetentionKind::AuditLog => {
            let mut q = audit_log::table
                .filter(audit_log::at.lt(cutoff))
                .into_boxed();
            if let Some(m) = &m {
                q = q.filter(audit_log::municipality.eq(m.clone()));
            }
            count_or!(conn, dry, q, audit_log::id, |c, chunk| {
                diesel::delete(audit_log::table.filter(audit_log::id.eq_any(chunk))).execute(c)
            })
        }
    };
    Ok(n)
}

/// Applies `f` to `ids` in chunks the backends' parameter limits allow.
fn delete_in(
    conn: &mut DbConn,
    ids: Vec<String>,
    f: impl Fn(&mut DbConn, Vec<String>) -> QueryResult<usize>,
) -> DomainResult<i64> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += f(conn, chunk.to_vec())? as i64;
    }
    Ok(n)
}

/// The day a resident's data is due for anonymisation: the last closing
/// plus the period; `None` while a case is open (or they have none).
pub fn resident_until(
    conn: &mut DbConn,
    resident: &ResidentId,
    period: &Period,
) -> DomainResult<Option<chrono::NaiveDate>> {
    let open_requests: i64 = requests::table
        .filter(requests::resident_id.eq(resident))
        .filter(requests::status.ne(RequestStatus::Closed))
        .count()
        .get_result(conn)?;
    let open_plans: i64 = plans::table
        .filter(plans::resident_id.eq(resident))
        .filter(plans::status.ne(PlanStatus::Closed))
        .count()
        .get_result(conn)?;
    if open_requests + open_plans > 0 {
        return Ok(None);
    }
    let request_close: Option<NaiveDateTime> = request_events::table
        .inner_join(requests::table)
        .filter(requests::resident_id.eq(resident))
        .filter(request_events::status.eq(RequestStatus::Closed))
        .select(diesel::dsl::max(request_events::at))
        .first(conn)?;
    let plan_close: Option<NaiveDateTime> = plan_events::table
        .inner_join(plans::table)
        .filter(plans::resident_id.eq(resident))
        .filter(plan_events::to_status.eq(PlanStatus::Closed))
        .select(diesel::dsl::max(plan_events::at))
        .first(conn)?;
    Ok(request_close
        .max(plan_close)
        .map(|at| period.after(crate::window::todo::warsaw_date(at))))
}

/// A resident a real run would anonymise now, or would but for a hold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueResident {
    pub id: ResidentId,
    pub name: String,
    pub held: bool,
}

/// At most this many residents are listed on the retention page.
pub const DUE_LISTED: i64 = 100;

/// Who the next run would anonymise, and who is kept by a hold: the
/// officer checks the list before it happens (names only).
pub fn due_residents(
    conn: &mut DbConn,
    actor: &Actor,
    asked: Option<&str>,
    periods: &RetentionPeriods,
    now: NaiveDateTime,
) -> DomainResult<Vec<DueResident>> {
    let scope = Scope::officer(actor, asked, periods, now)?;
    let mut out = vec![];
    for held in [true, false] {
        let rows: Vec<(ResidentId, String, String)> = closed_cases(&scope, held)
            .order((residents::last_name, residents::first_name))
            .limit(DUE_LISTED)
            .select((residents::id, residents::first_name, residents::last_name))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, first, last)| DueResident {
            id,
            name: format!("{first} {last}").trim().to_string(),
            held,
        }));
    }
    Ok(out)
}
