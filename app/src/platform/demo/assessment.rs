//! The assessment demo: a year of records in three municipalities, written
//! as the modules would have left them (dates in the past that no API lets
//! one choose), assessed; a benchmarking group with a meeting and a closed
//! round in which Sochaczew draws up IPUS plans more slowly than its peers,
//! and this year's first half, when it caught up — so a corrective action
//! opened on last year is confirmed by the next run.

use crate::plans::PlanStatus;
use crate::window::RequestStatus;
use chrono::{Datelike, Duration, NaiveDate};
use contracting::agreements::AgreementStatus;
use cus_db::schema::{
    agreements, organizations, plan_events, plan_items, plans, request_events, requests, residents,
    services, tranches,
};
use cus_db::{new_id, now, today, Actor, DbConn, DomainResult};
use diesel::prelude::*;

use crate::assessment::groups::{self, MeetingInput, NewGroup, ProfileInput, RoundInput};
use crate::assessment::runs::{self, Settings};
use crate::assessment::Period;

/// How one municipality did in the demo year.
struct Profile {
    teryt: &'static str,
    /// Plans approved in the year, and how many within 30 days.
    approved: usize,
    on_time: usize,
    /// Of those, closed in the year: (employment, goals achieved, other).
    closed: (usize, usize, usize),
    /// Requests routed, and the days each took.
    requests: usize,
    routing_days: i64,
    /// Agreements: (places, tranche in złoty, recipients).
    agreements: &'static [(i32, i64, usize)],
}

const PROFILES: [Profile; 3] = [
    Profile {
        teryt: super::SOCHACZEW,
        approved: 20,
        on_time: 14,
        closed: (4, 3, 3),
        requests: 10,
        routing_days: 6,
        agreements: &[(12, 180_000, 9), (10, 90_000, 6)],
    },
    Profile {
        teryt: super::BRZEZINY,
        approved: 12,
        on_time: 11,
        closed: (3, 3, 2),
        requests: 8,
        routing_days: 2,
        agreements: &[(8, 96_000, 7)],
    },
    Profile {
        teryt: super::LOWICZ,
        approved: 16,
        on_time: 15,
        closed: (5, 3, 2),
        requests: 8,
        routing_days: 3,
        agreements: &[(10, 110_000, 8), (6, 40_000, 3)],
    },
];

const FIRST: [&str; 8] = [
    "Anna",
    "Piotr",
    "Maria",
    "Krzysztof",
    "Ewa",
    "Tomasz",
    "Zofia",
    "Andrzej",
];
const LAST: [&str; 8] = [
    "Nowicka",
    "Mazur",
    "Krawczyk",
    "Pawlak",
    "Michalska",
    "Sikora",
    "Baran",
    "Duda",
];

struct Writer<'a> {
    conn: &'a mut DbConn,
    n: usize,
}

impl Writer<'_> {
    fn resident(&mut self, m: &str) -> DomainResult<String> {
        let id = new_id();
        self.n += 1;
        diesel::insert_into(residents::table)
            .values((
                residents::id.eq(&id),
                residents::municipality.eq(m),
                residents::first_name.eq(FIRST[self.n % 8]),
                residents::last_name.eq(LAST[(self.n / 8) % 8]),
                residents::address.eq(format!("ul. Ogrodowa {}", self.n)),
                residents::created_at.eq(now()),
            ))
            .execute(self.conn)?;
        Ok(id)
    }

    fn plan(
        &mut self,
        m: &str,
        coordinator: &str,
        applied: NaiveDate,
        approved: NaiveDate,
    ) -> DomainResult<(String, String)> {
        let resident = self.resident(m)?;
        let id = new_id();
        let at = approved.and_hms_opt(12, 0, 0).expect("noon");
        diesel::insert_into(plans::table)
            .values((
                plans::id.eq(&id),
                plans::municipality.eq(m),
                plans::resident_id.eq(&resident),
                plans::coordinator_id.eq(coordinator),
                plans::status.eq(PlanStatus::Active),
                plans::goals.eq("[\"Samodzielność w codziennym życiu\"]"),
                plans::needs.eq("Wsparcie w codziennych czynnościach."),
                plans::resident_commitments.eq(""),
                plans::application_date.eq(applied),
                plans::deadline.eq(applied + Duration::days(30)),
                plans::approved_by.eq(coordinator),
                plans::approved_at.eq(at),
                plans::overdue.eq(false),
                plans::created_at.eq(at),
                plans::updated_at.eq(at),
            ))
            .execute(self.conn)?;
        Ok((id, resident))
    }

    fn close(&mut self, plan: &str, actor: &str, on: NaiveDate, outcome: &str) -> DomainResult<()> {
        diesel::update(plans::table.find(plan))
            .set((
                plans::status.eq(PlanStatus::Closed),
                plans::outcome.eq(outcome),
                plans::closing_summary.eq("Plan zakończony."),
            ))
            .execute(self.conn)?;
        diesel::insert_into(plan_events::table)
            .values((
                plan_events::id.eq(new_id()),
                plan_events::plan_id.eq(plan),
                plan_events::actor_id.eq(actor),
                plan_events::from_status.eq(PlanStatus::Active),
                plan_events::to_status.eq(PlanStatus::Closed),
                plan_events::note.eq(""),
                plan_events::at.eq(on.and_hms_opt(15, 0, 0).expect("time")),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    fn request(
        &mut self,
        m: &str,
        by: &str,
        filed: NaiveDate,
        days: i64,
        k: usize,
    ) -> DomainResult<()> {
        let resident = self.resident(m)?;
        let id = new_id();
        let at = filed.and_hms_opt(9, 0, 0).expect("time");
        diesel::insert_into(requests::table)
            .values((
                requests::id.eq(&id),
                requests::municipality.eq(m),
                requests::case_number.eq(format!("DEMO/{}/{m}/{k}", filed.year())),
                requests::resident_id.eq(&resident),
                requests::description.eq("Wniosek o usługi opiekuńcze."),
                requests::channel.eq("desk"),
                requests::status.eq(RequestStatus::Routed),
                requests::deadline.eq(filed + Duration::days(30)),
                requests::created_by.eq(by),
                requests::created_at.eq(at),
                requests::updated_at.eq(at),
            ))
            .execute(self.conn)?;
        diesel::insert_into(request_events::table)
            .values((
                request_events::id.eq(new_id()),
                request_events::request_id.eq(&id),
                request_events::actor_id.eq(by),
                request_events::status.eq(RequestStatus::Routed),
                request_events::assigned_role.eq("coordinator"),
                request_events::note.eq(""),
                request_events::at.eq(at + Duration::days(days)),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    /// A care provider's agreement for `year` with its tranche and the
    /// approved plan items of `people` residents, 20 hours a month.
    #[allow(clippy::too_many_arguments)]
    fn agreement(
        &mut self,
        m: &str,
        by: &str,
        year: i32,
        k: usize,
        places: i32,
        zloty: i64,
        people: usize,
        service: &str,
    ) -> DomainResult<()> {
        let org = new_id();
        let nip = valid_nip(self.n as u64 + k as u64 * 7919);
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(&org),
                organizations::municipality.eq(m),
                organizations::name.eq(format!("Stowarzyszenie Opieki „Przystań {}”", k + 1)),
                organizations::legal_form.eq("association"),
                organizations::nip.eq(nip),
                organizations::regon.eq("123456785"),
                organizations::address.eq("ul. Kościuszki 5"),
                organizations::postal_code.eq("96-500"),
                organizations::city.eq("Sochaczew"),
                organizations::email.eq(format!("przystan{}@ngo.example", k + 1)),
                organizations::alerts.eq(false),
                organizations::created_at.eq(now()),
            ))
            .execute(self.conn)?;
        let id = new_id();
        let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
        let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
        diesel::insert_into(agreements::table)
            .values((
                agreements::id.eq(&id),
                agreements::municipality.eq(m),
                agreements::organization_id.eq(&org),
                agreements::number.eq(format!("UM/{m}/{year}/D{:02}", k + 1)),
                agreements::title.eq("Usługi opiekuńcze w miejscu zamieszkania"),
                agreements::mode.eq("competition"),
                agreements::financing.eq(contracting::competitions::Financing::FullFinancing),
                agreements::start_date.eq(first),
                agreements::end_date.eq(last),
                agreements::indicators.eq("[\"liczba odbiorców\"]"),
                agreements::capacity_unit.eq("places"),
                agreements::capacity_per_year.eq(places),
                agreements::status.eq(AgreementStatus::Active),
                agreements::created_by.eq(by),
                agreements::created_at.eq(now()),
                agreements::updated_at.eq(now()),
            ))
            .execute(self.conn)?;
        diesel::insert_into(tranches::table)
            .values((
                tranches::id.eq(new_id()),
                tranches::agreement_id.eq(&id),
                tranches::year.eq(year),
                tranches::amount_grosze.eq(zloty * 100),
            ))
            .execute(self.conn)?;
        for _ in 0..people {
            let (plan, _) = self.plan(
                m,
                by,
                first - Duration::days(40),
                first - Duration::days(20),
            )?;
            diesel::insert_into(plan_items::table)
                .values((
                    plan_items::id.eq(new_id()),
                    plan_items::plan_id.eq(&plan),
                    plan_items::service_id.eq(service),
                    plan_items::provider.eq("ngo"),
                    plan_items::provider_agreement_id.eq(&id),
                    plan_items::frequency.eq("codziennie w dni robocze"),
                    plan_items::hours_per_month.eq(20),
                    plan_items::start_date.eq(first),
                    plan_items::end_date.eq(last),
                    plan_items::created_at.eq(now()),
                ))
                .execute(self.conn)?;
        }
        Ok(())
    }
}

/// A NIP with a valid check digit (demo organizations only).
fn valid_nip(seed: u64) -> String {
    const W: [u64; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let mut n = 521_000_000 + seed % 100_000;
    loop {
        let digits: Vec<u64> = n.to_string().bytes().map(|b| (b - b'0') as u64).collect();
        let check = digits.iter().zip(W).map(|(d, w)| d * w).sum::<u64>() % 11;
        if check < 10 {
            return format!("{n}{check}");
        }
        n += 1;
    }
}

/// The care service (UO) of `m`'s catalogue.
fn care_service(conn: &mut DbConn, m: &str) -> DomainResult<String> {
    Ok(services::table
        .filter(services::municipality.eq(m))
        .filter(services::code.eq("UO"))
        .select(services::id)
        .first(conn)?)
}

/// Writes the year, assesses it and the first half of this year, and forms
/// the group. `organizers`: (teryt, organizer) of each municipality.
pub fn seed(conn: &mut DbConn, organizers: &[(&str, Actor)]) -> DomainResult<()> {
    let year = today().year() - 1;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("date");
    let by = |teryt: &str| {
        organizers
            .iter()
            .find(|(t, _)| *t == teryt)
            .map(|(_, a)| a.clone())
            .expect("an organizer")
    };
    for p in &PROFILES {
        let actor = by(p.teryt);
        let service = care_service(conn, p.teryt)?;
        let mut w = Writer { conn, n: 0 };
        let mut approved = vec![];
        for i in 0..p.approved {
            let applied = day(2 + (i % 9) as u32, 3);
            let wait = if i < p.on_time {
                12 + (i % 10) as i64
            } else {
                38 + (i % 5) as i64
            };
            approved.push(
                w.plan(
                    p.teryt,
                    &actor.user_id,
                    applied,
                    applied + Duration::days(wait),
                )?
                .0,
            );
        }
        let (employment, goals, other) = p.closed;
        for (i, plan) in approved.iter().take(employment + goals + other).enumerate() {
            let outcome = if i < employment {
                "employment"
            } else if i < employment + goals {
                "goals_achieved"
            } else {
                "partially_achieved"
            };
            w.close(plan, &actor.user_id, day(11, 20), outcome)?;
        }
        for k in 0..p.requests {
            w.request(
                p.teryt,
                &actor.user_id,
                day(1 + (k % 11) as u32, 10),
                p.routing_days + (k % 2) as i64,
                k,
            )?;
        }
        for (k, (places, zloty, people)) in p.agreements.iter().enumerate() {
            w.agreement(
                p.teryt,
                &actor.user_id,
                year,
                k,
                *places,
                *zloty,
                *people,
                &service,
            )?;
        }
    }
    // This year: Sochaczew's coordinators on duty twice a week draw up every
    // plan within 30 days (the corrective action's effect).
    let this_year = today().year();
    let first_half = Period::parse(&format!("{this_year}-H1")).expect("period");
    let sochaczew = by(super::SOCHACZEW);
    {
        let mut w = Writer { conn, n: 500 };
        for i in 0..8u32 {
            let applied = NaiveDate::from_ymd_opt(this_year, 1 + i % 5, 5).expect("date");
            w.plan(
                super::SOCHACZEW,
                &sochaczew.user_id,
                applied,
                applied + Duration::days(14),
            )?;
        }
    }
    let settings = Settings {
        min_group: 5,
        plan_deadline_days: 30,
        stale_run_minutes: 15,
    };
    // The past year is computed last (its annual report is the latest
    // run): what fell below target there is on the organizer's home page.
    for p in &PROFILES {
        if first_half.last_day() < today() {
            runs::run_now(conn, p.teryt, first_half, None, "scheduled", settings)?;
        }
        runs::run_now(
            conn,
            p.teryt,
            Period::year(year),
            None,
            "scheduled",
            settings,
        )?;
    }
    // The group (GWD): a meeting in Brzeziny and a closed round for the year.
    let group = groups::create(
        conn,
        &sochaczew,
        NewGroup {
            name: "Grupa wymiany doświadczeń: usługi opiekuńcze".into(),
            members: vec![super::BRZEZINY.into(), super::LOWICZ.into()],
            indicators: vec![
                "ipus_drawn_up_30d".into(),
                "plan_employment".into(),
                "request_routing_days".into(),
                "cost_per_recipient".into(),
            ],
            services: vec!["UO".into()],
        },
    )?;
    for (teryt, population, text) in [
        (
            super::SOCHACZEW,
            35_000,
            "Miasto powiatowe, starzejąca się ludność, bezrobocie poniżej średniej województwa.",
        ),
        (
            super::BRZEZINY,
            12_000,
            "Małe miasto, wysoki odsetek seniorów mieszkających samotnie.",
        ),
        (
            super::LOWICZ,
            27_000,
            "Miasto z silnym sektorem organizacji pozarządowych i rozwiniętą pracą środowiskową.",
        ),
    ] {
        groups::set_profile(
            conn,
            &by(teryt),
            &group.id,
            ProfileInput {
                population: Some(population),
                text: text.into(),
            },
        )?;
    }
    groups::add_meeting(conn, &sochaczew, &group.id, MeetingInput {
        date: day(10, 15),
        host: super::BRZEZINY.into(),
        agenda: "1. Wyniki rundy porównawczej. 2. Usługi opiekuńcze: standard i koszt. 3. Plany naprawcze.".into(),
        lead_topics: vec!["Usługi opiekuńcze w domu seniora".into()],
        good_practices: vec!["Dyżur koordynatora IPUS dwa razy w tygodniu (Łowicz)".into()],
        decisions: "Gminy poniżej średniej przedstawią plany naprawcze na kolejnym spotkaniu.".into(),
        next_host: Some(super::LOWICZ.into()),
        attendance: vec![super::SOCHACZEW.into(), super::BRZEZINY.into(), super::LOWICZ.into()],
    })?;
    let round = groups::open_round(
        conn,
        &sochaczew,
        &group.id,
        RoundInput {
            period: year.to_string(),
            deadline: today(),
            indicators: None,
        },
    )?;
    for p in &PROFILES {
        groups::submit_stored(conn, &by(p.teryt), &round.id)?;
    }
    groups::close_round(conn, &sochaczew, &round.id)?;
    Ok(())
}
