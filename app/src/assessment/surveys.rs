//! Recipient surveys (badanie satysfakcji odbiorców): short questionnaires
//! for a service or an agreement, answered anonymously through one-time
//! codes. Nothing stored links a response to the person or to the code.
//!
//! Anonymity: a code is 10 random characters of an unambiguous alphabet,
//! stored only as its SHA-256 hash, with no resident; the plain code exists
//! in the invitation answer (printed codes) or in the queued mail (whose
//! context the relay forgets once sent). A response row holds the survey,
//! the day and the answers, under a random (not time-ordered) id. Codes
//! are stored in random order, so that neither insertion order nor the
//! outbox's order pairs a code with a resident. Nothing here logs or audits
//! a code.

use std::collections::{BTreeMap, HashSet};

use cus_db::audit::audit;
use cus_db::error::{Check, OptionalFound};
pub use cus_db::ids::SurveyId;
use cus_db::schema::{
    agreements, plans, residents, services, survey_codes, survey_responses, surveys, users,
};
use cus_db::{now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{round2, suppress_count, to_json, Period};

cus_db::text_enum! {
    /// How a survey question is answered.
    pub enum QuestionKind {
        Likert = "likert",
        Choice = "choice",
        Text = "text",
    }
}
/// Who runs surveys: the municipality's services organizer.
pub const RUNNING: [Role; 1] = [Role::Organizer];
pub const MAX_QUESTIONS: usize = 30;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_TEXT_ANSWER: usize = 2000;
/// Printed codes or invited residents at most, per invitation.
pub const MAX_INVITED: usize = 500;
pub const CODE_LEN: usize = 10;
/// No 0/O, 1/I/L: a code is read off paper and typed by hand.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// The mail template of an invitation (its context holds the code).
pub const INVITATION_TEMPLATE: &str = "survey_invitation";

/// One question of a survey (stored as JSON on the survey).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// `[a-z0-9_]{1,40}`, unique in the survey.
    pub key: String,
    pub text: String,
    /// `likert` (1-5), `choice` (one of `options`) or `text`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A Likert question counted in `recipient_satisfaction`.
    #[serde(default)]
    pub satisfaction: bool,
}

/// The keys of a survey's Likert questions marked `satisfaction`
/// (`question: None`), or of the Likert question keyed `question`.
pub fn likert_keys(questions_json: &str, question: Option<&str>) -> Vec<String> {
    let questions: Vec<Question> = serde_json::from_str(questions_json).unwrap_or_default();
    questions
        .into_iter()
        .filter(|q| q.kind == "likert")
        .filter(|q| match question {
            None => q.satisfaction,
            Some(k) => q.key == k,
        })
        .map(|q| q.key)
        .collect()
}

/// `[a-z0-9_]{1,40}`.
pub fn key_ok(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurvey {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// An agreement of the organizer's municipality.
    #[serde(default)]
    pub agreement_id: Option<String>,
    /// A service of the municipality's catalogue.
    #[serde(default)]
    pub service_code: Option<String>,
    /// `YYYY`, `YYYY-H1`, `YYYY-Q2` or `YYYY-MM`.
    #[schema(value_type = String, example = "2026", pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: String,
    /// 1 to 30 questions.
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = surveys)]
struct SurveyRow {
    id: SurveyId,
    municipality: String,
    title: String,
    agreement_id: Option<String>,
    service_code: Option<String>,
    period: String,
    questions: String,
    created_at: chrono::NaiveDateTime,
}

/// A survey with how many codes it gave out and how many were answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Survey {
    pub id: SurveyId,
    pub municipality: String,
    pub title: String,
    pub agreement_id: Option<String>,
    pub service_code: Option<String>,
    pub period: String,
    pub questions: Vec<Question>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: chrono::NaiveDateTime,
    /// One-time codes given out (mailed and printed).
    pub invited: i64,
    pub responses: i64,
}

fn questions_of(json: &str) -> Vec<Question> {
    serde_json::from_str(json).unwrap_or_default()
}

fn counts(conn: &mut DbConn, id: &SurveyId) -> QueryResult<(i64, i64)> {
    let invited = survey_codes::table
        .filter(survey_codes::survey_id.eq(id))
        .count()
        .get_result(conn)?;
    let responses = survey_responses::table
        .filter(survey_responses::survey_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok((invited, responses))
}

fn view(conn: &mut DbConn, row: SurveyRow) -> QueryResult<Survey> {
    let (invited, responses) = counts(conn, &row.id)?;
    Ok(Survey {
        questions: questions_of(&row.questions),
        id: row.id,
        municipality: row.municipality,
        title: row.title,
        agreement_id: row.agreement_id,
        service_code: row.service_code,
        period: row.period,
        created_at: row.created_at,
        invited,
        responses,
    })
}

/// Refusals of the questions, by field (`questions[2].options`).
fn check_questions(check: &mut Check, questions: &[Question]) {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        check.fail("questions", "error-survey-questions");
        if questions.len() > MAX_QUESTIONS {
            return;
        }
    }
    let mut keys = HashSet::new();
    for (i, q) in questions.iter().enumerate() {
        let f = |name: &str| format!("questions[{i}].{name}");
        if !key_ok(&q.key) {
            check.fail(&f("key"), "error-survey-key");
        } else if !keys.insert(q.key.as_str()) {
            check.fail(&f("key"), "error-survey-key-taken");
        }
        check.text(&f("text"), &q.text, 1, 500);
        if QuestionKind::parse(&q.kind).is_none() {
            check.fail(&f("kind"), "error-survey-kind");
            continue;
        }
        if q.kind == "choice" {
            if !(2..=MAX_OPTIONS).contains(&q.options.len()) {
                check.fail(&f("options"), "error-survey-options");
            } else {
                let mut seen = HashSet::new();
                for (j, o) in q.options.iter().enumerate() {
                    let field = format!("questions[{i}].options[{j}]");
                    check.text(&field, o, 1, 200);
                    if !seen.insert(o.trim()) {
                        check.fail(&field, "error-survey-option-twice");
                    }
                }
            }
        } else if !q.options.is_empty() {
            check.fail(&f("options"), "error-survey-options-kind");
        }
        if q.satisfaction && q.kind != "likert" {
            check.fail(&f("satisfaction"), "error-survey-satisfaction");
        }
    }
}

pub fn create(conn: &mut DbConn, actor: &Actor, new: NewSurvey) -> DomainResult<Survey> {
    actor.require(&RUNNING)?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("title", &new.title, 1, 300);
    let period = match Period::from_field(&new.period, "period") {
        Ok(p) => Some(p),
        Err(DomainError::Invalid(f)) => {
            check.merge(f);
            None
        }
        Err(e) => return Err(e),
    };
    let agreement_id = new.agreement_id.filter(|a| !a.trim().is_empty());
    if let Some(a) = &agreement_id {
        let found: Option<String> = agreements::table
            .find(a)
            .filter(agreements::municipality.eq(&municipality))
            .select(agreements::id)
            .first(conn)
            .optional()?;
        check.require(found.is_some(), "agreement_id", "error-agreement-unknown");
    }
    let service_code = new.service_code.filter(|c| !c.trim().is_empty());
    if let Some(c) = &service_code {
        let found: Option<String> = services::table
            .filter(services::municipality.eq(&municipality))
            .filter(services::code.eq(c))
            .select(services::id)
            .first(conn)
            .optional()?;
        check.require(found.is_some(), "service_code", "error-service-unknown");
    }
    check_questions(&mut check, &new.questions);
    check.finish()?;
    let questions: Vec<Question> = new
        .questions
        .into_iter()
        .map(|q| Question {
            key: q.key,
            text: q.text.trim().to_string(),
            options: q.options.iter().map(|o| o.trim().to_string()).collect(),
            satisfaction: q.satisfaction,
            kind: q.kind,
        })
        .collect();
    let row = SurveyRow {
        id: SurveyId::new(),
        municipality,
        title: new.title.trim().to_string(),
        agreement_id,
        service_code,
        period: period.map(|p| p.to_string()).unwrap_or_default(),
        questions: to_json(&questions),
        created_at: now(),
    };
    diesel::insert_into(surveys::table)
        .values((
            surveys::id.eq(&row.id),
            surveys::municipality.eq(&row.municipality),
            surveys::title.eq(&row.title),
            surveys::agreement_id.eq(&row.agreement_id),
            surveys::service_code.eq(&row.service_code),
            surveys::period.eq(&row.period),
            surveys::questions.eq(&row.questions),
            surveys::created_by.eq(&actor.user_id),
            surveys::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    audit(conn, actor, "survey.create", "survey", &row.id)?;
    Ok(view(conn, row)?)
}

/// The municipality's surveys, newest first.
pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Survey>> {
    actor.require(&RUNNING)?;
    let municipality = actor.home()?;
    let rows: Vec<SurveyRow> = surveys::table
        .filter(surveys::municipality.eq(municipality))
        .order((surveys::created_at.desc(), surveys::id.desc()))
        .select(SurveyRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| view(conn, r))
        .collect::<QueryResult<_>>()?)
}

fn own_row(conn: &mut DbConn, actor: &Actor, id: &SurveyId) -> DomainResult<SurveyRow> {
    actor.require(&RUNNING)?;
    let municipality = actor.home()?;
    surveys::table
        .find(id)
        .filter(surveys::municipality.eq(municipality))
        .select(SurveyRow::as_select())
        .first(conn)
        .found()
}

/// A survey of the organizer's municipality (another's is 404).
pub fn get(conn: &mut DbConn, actor: &Actor, id: &SurveyId) -> DomainResult<Survey> {
    let row = own_row(conn, actor, id)?;
    Ok(view(conn, row)?)
}

// ------------------------------------------------------------------ codes

/// A fresh one-time code.
pub fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A code as typed (any case, spaces or dashes between groups) in its
/// canonical form; `None` when it cannot be a code.
pub fn normalize_code(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == CODE_LEN && c.bytes().all(|b| ALPHABET.contains(&b))).then_some(c)
}

/// What is stored of a code.
pub fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitations {
    /// Residents of the municipality: each with an email gets a one-time
    /// link by mail, each without one a printed code.
    #[serde(default)]
    pub resident_ids: Vec<String>,
    /// Printed one-time codes to make (1-500), handed out by the center.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 500)]
    pub count: Option<i64>,
    /// The staff member who hands out or reads the survey: never the
    /// coordinator of a plan of an invited resident.
    #[serde(default)]
    pub interviewer_id: Option<String>,
}

/// What an invitation gave out. `codes` are shown once and stored only
/// hashed, in no particular order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invited {
    /// Residents mailed a one-time link.
    pub mailed: i64,
    /// Invited residents with no email: a printed code is among `codes`
    /// for each.
    pub without_email: i64,
    /// Who they are, to hand them a printed code.
    pub without_email_residents: Vec<String>,
    /// Printed codes: one per resident without an email, plus `count`.
    pub codes: Vec<String>,
}

pub fn invite(
    conn: &mut DbConn,
    actor: &Actor,
    id: &SurveyId,
    input: Invitations,
) -> DomainResult<Invited> {
    let survey = own_row(conn, actor, id)?;
    let municipality = survey.municipality.clone();
    let mut check = Check::new();
    let mut resident_ids: Vec<String> = vec![];
    for r in input.resident_ids {
        let r = r.trim().to_string();
        if !r.is_empty() && !resident_ids.contains(&r) {
            resident_ids.push(r);
        }
    }
    if resident_ids.is_empty() && input.count.is_none() {
        check.fail("resident_ids", "error-survey-invite-none");
    }
    if resident_ids.len() > MAX_INVITED {
        check.fail("resident_ids", "error-too-many");
    }
    if let Some(n) = input.count {
        check.require(
            (1..=MAX_INVITED as i64).contains(&n),
            "count",
            "error-survey-count",
        );
    }
    if !resident_ids.is_empty() && resident_ids.len() <= MAX_INVITED {
        let known: Vec<String> = residents::table
            .filter(residents::id.eq_any(&resident_ids))
            .filter(residents::municipality.eq(&municipality))
            .select(residents::id)
            .load(conn)?;
        if known.len() != resident_ids.len() {
            check.fail("resident_ids", "error-resident-unknown");
        }
    }
    let interviewer = input.interviewer_id.filter(|i| !i.trim().is_empty());
    if let Some(i) = &interviewer {
        let found: Option<String> = users::table
            .find(i)
            .filter(users::municipality.eq(&municipality))
            .filter(users::disabled.eq(false))
            .select(users::role)
            .first(conn)
            .optional()?;
        let staff = found
            .as_deref()
            .and_then(Role::parse)
            .is_some_and(|r| r.is_staff());
        if !staff {
            check.fail("interviewer_id", "error-survey-interviewer-unknown");
        } else if !resident_ids.is_empty() {
            // Seed 000: no worker surveys their own cases.
            let own_cases: i64 = plans::table
                .filter(plans::coordinator_id.eq(i))
                .filter(plans::resident_id.eq_any(&resident_ids))
                .count()
                .get_result(conn)?;
            check.require(
                own_cases == 0,
                "interviewer_id",
                "error-survey-interviewer-own-case",
            );
        }
    }
    check.finish()?;

    // (hash, channel) of every code, stored shuffled.
    let mut stored: Vec<(String, &str)> = vec![];
    let mut printed: Vec<String> = vec![];
    let mut without_email_residents = vec![];
    let mut mailed = 0;
    let print_channel = if interviewer.is_some() {
        "interview"
    } else {
        "print"
    };
    for r in &resident_ids {
        let code = new_code();
        match crate::window::resident_contact(conn, r)? {
            Some((email, locale)) => {
                outbox::enqueue(
                    conn,
                    INVITATION_TEMPLATE,
                    &locale,
                    &email,
                    &serde_json::json!({
                        "title": survey.title, "period": survey.period, "code": code,
                    }),
                )?;
                stored.push((code_hash(&code), "email"));
                mailed += 1;
            }
            None => {
                without_email_residents.push(r.clone());
                stored.push((code_hash(&code), print_channel));
                printed.push(code);
            }
        }
    }
    for _ in 0..input.count.unwrap_or(0) {
        let code = new_code();
        stored.push((code_hash(&code), print_channel));
        printed.push(code);
    }
    let mut rng = rand::rngs::OsRng;
    stored.shuffle(&mut rng);
    printed.shuffle(&mut rng);
    let at = now();
    for (hash, channel) in &stored {
        diesel::insert_into(survey_codes::table)
            .values((
                survey_codes::code_hash.eq(hash),
                survey_codes::survey_id.eq(&survey.id),
                survey_codes::channel.eq(channel),
                survey_codes::interviewer_id.eq(&interviewer),
                survey_codes::used.eq(false),
                survey_codes::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    audit(conn, actor, "survey.invite", "survey", &survey.id)?;
    without_email_residents.sort();
    Ok(Invited {
        mailed,
        without_email: without_email_residents.len() as i64,
        without_email_residents,
        codes: printed,
    })
}

// ---------------------------------------------------------------- answers

/// What the holder of an unused code is asked.
#[derive(Debug, Clone, Serialize)]
pub struct Questionnaire {
    pub title: String,
    pub period: String,
    pub questions: Vec<Question>,
}

/// The unused code's survey: 404 for an unknown code, 409 for a used one.
fn code_survey(conn: &mut DbConn, code: &str) -> DomainResult<(String, SurveyRow)> {
    let code = normalize_code(code).ok_or(DomainError::NotFound)?;
    let hash = code_hash(&code);
    let (survey_id, used): (String, bool) = survey_codes::table
        .find(&hash)
        .select((survey_codes::survey_id, survey_codes::used))
        .first(conn)
        .found()?;
    if used {
        return Err(DomainError::conflict("error-survey-answered"));
    }
    let row = surveys::table
        .find(&survey_id)
        .select(SurveyRow::as_select())
        .first(conn)
        .found()?;
    Ok((hash, row))
}

pub fn questionnaire(conn: &mut DbConn, code: &str) -> DomainResult<Questionnaire> {
    let (_, row) = code_survey(conn, code)?;
    Ok(Questionnaire {
        title: row.title,
        period: row.period,
        questions: questions_of(&row.questions),
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    /// The one-time code (case, spaces and dashes do not matter).
    pub code: String,
    /// Question key → answer: an integer 1-5 (likert), one of the options
    /// (choice) or text of at most 2000 characters. Questions may be left
    /// out (or `null`).
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// The answers checked against the questions, as stored: only the
/// answered questions, Likert as integers, text trimmed.
pub fn check_answers(
    questions: &[Question],
    answers: &Map<String, Value>,
) -> DomainResult<Map<String, Value>> {
    let mut check = Check::new();
    let mut out = Map::new();
    for (key, value) in answers {
        let field = if key_ok(key) {
            format!("answers.{key}")
        } else {
            "answers".to_string()
        };
        let Some(q) = questions.iter().find(|q| &q.key == key) else {
            check.fail(&field, "error-survey-answer-key");
            continue;
        };
        if value.is_null() {
            continue;
        }
        match q.kind.as_str() {
            "likert" => match value.as_i64() {
                Some(n) if (1..=5).contains(&n) => {
                    out.insert(key.clone(), Value::from(n));
                }
                _ => check.fail(&field, "error-survey-likert"),
            },
            "choice" => match value.as_str() {
                Some(s) if q.options.iter().any(|o| o == s) => {
                    out.insert(key.clone(), Value::from(s));
                }
                _ => check.fail(&field, "error-survey-choice"),
            },
            _ => match value.as_str() {
                Some(s) => {
                    let mut text = Check::new();
                    text.text(&field, s, 0, MAX_TEXT_ANSWER);
                    match text.finish() {
                        Ok(()) if !s.trim().is_empty() => {
                            out.insert(key.clone(), Value::from(s.trim()));
                        }
                        Ok(()) => {}
                        Err(DomainError::Invalid(f)) => check.merge(f),
                        Err(e) => return Err(e),
                    }
                }
                None => check.fail(&field, "error-type"),
            },
        }
    }
    check.finish()?;
    Ok(out)
}

/// Records an anonymous response. The code is marked used and the
/// response inserted in one transaction (the caller's): of two answers with
/// one code exactly one is taken, the other is 409.
pub fn answer(conn: &mut DbConn, input: NewResponse) -> DomainResult<()> {
    let (hash, row) = code_survey(conn, &input.code)?;
    let answers = check_answers(&questions_of(&row.questions), &input.answers)?;
    let taken = diesel::update(
        survey_codes::table
            .filter(survey_codes::code_hash.eq(&hash))
            .filter(survey_codes::used.eq(false)),
    )
    .set(survey_codes::used.eq(true))
    .execute(conn)?;
    if taken != 1 {
        return Err(DomainError::conflict("error-survey-answered"));
    }
    diesel::insert_into(survey_responses::table)
        .values((
            // Random, not time-ordered (`new_id` is UUIDv7).
            survey_responses::id.eq(uuid::Uuid::new_v4().to_string()),
            survey_responses::survey_id.eq(&row.id),
            survey_responses::day.eq(today()),
            survey_responses::answers.eq(to_json(&answers)),
        ))
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------- results

/// The figures of one question. With the survey under `min_group`
/// responses, only its key, text and kind; a question answered by fewer
/// than `min_group` (but some) is `suppressed` with no figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResult {
    pub key: String,
    pub text: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Responses that answered it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<bool>,
    /// Likert: the mean answer, two decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Likert: per answer 1-5; choice: per option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<BTreeMap<String, i64>>,
    /// Text: the answers given, sorted (not in the order they came).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyResults {
    pub survey_id: SurveyId,
    pub title: String,
    pub period: String,
    pub responses: i64,
    pub min_group: i64,
    /// Fewer than `min_group` responses: no per-question figures.
    pub suppressed: bool,
    pub questions: Vec<QuestionResult>,
}

pub fn results(
    conn: &mut DbConn,
    actor: &Actor,
    id: &SurveyId,
    min_group: i64,
) -> DomainResult<SurveyResults> {
    let row = own_row(conn, actor, id)?;
    let stored: Vec<String> = survey_responses::table
        .filter(survey_responses::survey_id.eq(&row.id))
        .select(survey_responses::answers)
        .load(conn)?;
    Ok(tally(&row, &stored, min_group))
}

fn tally(row: &SurveyRow, stored: &[String], min_group: i64) -> SurveyResults {
    let responses = stored.len() as i64;
    // Fewer than min_group responses, none included (zero is shown as zero).
    let suppressed = responses < min_group;
    let answers: Vec<Map<String, Value>> = stored
        .iter()
        .map(|a| serde_json::from_str(a).unwrap_or_default())
        .collect();
    let questions = questions_of(&row.questions)
        .into_iter()
        .map(|q| {
            let mut r = QuestionResult {
                key: q.key.clone(),
                text: q.text.clone(),
                kind: q.kind.clone(),
                options: q.options.clone(),
                answered: None,
                suppressed: None,
                mean: None,
                counts: None,
                answers: None,
            };
            if suppressed {
                return r;
            }
            let given: Vec<&Value> = answers.iter().filter_map(|a| a.get(&q.key)).collect();
            let n = given.len() as i64;
            r.answered = Some(n);
            let few = suppress_count(n, min_group);
            r.suppressed = Some(few);
            if few {
                return r;
            }
            match q.kind.as_str() {
                "likert" => {
                    let values: Vec<i64> = given.iter().filter_map(|v| v.as_i64()).collect();
                    let mut counts: BTreeMap<String, i64> =
                        (1..=5).map(|v| (v.to_string(), 0)).collect();
                    for v in &values {
                        *counts.entry(v.to_string()).or_default() += 1;
                    }
                    let as_f: Vec<f64> = values.iter().map(|v| *v as f64).collect();
                    r.mean = super::mean(&as_f).map(round2);
                    r.counts = Some(counts);
                }
                "choice" => {
                    let mut counts: BTreeMap<String, i64> =
                        q.options.iter().map(|o| (o.clone(), 0)).collect();
                    for v in given.iter().filter_map(|v| v.as_str()) {
                        if let Some(c) = counts.get_mut(v) {
                            *c += 1;
                        }
                    }
                    r.counts = Some(counts);
                }
                _ => {
                    let mut texts: Vec<String> = given
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    texts.sort();
                    r.answers = Some(texts);
                }
            }
            r
        })
        .collect();
    SurveyResults {
        survey_id: row.id.clone(),
        title: row.title.clone(),
        period: row.period.clone(),
        responses,
        min_group,
        suppressed,
        questions,
    }
}

// ------------------------------------------------------------ page helpers

/// An option of the create form: an agreement or a service of the
/// municipality.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The municipality's agreements, services and staff (interviewers), for
/// the organizer's forms.
pub fn form_choices(
    conn: &mut DbConn,
    actor: &Actor,
) -> DomainResult<(Vec<Choice>, Vec<Choice>, Vec<Choice>)> {
    actor.require(&RUNNING)?;
    let m = actor.home()?;
    let agreements = agreements::table
        .filter(agreements::municipality.eq(m))
        .order(agreements::number)
        .select((agreements::id, agreements::number, agreements::title))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, number, title)| Choice {
            value: id,
            label: format!("{number} {title}"),
        })
        .collect();
    let services = services::table
        .filter(services::municipality.eq(m))
        .order(services::code)
        .select((services::code, services::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(code, name)| Choice {
            label: format!("{code}: {name}"),
            value: code,
        })
        .collect();
    let staff = users::table
        .filter(users::municipality.eq(m))
        .filter(users::disabled.eq(false))
        .order(users::display_name)
        .select((users::id, users::display_name, users::role))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .filter(|(_, _, role)| Role::parse(role).is_some_and(|r| r.is_staff()))
        .map(|(id, name, _)| Choice {
            value: id,
            label: name,
        })
        .collect();
    Ok((agreements, services, staff))
}

/// The residents a survey is about: those with an item of a plan of the
/// municipality linked to its agreement, or of its service (for the
/// invitation form's list; anyone of the municipality may be invited).
pub fn recipients(conn: &mut DbConn, actor: &Actor, id: &SurveyId) -> DomainResult<Vec<Choice>> {
    use cus_db::schema::plan_items;
    let row = own_row(conn, actor, id)?;
    let service_id: Option<String> = match &row.service_code {
        Some(code) => services::table
            .filter(services::municipality.eq(&row.municipality))
            .filter(services::code.eq(code))
            .select(services::id)
            .first(conn)
            .optional()?,
        None => None,
    };
    if row.agreement_id.is_none() && service_id.is_none() {
        return Ok(vec![]);
    }
    let mut query = plan_items::table
        .inner_join(plans::table)
        .inner_join(residents::table.on(residents::id.eq(plans::resident_id)))
        .filter(plans::municipality.eq(&row.municipality))
        .select((residents::id, residents::first_name, residents::last_name))
        .distinct()
        .into_boxed();
    query = match (&row.agreement_id, &service_id) {
        (Some(a), Some(s)) => query.filter(
            plan_items::provider_agreement_id
                .eq(a)
                .or(plan_items::service_id.eq(s)),
        ),
        (Some(a), None) => query.filter(plan_items::provider_agreement_id.eq(a)),
        (None, Some(s)) => query.filter(plan_items::service_id.eq(s)),
        (None, None) => query,
    };
    let mut people: Vec<(String, String, String)> = query.load(conn)?;
    people.sort_by(|a, b| (&a.2, &a.1, &a.0).cmp(&(&b.2, &b.1, &b.0)));
    Ok(people
        .into_iter()
        .map(|(id, first, last)| Choice {
            value: id,
            label: format!("{last} {first}"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(key: &str, kind: &str, options: &[&str]) -> Question {
        Question {
            key: key.into(),
            text: "Pytanie?".into(),
            kind: kind.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            satisfaction: false,
        }
    }

    #[test]
    fn codes_are_unambiguous_and_normalized() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert_eq!(normalize_code(&c), Some(c.clone()));
            assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        }
        assert_eq!(
            normalize_code("abcde-fghjk"),
            Some("ABCDEFGHJK".to_string())
        );
        assert_eq!(normalize_code("ABCDE FGHJ0"), None);
        assert_eq!(normalize_code("short"), None);
        assert_eq!(code_hash("ABCDEFGHJK").len(), 64);
    }

    #[test]
    fn questions_are_checked_by_field() {
        let mut check = Check::new();
        let mut bad_sat = q("b", "text", &[]);
        bad_sat.satisfaction = true;
        check_questions(
            &mut check,
            &[
                q("Zła", "likert", &[]),
                q("a", "choice", &["tak"]),
                bad_sat,
                q("a", "likert", &["x", "y"]),
                q("c", "scale", &[]),
            ],
        );
        let DomainError::Invalid(f) = check.finish().unwrap_err() else {
            panic!()
        };
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "questions[0].key",
                "questions[1].options",
                "questions[2].satisfaction",
                "questions[3].key",
                "questions[3].options",
                "questions[4].kind"
            ]
        );
        let mut check = Check::new();
        check_questions(&mut check, &[]);
        assert!(check.finish().is_err());
    }

    #[test]
    fn answers_are_checked_and_normalized() {
        let qs = [
            q("s", "likert", &[]),
            q("c", "choice", &["tak", "nie"]),
            q("t", "text", &[]),
        ];
        let ok: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"s": 4, "c": "nie", "t": "  Dobrze. "}))
                .unwrap();
        let out = check_answers(&qs, &ok).unwrap();
        assert_eq!(out["t"], "Dobrze.");
        let empty: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"t": "", "s": null})).unwrap();
        assert!(check_answers(&qs, &empty).unwrap().is_empty());
        for (bad, field) in [
            (serde_json::json!({"s": 6}), "answers.s"),
            (serde_json::json!({"s": 0}), "answers.s"),
            (serde_json::json!({"s": 2.5}), "answers.s"),
            (serde_json::json!({"s": "3"}), "answers.s"),
            (serde_json::json!({"c": "może"}), "answers.c"),
            (serde_json::json!({"t": 5}), "answers.t"),
            (serde_json::json!({"t": "x".repeat(2001)}), "answers.t"),
            (serde_json::json!({"nope": 1}), "answers.nope"),
            (serde_json::json!({"Zły klucz": 1}), "answers"),
        ] {
            let m: Map<String, Value> = serde_json::from_value(bad.clone()).unwrap();
            let DomainError::Invalid(f) = check_answers(&qs, &m).unwrap_err() else {
                panic!("{bad}")
            };
            assert!(f.contains_key(field), "{bad}: {f:?}");
        }
    }

    #[test]
    fn results_are_suppressed_below_min_group() {
        let row = SurveyRow {
            id: SurveyId::new(),
            municipality: "m".into(),
            title: "t".into(),
            agreement_id: None,
            service_code: None,
            period: "2026".into(),
            questions: to_json(&vec![q("s", "likert", &[]), q("t", "text", &[])]),
            created_at: now(),
        };
        let answers: Vec<String> = [5, 4, 4, 2, 1]
            .iter()
            .map(|v| format!("{{\"s\": {v}}}"))
            .collect();
        let r = tally(&row, &answers[..4], 5);
        assert!(r.suppressed);
        assert!(r
            .questions
            .iter()
            .all(|q| q.mean.is_none() && q.counts.is_none() && q.answered.is_none()));
        let r = tally(&row, &answers, 5);
        assert!(!r.suppressed);
        assert_eq!(r.questions[0].mean, Some(3.2));
        assert_eq!(r.questions[0].counts.as_ref().unwrap()["4"], 2);
        // No one answered the text question: zero, shown as zero.
        assert_eq!(r.questions[1].answered, Some(0));
        assert_eq!(r.questions[1].answers, Some(vec![]));
    }
}
