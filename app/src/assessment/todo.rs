//! What assessment has due for the organizer: corrective actions past their
//! date, and computed indicators below their target in the municipality's
//! latest computed run.

use chrono::NaiveDate;
use cus_db::schema::{assessment_runs, corrective_actions, indicators};
use cus_db::todo::{Severity, Todo};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use super::corrective::CorrectiveStatus;
use super::runs::RunStatus;
use super::{Source, SubjectType};

/// Open corrective actions of the municipality past their due date.
pub fn corrective_overdue(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String, NaiveDate)> = corrective_actions::table
        .filter(corrective_actions::municipality.eq(actor.home()?))
        .filter(
            corrective_actions::status
                .eq_any([CorrectiveStatus::Open, CorrectiveStatus::InProgress]),
        )
        .filter(corrective_actions::due_date.lt(today))
        .select((
            corrective_actions::id,
            corrective_actions::title,
            corrective_actions::due_date,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, due)| {
            Todo::new(
                "corrective_overdue",
                Severity::Overdue,
                format!("/corrective-actions/{id}"),
            )
            .due(due)
            .arg("title", title)
        })
        .collect())
}

/// Computed indicators whose value for the municipality, in its latest
/// finished run, is worse than the indicator's target.
pub fn below_target(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Todo>> {
    let home = actor.home()?;
    let latest: Option<String> = assessment_runs::table
        .filter(assessment_runs::municipality.eq(home))
        .filter(assessment_runs::status.eq(RunStatus::Done))
        .order((
            assessment_runs::finished_at.desc(),
            assessment_runs::started_at.desc(),
        ))
        .select(assessment_runs::period)
        .first(conn)
        .optional()?;
    let Some(period) = latest else {
        return Ok(Vec::new());
    };
    let targeted: Vec<(String, String, bool, Option<i64>)> = indicators::table
        .filter(indicators::source.eq(Source::Computed))
        .filter(indicators::target_centi.is_not_null())
        .order(indicators::code)
        .select((
            indicators::code,
            indicators::name,
            indicators::higher_is_better,
            indicators::target_centi,
        ))
        .load(conn)?;
    let mut items = Vec::new();
    for (code, name, higher, target) in targeted {
        let target = target.map(super::from_centi).unwrap_or_default();
        let values = super::runs::latest_values(
            conn,
            &code,
            &period,
            SubjectType::Municipality.as_str(),
            Some(&[home.to_string()]),
        )?;
        let own = values
            .into_iter()
            .find(|(m, subject, _, suppressed)| m == home && subject == home && !suppressed)
            .and_then(|(_, _, value, _)| value);
        let worse = own.is_some_and(|v| if higher { v < target } else { v > target });
        if worse {
            items.push(
                Todo::new(
                    "indicator_below_target",
                    Severity::Info,
                    format!("/benchmarks?indicator={code}&period={period}"),
                )
                .arg("indicator", name)
                .arg("period", period.clone()),
            );
        }
    }
    Ok(items)
}
