//! Domain rules without HTTP: the service functions on a migrated scratch
//! database (SQLite or PostgreSQL, as the run's `CUS_TEST_DB` says), and the
//! lifecycles' transition tables themselves. What only HTTP can show (status
//! codes, pages, CSRF) stays in the other suites.

use chrono::Duration;
use contracting::agreements::AgreementStatus;
use contracting::competitions::CompetitionStatus;
use contracting::offers::OfferStatus;
use contracting::programs::ProgramStatus;
use cus::assessment::corrective::CorrectiveStatus;
use cus::assessment::groups::RoundStatus;
use cus::assessment::runs::RunStatus;
use cus::plans::{self, NewItem, NewPlan, PlanRules, PlanStatus, TransitionInput};
use cus::platform::auth::{self, NewUser};
use cus::social::programs::SocialProgramStatus;
use cus::window::{self, NewRequest, NewResident, RequestRules, RequestStatus, ServiceInput};
use cus_db::outbox::OutboxStatus;
use cus_db::{Actor, DbConn, DomainError, Lifecycle, Role};
use cus_tests::*;
use std::collections::BTreeSet;

const PLAN_RULES: PlanRules = PlanRules {
    deadline_days: 30,
    max_days: 365,
};

/// A migrated, empty database of its own, with one municipality.
fn scratch() -> cus_db::PooledConn {
    let url = fresh_database(&temp_dir());
    let pool = cus_db::connect(&url, 1).expect("connect");
    let mut conn = pool.get().expect("a connection");
    cus_db::migrate(&mut conn).expect("migrate");
    cus::platform::admin::add_municipality(&mut conn, SOCHACZEW, "Sochaczew").unwrap();
    conn
}

/// A staff account of the municipality, as the services see it.
fn staff(conn: &mut DbConn, role: Role) -> Actor {
    let email = format!(
        "{}-{}@domain.test",
        role.as_str(),
        uuid::Uuid::new_v4().simple()
    );
    let id = auth::create_user(
        conn,
        NewUser {
            email: email.clone(),
            password: PASSWORD.to_string(),
            role,
            municipality: Some(SOCHACZEW.to_string()),
            organization_id: None,
            display_name: role.as_str().to_string(),
            locale: "pl".to_string(),
            confirmed: true,
        },
    )
    .expect("an account");
    Actor {
        user_id: id,
        email,
        display_name: role.as_str().to_string(),
        role,
        municipality: Some(SOCHACZEW.to_string()),
        organization_id: None,
        resident_id: None,
        locale: "pl".to_string(),
    }
}

/// Every status is reachable from the first one, every move names a status
/// of the lifecycle, and the final ones are the statuses with no move.
fn closed_table<L: Lifecycle + std::fmt::Debug>(start: L, finals: &[L]) {
    let mut seen = BTreeSet::from([start.as_str()]);
    let mut todo = vec![start];
    while let Some(s) = todo.pop() {
        for to in s.moves() {
            assert!(L::ALL.contains(to));
            if seen.insert(to.as_str()) {
                todo.push(*to);
            }
        }
    }
    let all: BTreeSet<&str> = L::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(seen, all, "unreachable statuses of {start:?}'s lifecycle");
    let ends: Vec<L> = L::ALL.iter().copied().filter(|s| s.is_final()).collect();
    assert_eq!(ends, finals);
}

#[test]
fn every_lifecycle_reaches_each_status_and_ends_where_it_says() {
    use AgreementStatus as A;
    closed_table(PlanStatus::Draft, &[PlanStatus::Closed]);
    closed_table(RequestStatus::Submitted, &[]);
    closed_table(
        CompetitionStatus::Draft,
        &[CompetitionStatus::Resolved, CompetitionStatus::Cancelled],
    );
    closed_table(
        OfferStatus::Submitted,
        &[OfferStatus::Awarded, OfferStatus::NotAwarded],
    );
    closed_table(A::PublicComment, &[A::Terminated]);
    closed_table(ProgramStatus::Draft, &[ProgramStatus::Adopted]);
    closed_table(
        SocialProgramStatus::Draft,
        &[SocialProgramStatus::Superseded],
    );
    closed_table(
        CorrectiveStatus::Open,
        &[CorrectiveStatus::Done, CorrectiveStatus::Dropped],
    );
    closed_table(RunStatus::Running, &[RunStatus::Done, RunStatus::Failed]);
    closed_table(RoundStatus::Open, &[RoundStatus::Closed]);
    closed_table(
        OutboxStatus::Pending,
        &[OutboxStatus::Sent, OutboxStatus::Failed],
    );
    // A value read from the database that no variant names is an error,
    // never a silent default.
    assert_eq!(PlanStatus::parse("aproved"), None);
}

/// A resident, a catalogue entry and a draft plan with one item.
fn draft_plan(conn: &mut DbConn) -> (Actor, Actor, plans::PlanId) {
    let organizer = staff(conn, Role::Organizer);
    let coordinator = staff(conn, Role::Coordinator);
    let desk = staff(conn, Role::Desk);
    window::save_service(
        conn,
        &organizer,
        None,
        ServiceInput {
            code: "OPK".into(),
            name: "Usługi opiekuńcze".into(),
            area: "health".into(),
            standard: String::new(),
            variant: "I".into(),
            phase: "III".into(),
            fee_rule: String::new(),
            access_criteria: String::new(),
            active: true,
        },
    )
    .expect("a service");
    let resident = window::create_resident(
        conn,
        &desk,
        NewResident {
            pesel: pesel(7),
            first_name: "Anna".into(),
            last_name: "Nowak".into(),
            address: "ul. Polna 1".into(),
            email: None,
            phone: None,
        },
    )
    .expect("a resident");
    let plan = plans::create_plan(
        conn,
        &coordinator,
        &PLAN_RULES,
        NewPlan {
            resident_id: resident.id.to_string(),
            request_id: None,
            goals: vec!["Samodzielność".into()],
            needs: String::new(),
            resident_commitments: String::new(),
            application_date: None,
        },
    )
    .expect("a plan");
    assert_eq!(plan.status, PlanStatus::Draft);
    let today = cus_db::today();
    plans::add_item(
        conn,
        &coordinator,
        &PLAN_RULES,
        &plan.id,
        NewItem {
            service_code: "OPK".into(),
            provider: None,
            provider_agreement_id: None,
            frequency: "2 razy w tygodniu".into(),
            hours_per_month: Some(8),
            start_date: today + Duration::days(7),
            end_date: today + Duration::days(97),
        },
    )
    .expect("an item");
    (organizer, coordinator, plan.id)
}

fn to(status: &str) -> TransitionInput {
    TransitionInput {
        to: status.into(),
        note: String::new(),
        outcome: None,
        review_date: None,
    }
}

fn conflict(r: Result<plans::Plan, DomainError>) -> String {
    match r {
        Err(DomainError::Conflict(key)) => key.to_string(),
        other => panic!("want a conflict, got {other:?}"),
    }
}

#[test]
fn a_plan_moves_only_along_its_table_and_by_whom_it_says() {
    let mut pooled = scratch();
    let conn: &mut DbConn = &mut pooled;
    let (organizer, coordinator, id) = draft_plan(conn);
    // Not in the table: a draft is not approved.
    assert_eq!(
        conflict(plans::transition(conn, &organizer, &id, to("approved"))),
        "error-plan-transition"
    );
    // Not a status at all: the field is named.
    match plans::transition(conn, &coordinator, &id, to("aproved")) {
        Err(DomainError::Invalid(fields)) => assert!(fields.contains_key("to")),
        other => panic!("{other:?}"),
    }
    let agreed = plans::transition(conn, &coordinator, &id, to("agreed")).unwrap();
    assert_eq!(agreed.status, PlanStatus::Agreed);
    // In the table, but the coordinator does not approve.
    assert!(matches!(
        plans::transition(conn, &coordinator, &id, to("approved")),
        Err(DomainError::Forbidden)
    ));
    plans::transition(conn, &organizer, &id, to("approved")).unwrap();
    plans::transition(conn, &coordinator, &id, to("active")).unwrap();
    // Closing needs the summary and an outcome of the closed set.
    match plans::transition(conn, &coordinator, &id, to("closed")) {
        Err(DomainError::Invalid(fields)) => {
            assert!(fields.contains_key("note") && fields.contains_key("outcome"))
        }
        other => panic!("{other:?}"),
    }
    let closed = plans::transition(
        conn,
        &coordinator,
        &id,
        TransitionInput {
            to: "closed".into(),
            note: "Cele osiągnięte.".into(),
            outcome: Some("employment".into()),
            review_date: None,
        },
    )
    .unwrap();
    assert_eq!(closed.status, PlanStatus::Closed);
    assert_eq!(closed.outcome, Some(plans::PlanOutcome::Employment));
    // Closed is final: the table offers nothing, for anyone.
    assert!(plans::allowed_transitions(&coordinator, &closed).is_empty());
    assert_eq!(
        conflict(plans::transition(conn, &coordinator, &id, to("active"))),
        "error-plan-transition"
    );
    // The history holds every move, read back as statuses.
    let view = plans::get_plan(conn, &coordinator, &id).unwrap();
    let moves: Vec<PlanStatus> = view.history.iter().map(|e| e.to_status).collect();
    assert_eq!(
        moves,
        [
            PlanStatus::Draft,
            PlanStatus::Agreed,
            PlanStatus::Approved,
            PlanStatus::Active,
            PlanStatus::Closed
        ]
    );
}

#[test]
fn a_request_follows_its_plan_and_a_closed_one_is_not_routed() {
    let mut pooled = scratch();
    let conn: &mut DbConn = &mut pooled;
    let (_, coordinator, _) = draft_plan(conn);
    let desk = staff(conn, Role::Desk);
    let resident = window::search_residents(conn, &desk, "Nowak")
        .unwrap()
        .remove(0);
    let request = window::file_request(
        conn,
        &desk,
        &RequestRules { deadline_days: 30 },
        NewRequest {
            resident_id: Some(resident.id.to_string()),
            service_code: None,
            description: "Pomoc w domu".into(),
            channel: "desk".into(),
        },
    )
    .unwrap();
    assert_eq!(request.status, RequestStatus::Submitted);
    // An unknown channel is refused by name, nothing is written.
    let refused = window::file_request(
        conn,
        &desk,
        &RequestRules { deadline_days: 30 },
        NewRequest {
            resident_id: Some(resident.id.to_string()),
            service_code: None,
            description: "x".into(),
            channel: "fax".into(),
        },
    );
    assert!(matches!(refused, Err(DomainError::Invalid(f)) if f.contains_key("channel")));
    // A plan for the request puts it in planning; closing the plan closes it.
    plans::create_plan(
        conn,
        &coordinator,
        &PLAN_RULES,
        NewPlan {
            resident_id: resident.id.to_string(),
            request_id: Some(request.id.to_string()),
            goals: vec!["Opieka".into()],
            needs: String::new(),
            resident_commitments: String::new(),
            application_date: None,
        },
    )
    .unwrap();
    let read = window::get_request(conn, &desk, &request.id).unwrap();
    assert_eq!(read.request.status, RequestStatus::Planning);
    window::set_request_status(conn, &coordinator, &request.id, RequestStatus::Closed, "").unwrap();
    let routed = window::route_request(
        conn,
        &desk,
        &request.id,
        window::RouteInput {
            to: "benefits".into(),
            note: String::new(),
        },
    );
    assert!(matches!(routed, Err(DomainError::Conflict(k)) if k == "error-request-closed"));
    // A new plan for the closed case opens it again: the table says so.
    assert!(RequestStatus::can_move(
        RequestStatus::Closed,
        RequestStatus::Planning
    ));
}

fn kinds_on(
    conn: &mut DbConn,
    actor: &Actor,
    day: chrono::NaiveDate,
) -> Vec<(&'static str, cus_db::todo::Severity)> {
    let mut out: Vec<_> = cus::dashboard::todos(conn, actor, day)
        .expect("the dashboard")
        .into_iter()
        .map(|t| (t.kind, t.severity))
        .collect();
    out.sort();
    out
}

/// The home page's items move with the clock: a plan's 30-day deadline is
/// nothing a fortnight ahead, due soon within a week, overdue after it; an
/// agreed plan is the organizer's; a request waits two working days.
#[test]
fn the_dashboard_follows_deadlines_as_the_clock_moves() {
    use cus_db::todo::Severity::{DueSoon, Info, Overdue};
    let mut conn = scratch();
    let (organizer, coordinator, plan_id) = draft_plan(&mut conn);
    let deadline = plans::get_plan(&mut conn, &coordinator, &plan_id)
        .unwrap()
        .plan
        .deadline;
    assert!(kinds_on(&mut conn, &coordinator, deadline - Duration::days(14)).is_empty());
    assert_eq!(
        kinds_on(&mut conn, &coordinator, deadline - Duration::days(7)),
        vec![("plan_deadline", DueSoon)]
    );
    assert_eq!(
        kinds_on(&mut conn, &coordinator, deadline + Duration::days(1)),
        vec![("plan_deadline", Overdue)]
    );
    // Another coordinator's plans are not theirs.
    let other = staff(&mut conn, Role::Coordinator);
    assert!(kinds_on(&mut conn, &other, deadline + Duration::days(1)).is_empty());
    // Agreed: off the coordinator's list, on the organizer's.
    plans::transition(&mut conn, &coordinator, &plan_id, to("agreed")).unwrap();
    assert!(kinds_on(&mut conn, &coordinator, deadline - Duration::days(3)).is_empty());
    assert_eq!(
        kinds_on(&mut conn, &organizer, deadline - Duration::days(3)),
        vec![("plan_to_approve", DueSoon)]
    );
    assert_eq!(
        kinds_on(&mut conn, &organizer, deadline - Duration::days(20)),
        vec![("plan_to_approve", Info)]
    );
    // A request filed at the desk: due two working days after its filing.
    let desk = staff(&mut conn, Role::Desk);
    let resident = window::create_resident(
        &mut conn,
        &desk,
        NewResident {
            pesel: pesel(8),
            first_name: "Jan".into(),
            last_name: "Kos".into(),
            address: "ul. Polna 2".into(),
            email: None,
            phone: None,
        },
    )
    .unwrap();
    let request = window::file_request(
        &mut conn,
        &desk,
        &RequestRules { deadline_days: 30 },
        NewRequest {
            resident_id: Some(resident.id.to_string()),
            service_code: Some("OPK".into()),
            description: "Prośba o usługi opiekuńcze.".into(),
            channel: "desk".into(),
        },
    )
    .unwrap();
    let filed = cus::window::todo::warsaw_date(request.created_at);
    let due = cus_db::calendar::add_working_days(filed, 2);
    assert_eq!(
        kinds_on(&mut conn, &desk, filed),
        vec![("request_to_route", DueSoon)]
    );
    assert_eq!(
        kinds_on(&mut conn, &desk, due),
        vec![("request_to_route", Overdue)]
    );
    // Routed: off the desk's list.
    window::route_request(
        &mut conn,
        &desk,
        &request.id,
        window::RouteInput {
            to: "coordinator".into(),
            note: String::new(),
        },
    )
    .unwrap();
    assert!(kinds_on(&mut conn, &desk, due).is_empty());
}
