//! The demo's social work (seed 002 and 003): two districts, two families,
//! the messages between the social worker and the benefits officer, a
//! referral waiting for the demo social worker (on their home page), one
//! accepted by their colleague and one declined, and two social contracts
//! with a commitment already kept: the caseload page shows both workers.

use chrono::Duration;
use cus_db::{today, Actor, DbConn, DomainResult};

use crate::platform::config::Rules;
use crate::social_work::caseload::{self, DistrictInput};
use crate::social_work::contracts::{self, CommitmentInput, CommitmentUpdate, NewContract};
use crate::social_work::households::{self, HouseholdInput, MemberInput};
use crate::social_work::referrals::{self, ReferralTransition};
use crate::window::{self, MessageInput, NewRequest, NewResident, Request, ResidentId};

/// Who acts in the demo's social work.
pub struct Cast<'a> {
    pub organizer: &'a Actor,
    pub desk: &'a Actor,
    pub benefits: &'a Actor,
    pub worker: &'a Actor,
    pub colleague: &'a Actor,
}

fn person(
    conn: &mut DbConn,
    desk: &Actor,
    pesel: &str,
    first: &str,
    last: &str,
    address: &str,
) -> DomainResult<ResidentId> {
    Ok(window::create_resident(
        conn,
        desk,
        NewResident {
            pesel: pesel.into(),
            first_name: first.into(),
            last_name: last.into(),
            address: address.into(),
            email: None,
            phone: None,
        },
    )?
    .id)
}

fn family(
    conn: &mut DbConn,
    desk: &Actor,
    district: &str,
    members: &[(&ResidentId, &str)],
) -> DomainResult<()> {
    households::create_household(
        conn,
        desk,
        HouseholdInput {
            members: members
                .iter()
                .map(|(r, relation)| MemberInput {
                    resident_id: r.to_string(),
                    relation: relation.to_string(),
                })
                .collect(),
            district_id: Some(district.to_string()),
        },
    )?;
    Ok(())
}

fn request(
    conn: &mut DbConn,
    cast: &Cast,
    rules: &Rules,
    resident: &ResidentId,
    text: &str,
) -> DomainResult<Request> {
    window::file_request(
        conn,
        cast.desk,
        &rules.requests(),
        NewRequest {
            resident_id: Some(resident.to_string()),
            service_code: None,
            description: text.into(),
            channel: "desk".into(),
        },
    )
}

fn message(
    conn: &mut DbConn,
    by: &Actor,
    request: &Request,
    kind: &str,
    text: &str,
) -> DomainResult<Option<crate::social_work::ReferralId>> {
    let sent = window::send_message(
        conn,
        by,
        &request.id,
        MessageInput {
            kind: kind.into(),
            text: text.into(),
        },
    )?;
    Ok(sent.referral.map(|r| r.id))
}

fn step(
    to: &str,
    reason: Option<&str>,
    outcome: Option<&str>,
    delivered: Option<bool>,
) -> ReferralTransition {
    ReferralTransition {
        to: to.into(),
        reason: reason.map(str::to_string),
        outcome: outcome.map(str::to_string),
        delivered,
    }
}

fn commitment(text: &str, days: i64) -> CommitmentInput {
    CommitmentInput {
        text: text.into(),
        due: today() + Duration::days(days),
    }
}

pub fn seed(
    conn: &mut DbConn,
    cast: Cast,
    jan: &ResidentId,
    maria: &ResidentId,
    rules: &Rules,
) -> DomainResult<()> {
    let centre = caseload::create_district(
        conn,
        cast.organizer,
        DistrictInput {
            name: "Rejon Śródmieście".into(),
            social_worker_ids: vec![cast.worker.user_id.clone(), cast.colleague.user_id.clone()],
        },
    )?;
    let chodakow = caseload::create_district(
        conn,
        cast.organizer,
        DistrictInput {
            name: "Rejon Chodaków".into(),
            social_worker_ids: vec![cast.worker.user_id.clone(), cast.colleague.user_id.clone()],
        },
    )?;
    // The Malinowski family: Jan (the KIS participant), his wife and son.
    let ewa = person(
        conn,
        cast.desk,
        "74060812343",
        "Ewa",
        "Malinowska",
        "ul. Warszawska 12/4, 96-500 Sochaczew",
    )?;
    let kacper = person(
        conn,
        cast.desk,
        "08231509879",
        "Kacper",
        "Malinowski",
        "ul. Warszawska 12/4, 96-500 Sochaczew",
    )?;
    family(
        conn,
        cast.desk,
        centre.id.as_str(),
        &[(jan, "head"), (&ewa, "spouse"), (&kacper, "child")],
    )?;
    // The Wrona family in Chodaków.
    let krzysztof = person(
        conn,
        cast.desk,
        "80111007514",
        "Krzysztof",
        "Wrona",
        "ul. Chodakowska 40, 96-503 Sochaczew",
    )?;
    let beata = person(
        conn,
        cast.desk,
        "83042205684",
        "Beata",
        "Wrona",
        "ul. Chodakowska 40, 96-503 Sochaczew",
    )?;
    family(
        conn,
        cast.desk,
        chodakow.id.as_str(),
        &[(&krzysztof, "head"), (&beata, "partner")],
    )?;

    // Beata asks for a purpose allowance for fuel; the benefits officer
    // refers the case to establish the family's possibilities: it waits for
    // the demo social worker (the district's first, both without households yet).
    let fuel = request(
        conn,
        &cast,
        rules,
        &beata,
        "Wniosek o zasiłek celowy na zakup opału na zimę.",
    )?;
    message(
        conn,
        cast.benefits,
        &fuel,
        "referral",
        "Proszę o ustalenie sytuacji rodziny i możliwości samodzielnego zakupu opału.",
    )?;

    // Krzysztof: referred, accepted by the colleague, who makes a contract.
    let work = request(
        conn,
        &cast,
        rules,
        &krzysztof,
        "Utrata pracy; prośba o pomoc w znalezieniu zatrudnienia.",
    )?;
    let referral = message(
        conn,
        cast.benefits,
        &work,
        "referral",
        "Klient długotrwale bezrobotny; proszę o wywiad i plan współpracy.",
    )?
    .expect("a referral message opens a referral");
    referrals::transition(
        conn,
        cast.colleague,
        &referral,
        step("accepted", None, None, None),
    )?;
    message(
        conn,
        cast.colleague,
        &work,
        "cooperation_started",
        "Klient podjął współpracę; ustalamy kontrakt socjalny.",
    )?;
    let wrona = contracts::create_contract(
        conn,
        cast.colleague,
        NewContract {
            resident_id: krzysztof.to_string(),
            goals: vec![
                "Podjęcie zatrudnienia".into(),
                "Uregulowanie zaległości czynszowych".into(),
            ],
            client_commitments: vec![
                commitment("Rejestracja w Powiatowym Urzędzie Pracy", 7),
                commitment("Udział w warsztatach aktywizacji zawodowej", 45),
            ],
            worker_commitments: vec![commitment(
                "Pomoc w przygotowaniu CV i listu motywacyjnego",
                14,
            )],
            start_date: today() - Duration::days(3),
            end_date: today() + Duration::days(120),
        },
    )?;
    contracts::tick(
        conn,
        cast.colleague,
        &wrona.contract.id,
        0,
        CommitmentUpdate {
            done: true,
            note: "Zarejestrowany jako bezrobotny.".into(),
        },
    )?;

    // Jan: the demo social worker's contract beside his IPUS.
    let jans = contracts::create_contract(
        conn,
        cast.worker,
        NewContract {
            resident_id: jan.to_string(),
            goals: vec![
                "Odbudowa codziennej aktywności".into(),
                "Powrót na rynek pracy".into(),
            ],
            client_commitments: vec![
                commitment("Udział w zajęciach KIS 3 razy w tygodniu", 30),
                commitment("Spotkanie z doradcą zawodowym", 5),
            ],
            worker_commitments: vec![commitment("Wizyta w miejscu zamieszkania", 10)],
            start_date: today() - Duration::days(10),
            end_date: today() + Duration::days(170),
        },
    )?;
    contracts::tick(
        conn,
        cast.worker,
        &jans.contract.id,
        2,
        CommitmentUpdate {
            done: true,
            note: "Wywiad środowiskowy przeprowadzony.".into(),
        },
    )?;

    // Maria: referred, declined (her care runs in an IPUS already).
    let care = request(
        conn,
        &cast,
        rules,
        maria,
        "Prośba o dodatkowe świadczenie na leki.",
    )?;
    let referral = message(
        conn,
        cast.benefits,
        &care,
        "referral",
        "Proszę o opinię w sprawie zasiłku celowego na leki.",
    )?
    .expect("a referral message opens a referral");
    referrals::transition(
        conn,
        cast.worker,
        &referral,
        step(
            "declined",
            Some("Sytuację oceniono w ramach IPUS; opinia przekazana koordynatorowi."),
            None,
            None,
        ),
    )?;
    message(
        conn,
        cast.worker,
        &care,
        "purpose_allowance_opinion",
        "Zasadne przyznanie zasiłku celowego na leki w wysokości miesięcznych kosztów.",
    )?;
    Ok(())
}
