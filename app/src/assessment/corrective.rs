//! Corrective actions (działania naprawcze; seeds 000, 001: a municipality
//! below the group's average presents an improvement plan at the next
//! meeting): proposed where a figure is below the average or the target,
//! written by the organizer, followed by later runs, reminded when overdue.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::audit;
use cus_db::error::{Check, OptionalFound};
pub use cus_db::ids::CorrectiveActionId;
use cus_db::schema::{
    agreements, corrective_actions, corrective_events, corrective_reminders, organizations, users,
};
use cus_db::Lifecycle;
use cus_db::{new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

use super::indicators::{Indicator, READERS};
use super::ranking::{rank, Entry};
use super::*;

cus_db::text_enum! {
    /// Where a corrective action stands.
    pub enum CorrectiveStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Dropped = "dropped",
    }
}

impl Lifecycle for CorrectiveStatus {
    fn moves(self) -> &'static [Self] {
        use CorrectiveStatus::*;
        match self {
            Open => &[InProgress, Done, Dropped],
            InProgress => &[Done, Dropped],
            Done | Dropped => &[],
        }
    }
}

/// Still to be done: open or in progress (reminders, overdue flags).
const PENDING: [CorrectiveStatus; 2] = [CorrectiveStatus::Open, CorrectiveStatus::InProgress];

/// A figure of the caller's municipality (or of one of its agreements)
/// below the average or the target: where a corrective action is due.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    pub indicator: String,
    pub indicator_name: String,
    #[schema(value_type = String)]
    pub period: String,
    pub subject_type: String,
    pub subject_id: String,
    pub subject_name: String,
    pub value: f64,
    pub average: Option<f64>,
    pub target: Option<f64>,
    pub below_average: bool,
    pub below_target: bool,
    /// The benchmarking group compared with; none for the whole deployment
    /// or the municipality's own providers.
    pub group: Option<GroupRef>,
    /// An action already open for this figure.
    pub action_id: Option<CorrectiveActionId>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRef {
    pub id: super::groups::GroupId,
    pub name: String,
}

pub fn suggested(conn: &mut DbConn, actor: &Actor, period: &str) -> DomainResult<Vec<Suggestion>> {
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let period = Period::from_field(period, "period")?.to_string();
    let dictionary = super::indicators::all(conn)?;
    let groups = super::groups::groups_of(conn, &home)?;
    let open: HashMap<(String, String, String), CorrectiveActionId> = corrective_actions::table
        .filter(corrective_actions::municipality.eq(&home))
        .filter(corrective_actions::period.eq(&period))
        .filter(corrective_actions::status.eq_any(PENDING))
        .select((
            corrective_actions::indicator,
            corrective_actions::subject_type,
            corrective_actions::subject_id,
            corrective_actions::id,
        ))
        .load::<(String, String, String, CorrectiveActionId)>(conn)?
        .into_iter()
        .map(|(i, t, s, id)| ((i, t, s), id))
        .collect();
    let mut out = vec![];
    for indicator in &dictionary {
        let mut comparisons: Vec<(Option<GroupRef>, &'static str, Vec<Entry>)> = vec![];
        if indicator.applies_to("municipality") {
            let values =
                super::runs::latest_values(conn, &indicator.code, &period, "municipality", None)?;
            if values.iter().any(|v| v.1 == home) {
                comparisons.push((
                    None,
                    "municipality",
                    values
                        .into_iter()
                        .map(|(_, id, v, s)| (id.clone(), id, v, s))
                        .collect(),
                ));
                for (id, name) in &groups {
                    let entries = super::groups::benchmark_entries(
                        conn,
                        actor,
                        id,
                        &period,
                        &indicator.code,
                    )?;
                    comparisons.push((
                        Some(GroupRef {
                            id: id.clone(),
                            name: name.clone(),
                        }),
                        "municipality",
                        entries,
                    ));
                }
            }
        }
        if indicator.applies_to("agreement") {
            let values = super::runs::latest_values(
                conn,
                &indicator.code,
                &period,
                "agreement",
                Some(&[home.clone()]),
            )?;
            comparisons.push((
                None,
                "agreement",
                values
                    .into_iter()
                    .map(|(_, id, v, s)| (id.clone(), id, v, s))
                    .collect(),
            ));
        }
        for (group, subject_type, entries) in comparisons {
            let (average, _, rows) = rank(indicator, entries);
            for r in rows {
                let own = subject_type == "agreement" || r.subject_id == home;
                if !own || !(r.below_average || r.below_target) {
                    continue;
                }
                let key = (
                    indicator.code.clone(),
                    subject_type.to_string(),
                    r.subject_id.clone(),
                );
                out.push(Suggestion {
                    indicator: indicator.code.clone(),
                    indicator_name: indicator.name.clone(),
                    period: period.clone(),
                    subject_type: subject_type.into(),
                    subject_name: r.subject_id.clone(),
                    subject_id: r.subject_id,
                    value: r.value.expect("a flagged row has a value"),
                    average,
                    target: indicator.target,
                    below_average: r.below_average,
                    below_target: r.below_target,
                    group: group.clone(),
                    action_id: open.get(&key).cloned(),
                });
            }
        }
    }
    name_subjects(conn, &home, &mut out)?;
    Ok(out)
}

/// Agreement subjects by organization and number; municipalities by name.
fn name_subjects(conn: &mut DbConn, home: &str, list: &mut [Suggestion]) -> DomainResult<()> {
    let names: HashMap<String, String> = agreements::table
        .inner_join(organizations::table)
        .filter(agreements::municipality.eq(home))
        .select((agreements::id, agreements::number, organizations::name))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, o)| (id, format!("{o} ({n})")))
        .collect();
    let municipality: String = cus_db::schema::municipalities::table
        .find(home)
        .select(cus_db::schema::municipalities::name)
        .first(conn)?;
    for s in list {
        s.subject_name = match s.subject_type.as_str() {
            "agreement" => names
                .get(&s.subject_id)
                .cloned()
                .unwrap_or_else(|| s.subject_id.clone()),
            _ => municipality.clone(),
        };
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub indicator: String,
    #[schema(value_type = String, example = "2026", pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: String,
    /// The improvement plan: what will change and how.
    pub plan: String,
    #[schema(value_type = cus_db::openapi::CivilDate)]
    #[serde(deserialize_with = "cus_db::bounds::date")]
    pub due_date: NaiveDate,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub funding: Option<String>,
    #[serde(default)]
    pub expected_effect: Option<String>,
    /// The group meeting where the plan is (to be) presented.
    #[serde(default)]
    pub meeting_id: Option<String>,
    /// `municipality` (default) or `agreement`.
    #[serde(default)]
    pub subject_type: Option<String>,
    /// An agreement's id when `subject_type` is `agreement`.
    #[serde(default)]
    pub subject_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = corrective_actions)]
struct ActionRow {
    id: CorrectiveActionId,
    municipality: String,
    indicator: String,
    period: String,
    subject_type: String,
    subject_id: String,
    group_id: Option<String>,
    meeting_id: Option<String>,
    title: String,
    plan: String,
    steps: String,
    owner_id: Option<String>,
    funding: String,
    expected_effect: String,
    due_date: NaiveDate,
    status: CorrectiveStatus,
    baseline_centi: Option<i64>,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Later {
    #[schema(value_type = String)]
    pub period: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionEvent {
    pub from_status: Option<CorrectiveStatus>,
    pub to_status: CorrectiveStatus,
    pub note: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
}

/// A corrective action with the figures that follow it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Action {
    pub id: CorrectiveActionId,
    pub municipality: String,
    pub indicator: String,
    pub indicator_name: String,
    #[schema(value_type = String)]
    pub period: String,
    pub subject_type: String,
    pub subject_id: String,
    pub group_id: Option<String>,
    pub meeting_id: Option<String>,
    pub title: String,
    pub plan: String,
    pub steps: Vec<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub funding: String,
    pub expected_effect: String,
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub due_date: NaiveDate,
    pub overdue: bool,
    pub status: CorrectiveStatus,
    /// The value for the action's period when it was opened.
    pub baseline: Option<f64>,
    /// The newest value in a period that starts after the action's period.
    pub latest: Option<Later>,
    /// Whether `latest` is better than `baseline` in the indicator's
    /// direction; null while there is no later value.
    pub improved: Option<bool>,
    pub history: Vec<ActionEvent>,
    pub created_by: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

fn latest_result(
    conn: &mut DbConn,
    municipality: &str,
    indicator: &str,
    subject_type: &str,
    subject_id: &str,
) -> DomainResult<Vec<(Period, Option<f64>)>> {
    let (m, i, s) = (
        [municipality.to_string()],
        [indicator.to_string()],
        [subject_id.to_string()],
    );
    Ok(super::runs::load(
        conn,
        super::runs::Select {
            municipalities: Some(&m),
            indicators: Some(&i),
            subject_type: Some(subject_type),
            subject_ids: Some(&s),
            latest: true,
            ..Default::default()
        },
    )?
    .into_iter()
    .filter_map(|r| Some((Period::parse(&r.period)?, r.value_centi.map(from_centi))))
    .collect())
}

fn baseline_of(
    conn: &mut DbConn,
    m: &str,
    i: &str,
    t: &str,
    s: &str,
    period: Period,
) -> DomainResult<Option<f64>> {
    Ok(latest_result(conn, m, i, t, s)?
        .into_iter()
        .find(|(p, _)| *p == period)
        .and_then(|(_, v)| v))
}

pub fn create(conn: &mut DbConn, actor: &Actor, input: NewAction) -> DomainResult<Action> {
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let mut check = Check::new();
    let indicator = super::indicators::get(conn, &input.indicator).ok();
    check.require(indicator.is_some(), "indicator", "error-indicator-no-such");
    let period = Period::parse(&input.period);
    check.require(period.is_some(), "period", "error-period");
    check.text("plan", &input.plan, 1, 10_000);
    let title = input.title.clone().unwrap_or_default();
    check.text("title", &title, 0, 200);
    for (field, text) in [
        ("goal", &input.goal),
        ("funding", &input.funding),
        ("expected_effect", &input.expected_effect),
    ] {
        check.text(field, text.as_deref().unwrap_or(""), 0, 2000);
    }
    check.require(input.steps.len() <= 30, "steps", "error-too-many");
    for s in &input.steps {
        check.text("steps", s, 1, 500);
    }
    check.require(input.due_date >= today(), "due_date", "error-date-past");
    let subject_type = input
        .subject_type
        .clone()
        .unwrap_or_else(|| "municipality".into());
    let subject_id = match subject_type.as_str() {
        "municipality" => home.clone(),
        "agreement" => {
            let id = input.subject_id.clone().unwrap_or_default();
            let ours = agreements::table
                .filter(agreements::id.eq(&id))
                .filter(agreements::municipality.eq(&home))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            check.require(ours, "subject_id", "error-agreement-unknown");
            id
        }
        _ => {
            check.fail("subject_type", "error-indicator-subject");
            String::new()
        }
    };
    if let Some(i) = &indicator {
        if SubjectType::parse(&subject_type).is_some() {
            check.require(
                i.applies_to(&subject_type),
                "subject_type",
                "error-indicator-subject",
            );
        }
    }
    if let Some(owner) = &input.owner_id {
        let staff = users::table
            .filter(users::id.eq(owner))
            .filter(users::municipality.eq(&home))
            .filter(users::role.ne_all(["resident", "ngo"]))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        check.require(staff, "owner_id", "error-ca-owner");
    }
    let mut group_id = match input.group_id.as_deref() {
        None => None,
        Some(g) => {
            let parsed = super::groups::GroupId::parse(g);
            check.require(parsed.is_some(), "group_id", "error-ca-group");
            parsed
        }
    };
    if let Some(meeting) = &input.meeting_id {
        match super::groups::meeting_in_group(conn, meeting, &home)? {
            Some(g) => group_id = Some(g),
            None => check.fail("meeting_id", "error-ca-meeting"),
        }
    }
    if let Some(g) = &group_id {
        let member = super::groups::groups_of(conn, &home)?
            .iter()
            .any(|(id, _)| id == g);
        check.require(member, "group_id", "error-ca-group");
    }
    check.finish()?;
    let indicator = indicator.expect("checked");
    let period = period.expect("checked");
    let baseline = baseline_of(
        conn,
        &home,
        &indicator.code,
        &subject_type,
        &subject_id,
        period,
    )?;
    let id = CorrectiveActionId::new();
    let title = if title.trim().is_empty() {
        indicator.name.clone()
    } else {
        title.trim().to_string()
    };
    let plan = match input
        .goal
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        Some(goal) => format!("{}\n\n{goal}", input.plan.trim()),
        None => input.plan.trim().to_string(),
    };
    diesel::insert_into(corrective_actions::table)
        .values((
            corrective_actions::id.eq(&id),
            corrective_actions::municipality.eq(&home),
            corrective_actions::indicator.eq(&indicator.code),
            corrective_actions::period.eq(period.to_string()),
            corrective_actions::subject_type.eq(&subject_type),
            corrective_actions::subject_id.eq(&subject_id),
            corrective_actions::group_id.eq(&group_id),
            corrective_actions::meeting_id.eq(&input.meeting_id),
            corrective_actions::title.eq(&title),
            corrective_actions::plan.eq(&plan),
            corrective_actions::steps.eq(super::to_json(&input.steps)),
            corrective_actions::owner_id.eq(&input.owner_id),
            corrective_actions::funding.eq(input.funding.as_deref().unwrap_or("").trim()),
            corrective_actions::expected_effect.eq(input
                .expected_effect
                .as_deref()
                .unwrap_or("")
                .trim()),
            corrective_actions::due_date.eq(input.due_date),
            corrective_actions::status.eq(CorrectiveStatus::Open),
            corrective_actions::baseline_centi.eq(baseline.map(to_centi)),
            corrective_actions::created_by.eq(&actor.user_id),
            corrective_actions::created_at.eq(now()),
            corrective_actions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    event(conn, &id, actor, None, CorrectiveStatus::Open, "")?;
    audit(conn, actor, "corrective.create", "corrective_action", &id)?;
    get(conn, actor, &id)
}

fn event(
    conn: &mut DbConn,
    id: &CorrectiveActionId,
    actor: &Actor,
    from: Option<CorrectiveStatus>,
    to: CorrectiveStatus,
    note: &str,
) -> DomainResult<()> {
    diesel::insert_into(corrective_events::table)
        .values((
            corrective_events::id.eq(new_id()),
            corrective_events::action_id.eq(id),
            corrective_events::actor_id.eq(&actor.user_id),
            corrective_events::from_status.eq(from),
            corrective_events::to_status.eq(to),
            corrective_events::note.eq(note),
            corrective_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn view(
    conn: &mut DbConn,
    row: ActionRow,
    dictionary: &HashMap<String, Indicator>,
) -> DomainResult<Action> {
    let indicator = dictionary.get(&row.indicator);
    let period = Period::parse(&row.period).expect("stored periods are valid");
    let later = latest_result(
        conn,
        &row.municipality,
        &row.indicator,
        &row.subject_type,
        &row.subject_id,
    )?
    .into_iter()
    .filter(|(p, _)| p.starts_after(&period))
    .max_by_key(|(p, _)| (p.first_day(), std::cmp::Reverse(p.last_day())));
    let baseline = row.baseline_centi.map(from_centi);
    let improved = match (&later, baseline, indicator) {
        (Some((_, Some(v))), Some(b), Some(i)) => Some(i.worse(b, *v)),
        (Some(_), _, _) => Some(false),
        _ => None,
    };
    let history = corrective_events::table
        .filter(corrective_events::action_id.eq(&row.id))
        .order(corrective_events::at)
        .select((
            corrective_events::from_status,
            corrective_events::to_status,
            corrective_events::note,
            corrective_events::at,
        ))
        .load::<(
            Option<CorrectiveStatus>,
            CorrectiveStatus,
            String,
            NaiveDateTime,
        )>(conn)?
        .into_iter()
        .map(|(from_status, to_status, note, at)| ActionEvent {
            from_status,
            to_status,
            note,
            at,
        })
        .collect();
    let owner_name = match &row.owner_id {
        Some(o) => users::table
            .find(o)
            .select(users::display_name)
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok(Action {
        overdue: PENDING.contains(&row.status) && row.due_date < today(),
        indicator_name: indicator.map(|i| i.name.clone()).unwrap_or_default(),
        latest: later.map(|(p, value)| Later {
            period: p.to_string(),
            value,
        }),
        improved,
        baseline,
        history,
        owner_name,
        steps: json_list(&row.steps),
        id: row.id,
        municipality: row.municipality,
        indicator: row.indicator,
        period: row.period,
        subject_type: row.subject_type,
        subject_id: row.subject_id,
        group_id: row.group_id,
        meeting_id: row.meeting_id,
        title: row.title,
        plan: row.plan,
        owner_id: row.owner_id,
        funding: row.funding,
        expected_effect: row.expected_effect,
        due_date: row.due_date,
        status: row.status,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn dictionary(conn: &mut DbConn) -> DomainResult<HashMap<String, Indicator>> {
    Ok(super::indicators::all(conn)?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect())
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &CorrectiveActionId) -> DomainResult<Action> {
    actor.require(&READERS)?;
    let row = corrective_actions::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
        .found()?;
    if actor.home()? != row.municipality {
        return Err(DomainError::NotFound);
    }
    let d = dictionary(conn)?;
    view(conn, row, &d)
}

pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Action>> {
    actor.require(&READERS)?;
    let rows = corrective_actions::table
        .filter(corrective_actions::municipality.eq(actor.home()?))
        .order((corrective_actions::due_date, corrective_actions::created_at))
        .select(ActionRow::as_select())
        .load(conn)?;
    let d = dictionary(conn)?;
    rows.into_iter().map(|r| view(conn, r, &d)).collect()
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// `in_progress`, `done` or `dropped`.
    #[schema(value_type = CorrectiveStatus)]
    pub to: String,
    #[serde(default)]
    pub note: String,
}

pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CorrectiveActionId,
    input: Transition,
) -> DomainResult<Action> {
    let action = get(conn, actor, id)?;
    let owner = action.owner_id.as_deref() == Some(actor.user_id.as_str());
    if actor.role != Role::Organizer && !owner {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    // Every action opens as `open`: it is never a move's target.
    let to = CorrectiveStatus::parse(&input.to).filter(|t| *t != CorrectiveStatus::Open);
    check.require(to.is_some(), "to", "error-ca-status");
    check.text("note", &input.note, 0, 2000);
    check.finish()?;
    let to = to.expect("checked above");
    if !CorrectiveStatus::can_move(action.status, to) {
        return Err(DomainError::conflict("error-ca-transition"));
    }
    // The status moves only from the one read: a concurrent move wins once.
    let moved = diesel::update(
        corrective_actions::table
            .find(id)
            .filter(corrective_actions::status.eq(action.status)),
    )
    .set((
        corrective_actions::status.eq(to),
        corrective_actions::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Err(DomainError::conflict("error-ca-transition"));
    }
    event(conn, id, actor, Some(action.status), to, input.note.trim())?;
    audit(
        conn,
        actor,
        "corrective.transition",
        "corrective_action",
        id,
    )?;
    get(conn, actor, id)
}

/// The daily reminder: the owner (or the author) of every action still
/// open or in progress past its due date gets one mail a day through the
/// outbox; the row in `corrective_reminders` is written with the mail, so a
/// second run the same day queues nothing.
pub fn remind_overdue(conn: &mut DbConn, day: NaiveDate, public_url: &str) -> DomainResult<usize> {
    let rows: Vec<(String, String, NaiveDate, String, Option<String>, String)> =
        corrective_actions::table
            .filter(corrective_actions::status.eq_any(PENDING))
            .filter(corrective_actions::due_date.lt(day))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                corrective_reminders::table
                    .filter(corrective_reminders::action_id.eq(corrective_actions::id))
                    .filter(corrective_reminders::day.eq(day)),
            )))
            .select((
                corrective_actions::id,
                corrective_actions::title,
                corrective_actions::due_date,
                corrective_actions::indicator,
                corrective_actions::owner_id,
                corrective_actions::created_by,
            ))
            .load(conn)?;
    let mut queued = 0;
    for (id, title, due, indicator, owner, author) in rows {
        let to = owner.unwrap_or(author);
        let Some((email, locale)) = users::table
            .find(&to)
            .filter(users::disabled.eq(false))
            .select((users::email, users::locale))
            .first::<(String, String)>(conn)
            .optional()?
        else {
            continue;
        };
        let sent = cus_db::transaction(conn, |c| {
            let outbox_id = outbox::enqueue(
                c,
                "corrective_overdue",
                &locale,
                &email,
                &serde_json::json!({
                    "title": title, "due": due.to_string(), "indicator": indicator,
                    "link": format!("{}/corrective-actions/{id}", public_url.trim_end_matches('/')),
                }),
            )?;
            diesel::insert_into(corrective_reminders::table)
                .values((
                    corrective_reminders::action_id.eq(&id),
                    corrective_reminders::day.eq(day),
                    corrective_reminders::outbox_id.eq(&outbox_id),
                ))
                .execute(c)
        });
        match sent {
            Ok(_) => queued += 1,
            // A concurrent run recorded this reminder first; its mail stands.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(queued)
}

/// Who may own an action: the municipality's staff, `(id, name)`.
pub fn owners(conn: &mut DbConn, municipality: &str) -> DomainResult<Vec<(String, String)>> {
    Ok(users::table
        .filter(users::municipality.eq(municipality))
        .filter(users::role.ne_all(["resident", "ngo"]))
        .filter(users::disabled.eq(false))
        .order(users::display_name)
        .select((users::id, users::display_name))
        .load(conn)?)
}
