//! What social services programs have due: consultations ending within a
//! week (the organizer's) and versions submitted for adoption (the council's).

use chrono::{Duration, NaiveDate};
use cus_db::schema::social_programs;
use cus_db::todo::{Todo, SOON_DAYS};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use super::programs::SocialProgramStatus;

pub fn consultations_ending(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String, Option<NaiveDate>)> = social_programs::table
        .filter(social_programs::municipality.eq(actor.home()?))
        .filter(social_programs::status.eq(SocialProgramStatus::Consultation))
        .filter(
            social_programs::consultation_until.between(today, today + Duration::days(SOON_DAYS)),
        )
        .select((
            social_programs::id,
            social_programs::title,
            social_programs::consultation_until,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, until)| {
            Todo::consultation(
                format!("/social-programs/{id}"),
                title,
                until.unwrap_or(today),
            )
        })
        .collect())
}

pub fn to_adopt(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String)> = social_programs::table
        .filter(social_programs::municipality.eq(actor.home()?))
        .filter(social_programs::status.eq(SocialProgramStatus::Submitted))
        .select((social_programs::id, social_programs::title))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title)| Todo::to_adopt(format!("/social-programs/{id}"), title))
        .collect())
}
