//! The demo's data protection: a former client whose only case closed
//! eleven years ago (the retention page shows them due), one kept by a
//! legal hold, and the demo resident's request for access, filed three
//! weeks ago (on the officer's home page, due within a week).

use chrono::{Duration, NaiveDateTime};
use cus_db::schema::{privacy_requests, request_events, requests};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use crate::platform::config::Rules;
use crate::privacy::requests::{self as dsr, HoldInput, NewPrivacyRequest};
use crate::window::{self, NewRequest, NewResident, RequestStatus};

/// A request of a new resident, filed, closed and backdated `years` ago.
fn former_client(
    conn: &mut DbConn,
    desk: &Actor,
    rules: &Rules,
    who: NewResident,
    years: i64,
) -> DomainResult<crate::window::ResidentId> {
    let resident = window::create_resident(conn, desk, who)?;
    let request = window::file_request(
        conn,
        desk,
        &rules.requests(),
        NewRequest {
            resident_id: Some(resident.id.to_string()),
            service_code: Some("UO".into()),
            description: "Pomoc w codziennych czynnościach po hospitalizacji.".into(),
            channel: "desk".into(),
        },
    )?;
    let closed: NaiveDateTime = cus_db::now() - Duration::days(years * 366);
    diesel::update(requests::table.find(&request.id))
        .set((
            requests::status.eq(RequestStatus::Closed),
            requests::created_at.eq(closed - Duration::days(40)),
            requests::updated_at.eq(closed),
        ))
        .execute(conn)?;
    diesel::update(request_events::table.filter(request_events::request_id.eq(&request.id)))
        .set(request_events::at.eq(closed - Duration::days(40)))
        .execute(conn)?;
    diesel::insert_into(request_events::table)
        .values((
            request_events::id.eq(cus_db::new_id()),
            request_events::request_id.eq(&request.id),
            request_events::actor_id.eq(Some(&desk.user_id)),
            request_events::status.eq(RequestStatus::Closed),
            request_events::note.eq("Usługa zrealizowana."),
            request_events::at.eq(closed),
        ))
        .execute(conn)?;
    Ok(resident.id)
}

pub fn seed(
    conn: &mut DbConn,
    desk: &Actor,
    iod: &Actor,
    resident: &Actor,
    rules: &Rules,
) -> DomainResult<()> {
    former_client(
        conn,
        desk,
        rules,
        NewResident {
            pesel: "38021505615".into(),
            first_name: "Stanisław".into(),
            last_name: "Kaczmarek".into(),
            address: "ul. Lipowa 3, 96-500 Sochaczew".into(),
            email: None,
            phone: None,
        },
        11,
    )?;
    let held = former_client(
        conn,
        desk,
        rules,
        NewResident {
            pesel: "45062304529".into(),
            first_name: "Halina".into(),
            last_name: "Pawlak".into(),
            address: "ul. Chopina 8, 96-500 Sochaczew".into(),
            email: None,
            phone: None,
        },
        12,
    )?;
    dsr::hold(
        conn,
        iod,
        &held,
        HoldInput {
            reason: "Postępowanie przed sądem rodzinnym (sygn. III RC 12/24): akta potrzebne do jego końca.".into(),
        },
    )?;
    let filed = crate::dashboard::today() - Duration::days(24);
    let access = dsr::file(
        conn,
        resident,
        NewPrivacyRequest {
            resident_id: None,
            kind: "access".into(),
            text: "Proszę o informację, jakie moje dane przetwarza centrum i komu je udostępniono."
                .into(),
        },
        filed,
    )?;
    diesel::update(privacy_requests::table.find(&access.id))
        .set(privacy_requests::filed_at.eq(filed.and_hms_opt(9, 30, 0).expect("a valid time")))
        .execute(conn)?;
    Ok(())
}
