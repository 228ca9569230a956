//! Demonstration data drawn from the seeds: Sochaczew and Brzeziny (and
//! Łowicz for benchmarking), care services, meals delivery, a social
//! integration club (KIS) with work training; one login per role.

mod assessment;
mod privacy;
mod social;
mod social_work;

use chrono::Duration;
use cus_db::schema::{municipalities, users};
use cus_db::{today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;

use crate::plans::{NewItem, NewPlan, TransitionInput};
use crate::platform::auth;
use crate::platform::auth::NewUser;
use crate::platform::config::Config;
use crate::window::{NewRequest, NewResident, RouteInput, ServiceInput};
use crate::{plans, window};

pub const PASSWORD: &str = "demo-password-2026";
pub const SOCHACZEW: &str = "1428011";
pub const BRZEZINY: &str = "1021011";
pub const LOWICZ: &str = "1004011";

/// (email, role, municipality) of every demo login.
pub const LOGINS: [(&str, &str, &str); 17] = [
    ("admin@cus.example", "admin", "all"),
    ("desk@sochaczew.example", "desk", SOCHACZEW),
    ("organizer@sochaczew.example", "organizer", SOCHACZEW),
    ("coordinator@sochaczew.example", "coordinator", SOCHACZEW),
    (
        "social.worker@sochaczew.example",
        "social_worker",
        SOCHACZEW,
    ),
    (
        "social.worker2@sochaczew.example",
        "social_worker",
        SOCHACZEW,
    ),
    ("benefits@sochaczew.example", "benefits", SOCHACZEW),
    (
        "community@sochaczew.example",
        "community_organizer",
        SOCHACZEW,
    ),
    ("commission@sochaczew.example", "commission", SOCHACZEW),
    ("council@sochaczew.example", "council", SOCHACZEW),
    ("ngo@sochaczew.example", "ngo", SOCHACZEW),
    ("resident@sochaczew.example", "resident", SOCHACZEW),
    ("iod@sochaczew.example", "iod", SOCHACZEW),
    ("desk@brzeziny.example", "desk", BRZEZINY),
    ("coordinator@brzeziny.example", "coordinator", BRZEZINY),
    ("organizer@brzeziny.example", "organizer", BRZEZINY),
    ("organizer@lowicz.example", "organizer", LOWICZ),
];

const NAMES: [(&str, &str); 17] = [
    ("admin@cus.example", "Administrator"),
    ("desk@sochaczew.example", "Ewa Nowak"),
    ("organizer@sochaczew.example", "Marek Wiśniewski"),
    ("coordinator@sochaczew.example", "Katarzyna Wójcik"),
    ("social.worker@sochaczew.example", "Tomasz Kamiński"),
    ("social.worker2@sochaczew.example", "Monika Pawlak"),
    ("benefits@sochaczew.example", "Agnieszka Lewandowska"),
    ("community@sochaczew.example", "Piotr Zieliński"),
    ("commission@sochaczew.example", "Joanna Szymańska"),
    ("council@sochaczew.example", "Radny Jan Woźniak"),
    ("ngo@sochaczew.example", "Fundacja Razem"),
    ("resident@sochaczew.example", "Anna Kowalska"),
    ("iod@sochaczew.example", "Zofia Mazur"),
    ("desk@brzeziny.example", "Barbara Dąbrowska"),
    ("coordinator@brzeziny.example", "Michał Kozłowski"),
    ("organizer@brzeziny.example", "Alicja Grabowska"),
    ("organizer@lowicz.example", "Robert Jabłoński"),
];

fn actor_of(conn: &mut DbConn, email: &str) -> DomainResult<Actor> {
    let row: auth::UserRow = users::table
        .filter(users::email.eq(email))
        .select(auth::UserRow::as_select())
        .first(conn)?;
    Ok(row.actor())
}

fn service(
    code: &str,
    name: &str,
    area: &str,
    variant: &str,
    standard: &str,
    fee: &str,
    access: &str,
) -> ServiceInput {
    ServiceInput {
        code: code.into(),
        name: name.into(),
        area: area.into(),
        standard: standard.into(),
        variant: variant.into(),
        phase: "III".into(),
        fee_rule: fee.into(),
        access_criteria: access.into(),
        active: true,
    }
}

fn catalogue() -> Vec<ServiceInput> {
    vec![
        service("UO", "Usługi opiekuńcze", "social_assistance", "I",
            "Pomoc w codziennych czynnościach, opieka higieniczna, kontakt z otoczeniem; standard usług opiekuńczych CUS.",
            "Odpłatność wg uchwały rady gminy, zależna od dochodu; bezpłatnie do 100% kryterium dochodowego.",
            "Osoby samotne lub w rodzinie niezdolnej do opieki, wymagające pomocy z powodu wieku lub choroby."),
        service("POS", "Dowóz posiłków", "social_assistance", "II",
            "Gorący posiłek dowożony 5 dni w tygodniu.",
            "Odpłatność częściowa wg dochodu.",
            "Osoby starsze i niepełnosprawne niemogące samodzielnie przygotować posiłku."),
        service("KIS", "Klub Integracji Społecznej z treningiem pracy", "reintegration", "III",
            "Reintegracja zawodowa i społeczna: warsztaty, trening pracy u pracodawcy, doradztwo.",
            "Bezpłatnie.",
            "Osoby długotrwale bezrobotne i zagrożone wykluczeniem społecznym."),
        service("TR", "Transport na rehabilitację", "disability", "III",
            "Dowóz do placówek rehabilitacyjnych i z powrotem.",
            "Bezpłatnie dla osób z orzeczeniem o znacznym stopniu niepełnosprawności.",
            "Osoby z niepełnosprawnością ruchową."),
        service("US", "Usługa sąsiedzka", "social_assistance", "III",
            "Pomoc sąsiada w drobnych czynnościach dnia codziennego.",
            "Bezpłatnie.",
            "Osoby starsze mieszkające samotnie."),
        service("WS", "Wypożyczalnia sprzętu rehabilitacyjnego", "health", "III",
            "Wypożyczenie sprzętu (łóżka, wózki, balkoniki) na czas leczenia.",
            "Bezpłatnie, kaucja zwrotna.",
            "Mieszkańcy gminy ze wskazaniem lekarza."),
    ]
}

/// Loads the demonstration data into an empty database. Returns false (and
/// changes nothing) when there is already a municipality.
pub fn seed(conn: &mut DbConn) -> DomainResult<bool> {
    let existing: i64 = municipalities::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    cus_db::transaction(conn, |conn| -> DomainResult<()> {
        crate::platform::admin::add_municipality(conn, SOCHACZEW, "Gmina Miasto Sochaczew")?;
        crate::platform::admin::add_municipality(conn, BRZEZINY, "Gmina Miasto Brzeziny")?;
        let lowicz = LOWICZ;
        crate::platform::admin::add_municipality(conn, lowicz, "Gmina Miasto Łowicz")?;
        for ((email, role, municipality), (_, name)) in LOGINS.iter().zip(NAMES) {
            auth::create_user(
                conn,
                NewUser {
                    email: email.to_string(),
                    password: PASSWORD.to_string(),
                    role: Role::parse(role).expect("demo roles are valid"),
                    municipality: (*municipality != "all").then(|| municipality.to_string()),
                    organization_id: None,
                    display_name: name.to_string(),
                    locale: "pl".into(),
                    confirmed: true,
                },
            )?;
        }
        let rules = Config::for_tests().rules;
        let organizer = actor_of(conn, "organizer@sochaczew.example")?;
        for s in catalogue() {
            window::save_service(conn, &organizer, None, s)?;
        }
        let desk = actor_of(conn, "desk@sochaczew.example")?;
        let coordinator = actor_of(conn, "coordinator@sochaczew.example")?;
        // The resident's own account files a request online.
        let resident = actor_of(conn, "resident@sochaczew.example")?;
        window::file_request(conn, &resident, &rules.requests(), NewRequest {
            resident_id: None,
            service_code: Some("POS".into()),
            description: "Po operacji biodra nie mogę sama robić zakupów ani gotować. Proszę o dowóz obiadów.".into(),
            channel: "online".into(),
        })?;
        // At the desk: Jan Malinowski, long-term unemployed, asks for KIS.
        let jan = window::create_resident(conn, &desk, NewResident {
            pesel: "71030512355".into(),
            first_name: "Jan".into(),
            last_name: "Malinowski".into(),
            address: "ul. Warszawska 12/4, 96-500 Sochaczew".into(),
            email: None,
            phone: Some("600 100 200".into()),
        })?;
        let request = window::file_request(conn, &desk, &rules.requests(), NewRequest {
            resident_id: Some(jan.id.to_string()),
            service_code: Some("KIS".into()),
            description: "Bezrobotny od 3 lat, chce wrócić do pracy; potrzebuje wsparcia i treningu pracy.".into(),
            channel: "desk".into(),
        })?;
        window::route_request(conn, &desk, &request.id, RouteInput {
            to: "coordinator".into(),
            note: "Potrzebna koordynacja co najmniej dwóch usług przez ponad 3 miesiące.".into(),
        })?;
        let plan = plans::create_plan(conn, &coordinator, &rules.plans(), NewPlan {
            resident_id: jan.id.to_string(),
            request_id: Some(request.id.to_string()),
            goals: vec!["Podjęcie zatrudnienia w ciągu 9 miesięcy".into(), "Odbudowa codziennej aktywności".into()],
            needs: "Brak aktualnych kwalifikacji, izolacja społeczna.".into(),
            resident_commitments: "Udział w zajęciach KIS 3 razy w tygodniu; rejestracja w PUP; kontakt z koordynatorem co 2 tygodnie.".into(),
            application_date: None,
        })?;
        let start = today();
        plans::add_item(conn, &coordinator, &rules.plans(), &plan.id, NewItem {
            service_code: "KIS".into(),
            provider: Some("Spółdzielnia Socjalna \"Razem\"".into()),
            provider_agreement_id: None,
            frequency: "3 razy w tygodniu".into(),
            hours_per_month: Some(48),
            start_date: start,
            end_date: start + Duration::days(270),
        })?;
        // A second resident with care services, already approved and active.
        let maria = window::create_resident(conn, &desk, NewResident {
            pesel: "44051401458".into(),
            first_name: "Maria".into(),
            last_name: "Zając".into(),
            address: "ul. Chopina 3, 96-500 Sochaczew".into(),
            email: None,
            phone: None,
        })?;
        // Maria's daughter asked at the desk a week ago for care at home; the
        // request still waits to be routed (overdue on the desk's home page).
        let waiting = window::file_request(conn, &desk, &rules.requests(), NewRequest {
            resident_id: Some(maria.id.to_string()),
            service_code: Some("UO".into()),
            description: "Córka prosi o zwiększenie liczby godzin usług opiekuńczych.".into(),
            channel: "desk".into(),
        })?;
        diesel::update(cus_db::schema::requests::table.find(waiting.id.as_str()))
            .set(cus_db::schema::requests::created_at.eq(cus_db::now() - Duration::days(7)))
            .execute(conn)?;
        let care = plans::create_plan(conn, &coordinator, &rules.plans(), NewPlan {
            resident_id: maria.id.to_string(),
            request_id: None,
            goals: vec!["Bezpieczne pozostanie w domu".into()],
            needs: "Ograniczona sprawność po udarze; mieszka sama.".into(),
            resident_commitments: "Korzystanie z wypożyczonego balkonika; ćwiczenia zalecone przez fizjoterapeutę.".into(),
            application_date: None,
        })?;
        for (code, provider, frequency, hours) in [
            ("UO", "Polski Komitet Pomocy Społecznej, Koło w Sochaczewie", "codziennie w dni robocze", Some(40)),
            ("POS", "CUS Sochaczew (własny personel)", "5 razy w tygodniu", None),
        ] {
            plans::add_item(conn, &coordinator, &rules.plans(), &care.id, NewItem {
                service_code: code.into(),
                provider: Some(provider.into()),
                provider_agreement_id: None,
                frequency: frequency.into(),
                hours_per_month: hours,
                start_date: start,
                end_date: start + Duration::days(180),
            })?;
        }
        let step = |to: &str| TransitionInput { to: to.into(), note: String::new(), outcome: None, review_date: None };
        plans::transition(conn, &coordinator, &care.id, step("agreed"))?;
        plans::transition(conn, &organizer, &care.id, step("approved"))?;
        plans::transition(conn, &coordinator, &care.id, step("active"))?;
        contracting_demo(conn, &organizer)?;
        scoring_demo(conn, &organizer)?;
        community_demo(conn, &organizer)?;
        // The resident's own request gets a draft plan, and the coordinator
        // asks for the resident's consent (mail; both home pages show it).
        let (own_request, own_record): (String, String) = cus_db::schema::requests::table
            .filter(cus_db::schema::requests::created_by.eq(&resident.user_id))
            .select((cus_db::schema::requests::id, cus_db::schema::requests::resident_id))
            .first(conn)?;
        let consent = plans::create_plan(conn, &coordinator, &rules.plans(), NewPlan {
            resident_id: own_record,
            request_id: Some(own_request),
            goals: vec!["Samodzielne przygotowywanie posiłków po rehabilitacji".into()],
            needs: "Czasowa niesprawność po operacji biodra.".into(),
            resident_commitments: "Udział w rehabilitacji; informowanie koordynatora o zmianach.".into(),
            application_date: None,
        })?;
        plans::add_item(conn, &coordinator, &rules.plans(), &consent.id, NewItem {
            service_code: "POS".into(),
            provider: Some("CUS Sochaczew (własny personel)".into()),
            provider_agreement_id: None,
            frequency: "5 razy w tygodniu".into(),
            hours_per_month: None,
            start_date: start,
            end_date: start + Duration::days(90),
        })?;
        plans::request_consent(conn, &coordinator, &consent.id)?;
        // Brzeziny and Łowicz: their own catalogues, invisible from Sochaczew.
        let brzeziny_org = actor_of(conn, "organizer@brzeziny.example")?;
        let lowicz_org = actor_of(conn, "organizer@lowicz.example")?;
        for other in [&brzeziny_org, &lowicz_org] {
            for s in catalogue().into_iter().filter(|s| s.code == "UO" || s.code == "KIS") {
                window::save_service(conn, other, None, s)?;
            }
        }
        // Assessment and benchmarking: a year of records in all three.
        assessment::seed(
            conn,
            &[(SOCHACZEW, organizer.clone()), (BRZEZINY, brzeziny_org), (lowicz, lowicz_org)],
        )?;
        // The social services program, consulted, adopted and evaluated.
        let council = actor_of(conn, "council@sochaczew.example")?;
        let ngo = actor_of(conn, "ngo@sochaczew.example")?;
        social::seed(
            conn,
            social::Cast {
                organizer: &organizer,
                council: &council,
                resident: &resident,
                ngo: &ngo,
            },
        )?;
        let iod = actor_of(conn, "iod@sochaczew.example")?;
        privacy::seed(conn, &desk, &iod, &resident, &rules)?;
        let benefits = actor_of(conn, "benefits@sochaczew.example")?;
        let worker = actor_of(conn, "social.worker@sochaczew.example")?;
        let colleague = actor_of(conn, "social.worker2@sochaczew.example")?;
        social_work::seed(
            conn,
            social_work::Cast {
                organizer: &organizer,
                desk: &desk,
                benefits: &benefits,
                worker: &worker,
                colleague: &colleague,
            },
            &jan.id,
            &maria.id,
            &rules,
        )?;
        Ok(())
    })
    .map_err(|e| match e {
        DomainError::Database(d) => DomainError::Database(d),
        other => other,
    })?;
    Ok(true)
}

/// Contracting: the demo NGO's organization, an adopted cooperation program,
/// a published competition and a multi-year agreement with capacity that
/// IPUS items can name.
fn contracting_demo(conn: &mut DbConn, organizer: &Actor) -> DomainResult<()> {
    use chrono::Datelike;
    use contracting::{agreements, competitions, organizations, programs};
    let org = organizations::create(
        conn,
        SOCHACZEW,
        &organizations::OrganizationInput {
            name: "Fundacja Razem".into(),
            legal_form: "foundation".into(),
            krs: Some("0000123456".into()),
            nip: "5260001246".into(),
            regon: "123456785".into(),
            address: "ul. Staszica 5".into(),
            postal_code: "96-500".into(),
            city: "Sochaczew".into(),
            email: "ngo@sochaczew.example".into(),
            phone: None,
            iban: Some("PL61109010140000071219812874".into()),
            alerts: true,
        },
    )?;
    diesel::update(users::table.filter(users::email.eq("ngo@sochaczew.example")))
        .set(users::organization_id.eq(&org.id))
        .execute(conn)?;
    let year = today().year();
    let program = programs::create(
        conn,
        organizer,
        programs::ProgramInput {
            title: format!("Wieloletni program współpracy Gminy Miasto Sochaczew z organizacjami pozarządowymi na lata {}-{}", year + 1, year + 3),
            year_from: year + 1,
            year_to: year + 3,
            goals: "Rozwój usług społecznych świadczonych przez organizacje pozarządowe.".into(),
            priorities: vec!["usługi opiekuńcze".into(), "reintegracja społeczna i zawodowa".into(), "wsparcie seniorów".into()],
            forms: "zlecanie zadań publicznych, konsultacje, partnerstwo".into(),
            yearly_funds: vec![
                programs::YearFunds { year: year + 1, amount_grosze: 60_000_000 },
                programs::YearFunds { year: year + 2, amount_grosze: 62_000_000 },
                programs::YearFunds { year: year + 3, amount_grosze: 64_000_000 },
            ],
            budget_grosze: None,
            competition_rules: "Konkursy ogłasza burmistrz; w komisjach zasiadają przedstawiciele organizacji.".into(),
            currency: None,
        },
    )?;
    // Consulted, and now before the council (on the councillor's home page).
    for to in ["consultation", "submitted"] {
        programs::transition(
            conn,
            organizer,
            &program.row.id,
            programs::ProgramTransition {
                to: to.into(),
                resolution_number: None,
                resolution_date: None,
                consultation_until: None,
            },
        )?;
    }
    // Offers are due in 30 days; the task starts the year after (in
    // December, the year after next: a task may not start before its
    // offers are in).
    let deadline = today() + Duration::days(30);
    let first = deadline.year() + 1;
    let competition = competitions::create(
        conn,
        organizer,
        competitions::CompetitionInput {
            title: format!(
                "Usługi opiekuńcze w miejscu zamieszkania {}-{}",
                first,
                first + 1
            ),
            task: "Świadczenie usług opiekuńczych dla seniorów w ich domach.".into(),
            service_code: Some("UO".into()),
            program_id: None,
            program_service_id: None,
            financing: "co_financing".into(),
            funds_grosze: 40_000_000,
            period_start: chrono::NaiveDate::from_ymd_opt(first, 1, 1).expect("date"),
            period_end: chrono::NaiveDate::from_ymd_opt(first + 1, 12, 31).expect("date"),
            offer_deadline: deadline,
            award_rules: "Dotacja do 90% kosztów zadania; wkład własny co najmniej 10%.".into(),
            conditions: "Zadanie realizowane na terenie miasta Sochaczew.".into(),
            award_procedure: "Ocena formalna, ocena merytoryczna komisji według kryteriów.".into(),
            prior_funding: format!("{}: 180 000 zł; {}: 190 000 zł", year - 1, year),
            criteria: vec![
                competitions::CriterionInput {
                    name: "Możliwość realizacji zadania".into(),
                    weight: 30,
                    max_points: 10,
                },
                competitions::CriterionInput {
                    name: "Kalkulacja kosztów".into(),
                    weight: 30,
                    max_points: 10,
                },
                competitions::CriterionInput {
                    name: "Jakość i kwalifikacje".into(),
                    weight: 40,
                    max_points: 10,
                },
            ],
            currency: None,
        },
    )?;
    competitions::publish(
        conn,
        organizer,
        &competition.row.id,
        "http://127.0.0.1:8080",
    )?;
    let start = today();
    let end = chrono::NaiveDate::from_ymd_opt(year + 1, 12, 31).expect("date");
    agreements::create(
        conn,
        organizer,
        agreements::AgreementInput {
            organization_id: org.id.to_string(),
            competition_id: None,
            program_service_id: None,
            title: Some("Klub Integracji Społecznej — trening pracy".into()),
            mode: "partnership".into(),
            financing: "co_financing".into(),
            start_date: start,
            end_date: end,
            tranches: vec![
                agreements::Tranche {
                    year,
                    amount_grosze: 2_000_000,
                },
                agreements::Tranche {
                    year: year + 1,
                    amount_grosze: 12_000_000,
                },
            ],
            indicators: vec!["uczestnicy KIS".into(), "osoby zatrudnione".into()],
            capacity_unit: Some("places".into()),
            capacity_per_year: Some(15),
            currency: None,
        },
    )?;
    Ok(())
}

/// A competition whose offer deadline has passed: the demo NGO's offer passed
/// the formal check and waits for the commission's scores.
fn scoring_demo(conn: &mut DbConn, organizer: &Actor) -> DomainResult<()> {
    use chrono::Datelike;
    use contracting::{competitions, evaluation, offers};
    let ngo = actor_of(conn, "ngo@sochaczew.example")?;
    let member = actor_of(conn, "commission@sochaczew.example")?;
    let first = (today() + Duration::days(30)).year() + 1;
    let competition = competitions::create(
        conn,
        organizer,
        competitions::CompetitionInput {
            title: format!("Klub Integracji Społecznej {first}"),
            task: "Reintegracja społeczna i zawodowa osób długotrwale bezrobotnych.".into(),
            service_code: Some("KIS".into()),
            program_id: None,
            program_service_id: None,
            financing: "co_financing".into(),
            funds_grosze: 15_000_000,
            period_start: chrono::NaiveDate::from_ymd_opt(first, 1, 1).expect("date"),
            period_end: chrono::NaiveDate::from_ymd_opt(first, 12, 31).expect("date"),
            offer_deadline: today() + Duration::days(competitions::MIN_OFFER_DAYS),
            award_rules: "Dotacja do 90% kosztów zadania.".into(),
            conditions: "Zadanie realizowane na terenie miasta Sochaczew.".into(),
            award_procedure: "Ocena formalna, ocena merytoryczna komisji według kryteriów.".into(),
            prior_funding: "Zadanie zlecane po raz pierwszy.".into(),
            criteria: vec![
                competitions::CriterionInput {
                    name: "Możliwość realizacji zadania".into(),
                    weight: 50,
                    max_points: 10,
                },
                competitions::CriterionInput {
                    name: "Kalkulacja kosztów".into(),
                    weight: 50,
                    max_points: 10,
                },
            ],
            currency: None,
        },
    )?;
    let id = competition.row.id.clone();
    competitions::publish(conn, organizer, &id, "http://127.0.0.1:8080")?;
    let offer = offers::submit(
        conn,
        &ngo,
        &id,
        offers::OfferInput {
            title: "Klub Integracji Społecznej „Krok dalej”".into(),
            description:
                "Zajęcia reintegracyjne trzy razy w tygodniu i trening pracy u pracodawców.".into(),
            schedule: "Styczeń–grudzień: nabór, zajęcia, trening pracy.".into(),
            expected_results: "15 uczestników, 5 zatrudnionych.".into(),
            indicators: vec!["uczestnicy KIS".into()],
            bidder_profile: "Fundacja prowadzi KIS od 2019 roku.".into(),
            budget_lines: vec![offers::BudgetLine {
                name: "Wynagrodzenia instruktorów".into(),
                category: "task".into(),
                year: first,
                amount_grosze: 12_000_000,
            }],
            own_contribution_grosze: 1_500_000,
            in_kind_grosze: 0,
            volunteer_hours: 0,
            declarations: true,
            currency: None,
        },
    )?;
    // The demo starts after the offers are in: the deadline passed three days ago.
    diesel::update(cus_db::schema::competitions::table.find(&id))
        .set(cus_db::schema::competitions::offer_deadline.eq(today() - Duration::days(3)))
        .execute(conn)?;
    evaluation::formal(
        conn,
        organizer,
        &offer.row.id,
        evaluation::FormalInput {
            passed: true,
            note: String::new(),
        },
    )?;
    evaluation::appoint(
        conn,
        organizer,
        &id,
        evaluation::CommissionInput {
            user_ids: vec![member.user_id.clone()],
        },
    )?;
    evaluation::declare(
        conn,
        &member,
        &id,
        evaluation::DeclarationInput {
            no_conflict: true,
            statement: None,
        },
    )?;
    Ok(())
}

/// Community work: a year of activities with one community worked with
/// continuously and one that only had a one-off event; forum threads.
fn community_demo(conn: &mut DbConn, organizer: &Actor) -> DomainResult<()> {
    use community::forum::{self, ThreadInput};
    use community::organizing::{self, ActivityInput, CommunityInput, Stage};
    let osl = actor_of(conn, "community@sochaczew.example")?;
    let stage = |n: &str, s: &str| Stage {
        name: n.into(),
        status: s.into(),
    };
    organizing::create_community(
        conn,
        &osl,
        CommunityInput {
            name: "Osiedle Chodaków".into(),
            kind: "territorial".into(),
            diagnosis: "Brak miejsc spotkań, samotni seniorzy, młodzież bez oferty po szkole."
                .into(),
            resources: "Dom kultury, parafia, szkoła podstawowa nr 4, aktywni emeryci.".into(),
            goals: "Samodzielnie działająca grupa sąsiedzka i klub seniora.".into(),
            stages: vec![
                stage("Rozpoznanie", "done"),
                stage("Animacja", "done"),
                stage("Grupa obywatelska", "in_progress"),
                stage("Usamodzielnienie", ""),
            ],
        },
    )?;
    organizing::create_community(
        conn,
        &osl,
        CommunityInput {
            name: "Osoby długotrwale bezrobotne".into(),
            kind: "categorial".into(),
            diagnosis: "Niska aktywność, brak sieci wsparcia.".into(),
            resources: "KIS, PUP, spółdzielnia socjalna.".into(),
            goals: "Grupa wsparcia prowadzona przez uczestników.".into(),
            stages: vec![stage("Rozpoznanie", "in_progress")],
        },
    )?;
    let plan = [
        (
            -330,
            "Diagnoza lokalna: spacer badawczy",
            "local_diagnosis",
            "preventive",
            12,
        ),
        (
            -300,
            "Spotkanie mieszkańców w domu kultury",
            "meeting",
            "preventive",
            35,
        ),
        (
            -270,
            "Akcja sprzątania podwórek",
            "volunteer_action",
            "inhibiting",
            40,
        ),
        (
            -240,
            "Powstanie grupy sąsiedzkiej",
            "citizen_group",
            "inhibiting",
            15,
        ),
        (-200, "Warsztaty dla liderów", "training", "preventive", 10),
        (
            -160,
            "Piknik sąsiedzki",
            "integration_event",
            "inhibiting",
            120,
        ),
        (
            -120,
            "Dyżur grupy sąsiedzkiej",
            "animation",
            "inhibiting",
            18,
        ),
        (
            -90,
            "Klub seniora — pierwsze spotkanie",
            "meeting",
            "intervention",
            22,
        ),
        (
            -60,
            "Zbiórka dla rodzin w kryzysie",
            "volunteer_action",
            "intervention",
            30,
        ),
        (-30, "Spotkanie z radnymi", "meeting", "preventive", 25),
    ];
    for (days, title, kind, dimension, people) in plan {
        organizing::log_activity(
            conn,
            &osl,
            ActivityInput {
                date: today() + Duration::days(days),
                title: title.into(),
                kind: kind.into(),
                dimension: dimension.into(),
                community: "Osiedle Chodaków".into(),
                participants: people,
                volunteers: people / 5,
                volunteer_hours: people / 2,
                partners: vec!["Dom Kultury".into(), "Parafia św. Wawrzyńca".into()],
                outcome: "Ustalenia zapisane w notatce.".into(),
                follow_up: "Kolejne spotkanie za miesiąc.".into(),
                community_kind: None,
            },
        )?;
    }
    organizing::log_activity(
        conn,
        &osl,
        ActivityInput {
            date: today() + Duration::days(-150),
            title: "Festyn z okazji Dnia Walki z Wykluczeniem".into(),
            kind: "integration_event".into(),
            dimension: "intervention".into(),
            community: "Osoby długotrwale bezrobotne".into(),
            participants: 60,
            volunteers: 5,
            volunteer_hours: 20,
            partners: vec![],
            outcome: "Wydarzenie jednorazowe.".into(),
            follow_up: String::new(),
            community_kind: None,
        },
    )?;
    let url = "http://127.0.0.1:8080";
    let program_id: String = cus_db::schema::programs::table
        .select(cus_db::schema::programs::id)
        .first(conn)?;
    forum::create_thread(conn, organizer, ThreadInput {
        title: "Konsultacje programu usług społecznych".into(),
        body: "Zapraszamy partnerów do **uwag** do projektu programu usług społecznych.".into(),
        kind: "consultation".into(),
        meeting_at: None,
        place: None,
        agenda: None,
        document: Some("## Projekt\n\n1. Usługi opiekuńcze\n2. Klub Integracji Społecznej\n3. Usługa sąsiedzka".into()),
        // Ends within the week: on the organizer's home page.
        closes_on: Some(today() + Duration::days(5)),
        participants: vec![],
        linked_type: Some("program".into()),
        linked_id: Some(program_id),
    }, url)?;
    forum::create_thread(
        conn,
        organizer,
        ThreadInput {
            title: "Posiedzenie forum partnerów".into(),
            body: "Zapraszamy na kwartalne posiedzenie forum.".into(),
            kind: "meeting".into(),
            // 17:00 in Warsaw (the display zone), stored in UTC.
            meeting_at: Some(crate::platform::templates::local_input_to_utc(
                &format!("{}T17:00", today() + Duration::days(10)),
                crate::platform::templates::timezone(),
            )),
            place: Some("CUS Sochaczew, sala 12".into()),
            agenda: Some(
                "1. Program współpracy\n2. Konkursy na przyszły rok\n3. Wolne wnioski".into(),
            ),
            document: None,
            closes_on: None,
            participants: vec![],
            linked_type: None,
            linked_id: None,
        },
        url,
    )?;
    Ok(())
}
