//! The social services program demo (Sochaczew): last year's diagnosis,
//! computed from the assessment demo's year of records and published; a
//! program for last year and the next two, consulted (a resident's and an
//! NGO's comment, both answered), adopted by the council; the care
//! agreements linked to its care service; and last year's evaluation
//! published, planned against actual. Moves are dated as they would have
//! happened (December of the year before), which no API lets one choose.

use crate::social::programs::SocialProgramStatus;
use chrono::{Datelike, NaiveDate};
use cus_db::schema::{agreements, social_program_comments, social_program_events, social_programs};
use cus_db::{today, Actor, DbConn, DomainResult};
use diesel::prelude::*;

use crate::social::diagnosis::{self, DiagnosisInput};
use crate::social::evaluation;
use crate::social::programs::{
    self, AnswerInput, CommentInput, ServiceInput, ServiceYear, SocialProgramInput,
    SocialProgramTransition,
};

/// The actors the demo acts as, all of Sochaczew.
pub struct Cast<'a> {
    pub organizer: &'a Actor,
    pub council: &'a Actor,
    pub resident: &'a Actor,
    pub ngo: &'a Actor,
}

fn year_plan(first: i32, per_year: [(i64, i64, i64); 3]) -> Vec<ServiceYear> {
    per_year
        .iter()
        .enumerate()
        .map(|(i, (people, hours, zloty))| ServiceYear {
            year: first + i as i32,
            people: *people,
            hours: *hours,
            budget_grosze: zloty * 100,
        })
        .collect()
}

pub fn seed(conn: &mut DbConn, cast: Cast) -> DomainResult<()> {
    let year = today().year() - 1;
    let m = cast.organizer.home()?.to_string();
    let d = diagnosis::create(
        conn,
        cast.organizer,
        DiagnosisInput {
            title: format!(
                "Diagnoza potrzeb i potencjału wspólnoty samorządowej Sochaczewa ({year})"
            ),
            period_from: NaiveDate::from_ymd_opt(year, 1, 1).expect("date"),
            period_to: NaiveDate::from_ymd_opt(year, 12, 31).expect("date"),
            needs: "Rośnie liczba seniorów mieszkających samotnie (ok. 2 300 osób 75+); \
                    na usługi opiekuńcze czeka kilkanaście osób. Długotrwale bezrobotni \
                    potrzebują reintegracji zawodowej."
                .into(),
            potential: "Dwie organizacje świadczące usługi opiekuńcze, Klub Integracji \
                        Społecznej, aktywne rady osiedli i wolontariat senioralny."
                .into(),
        },
        5,
    )?;
    diagnosis::publish(conn, cast.organizer, &d.row.id, 5)?;
    let program = programs::create(
        conn,
        cast.organizer,
        SocialProgramInput {
            title: format!(
                "Program usług społecznych Gminy Miasta Sochaczew na lata {year}–{}",
                year + 2
            ),
            year_from: year,
            year_to: year + 2,
            diagnosis_id: Some(d.row.id.to_string()),
            goals: vec![
                "Seniorzy bezpiecznie mieszkają we własnych domach".into(),
                "Długotrwale bezrobotni wracają na rynek pracy".into(),
            ],
            services: vec![
                ServiceInput {
                    id: None,
                    service_code: "UO".into(),
                    target_group: "Osoby starsze i niesamodzielne mieszkające samotnie".into(),
                    delivery: "competition".into(),
                    years: year_plan(
                        year,
                        [
                            (18, 3_600, 300_000),
                            (22, 4_400, 330_000),
                            (25, 5_000, 360_000),
                        ],
                    ),
                    indicators: vec!["cost_per_recipient".into(), "capacity_use".into()],
                },
                ServiceInput {
                    id: None,
                    service_code: "KIS".into(),
                    target_group: "Osoby długotrwale bezrobotne".into(),
                    delivery: "partnership".into(),
                    years: year_plan(
                        year,
                        [
                            (12, 2_400, 80_000),
                            (15, 3_000, 90_000),
                            (15, 3_000, 90_000),
                        ],
                    ),
                    indicators: vec!["ipus_drawn_up_30d".into(), "plan_employment".into()],
                },
            ],
        },
    )?;
    let id = program.row.id.clone();
    let to = |to: &str| SocialProgramTransition {
        to: to.into(),
        resolution_number: None,
        resolution_date: None,
        consultation_until: None,
    };
    programs::transition(conn, cast.organizer, &id, to("consultation"))?;
    let accepted = programs::comment(
        conn,
        cast.resident,
        &id,
        CommentInput {
            body: "Proszę o usługi opiekuńcze także w soboty.".into(),
        },
    )?;
    let rejected = programs::comment(
        conn,
        cast.ngo,
        &id,
        CommentInput {
            body: "Proponujemy przekazać całość usług opiekuńczych organizacjom w jednym konkursie na 5 lat.".into(),
        },
    )?;
    programs::answer(
        conn,
        cast.organizer,
        &id,
        &accepted.id,
        AnswerInput {
            answer: "Uwzględniono: standard usługi obejmie soboty.".into(),
            accepted: true,
        },
    )?;
    programs::answer(
        conn,
        cast.organizer,
        &id,
        &rejected.id,
        AnswerInput {
            answer: "Nieuwzględniono: program obejmuje 3 lata; konkurs ogłaszany co 2 lata.".into(),
            accepted: false,
        },
    )?;
    programs::transition(conn, cast.organizer, &id, to("submitted"))?;
    let resolution = NaiveDate::from_ymd_opt(year - 1, 12, 18).expect("date");
    programs::transition(
        conn,
        cast.council,
        &id,
        SocialProgramTransition {
            resolution_number: Some(format!("XVI/112/{}", year - 1)),
            resolution_date: Some(resolution),
            ..to("adopted")
        },
    )?;
    // Dated as they happened: drafted in November, adopted in December.
    let events: Vec<(String, SocialProgramStatus)> = social_program_events::table
        .filter(social_program_events::program_id.eq(&id))
        .select((social_program_events::id, social_program_events::status))
        .load(conn)?;
    for (event, status) in events {
        let (month, day) = match status {
            SocialProgramStatus::Draft => (11, 4),
            SocialProgramStatus::Consultation => (11, 6),
            SocialProgramStatus::Submitted => (12, 2),
            _ => (12, 18),
        };
        let at = NaiveDate::from_ymd_opt(year - 1, month, day)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date");
        diesel::update(social_program_events::table.find(event))
            .set(social_program_events::at.eq(at))
            .execute(conn)?;
    }
    diesel::update(
        social_program_comments::table.filter(social_program_comments::program_id.eq(&id)),
    )
    .set(
        social_program_comments::created_at.eq(NaiveDate::from_ymd_opt(year - 1, 11, 14)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .expect("date")),
    )
    .execute(conn)?;
    diesel::update(social_programs::table.find(&id))
        .set((
            social_programs::consultation_until.eq(NaiveDate::from_ymd_opt(year - 1, 11, 27)),
            social_programs::updated_at.eq(resolution.and_hms_opt(12, 0, 0).expect("time")),
        ))
        .execute(conn)?;
    // The agreements implementing its services.
    let service_of = |code: &str| {
        program
            .services
            .iter()
            .find(|s| s.service_code == code)
            .map(|s| s.id.clone())
    };
    diesel::update(
        agreements::table
            .filter(agreements::municipality.eq(&m))
            .filter(agreements::title.eq("Usługi opiekuńcze w miejscu zamieszkania")),
    )
    .set(agreements::program_service_id.eq(service_of("UO")))
    .execute(conn)?;
    diesel::update(
        agreements::table
            .filter(agreements::municipality.eq(&m))
            .filter(agreements::mode.eq("partnership")),
    )
    .set(agreements::program_service_id.eq(service_of("KIS")))
    .execute(conn)?;
    evaluation::publish(conn, cast.organizer, &id, year)?;
    Ok(())
}
