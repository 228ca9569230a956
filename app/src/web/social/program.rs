//! One social services program: its API (versions, consultation, council
//! decision, amendments, progress, evaluation) and the staff pages.

use super::*;
use crate::platform::error::AppResult;
use crate::social::diagnosis::{self};
use crate::social::evaluation;
use crate::social::programs::SocialProgramStatus;
use crate::social::programs::{
    self, AnswerInput, CommentInput, PlannedServiceId, ProgramCommentId, ProgramId, ServiceInput,
    ServiceYear, SocialProgramInput, SocialProgramPatch, SocialProgramTransition,
};
use crate::web::api::{created, list};
use crate::web::contracting::forms::{parse_pln, Count, FromRow, Lines, Rows};
use crate::web::extract::{ApiJson, ApiUser, Form, NoFields, PageUser};
use crate::web::view::{flash_of, query_map, values, Flash, RecordPage, View};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use cus_db::{Lifecycle, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;

#[utoipa::path(request_body = SocialProgramInput, responses((status = 201, body = programs::SocialProgram), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs")]
pub(super) async fn create_program(
    st: Data,
    user: ApiUser,
    body: ApiJson<SocialProgramInput>,
) -> AppResult<HttpResponse> {
    Ok(created(
        &st.tx(move |c| programs::create(c, &user.0, body.0)).await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<programs::SocialProgramRow>), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs")]
pub(super) async fn list_programs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| programs::list(c, &user.0)).await?))
}

#[utoipa::path(params(("id" = ProgramId, Path)), responses((status = 200, body = programs::SocialProgram), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}")]
pub(super) async fn get_program(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| programs::get(c, &user.0, &id)).await?))
}

/// Edits a draft; 409 once it has left the draft.
#[utoipa::path(params(("id" = ProgramId, Path)), request_body = SocialProgramPatch, responses((status = 200, body = programs::SocialProgram), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[patch("/social-programs/{id}")]
pub(super) async fn patch_program(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
    body: ApiJson<SocialProgramPatch>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::patch(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = ProgramId, Path)), request_body = SocialProgramTransition, responses((status = 200, body = programs::SocialProgram), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/social-programs/{id}/transition")]
pub(super) async fn transition_program(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
    body: ApiJson<SocialProgramTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::transition(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = ProgramId, Path)), request_body = CommentInput, responses((status = 201, body = programs::CommentView), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/comments")]
pub(super) async fn comment_program(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
    body: ApiJson<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| programs::comment(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = ProgramId, Path), ("cid" = ProgramCommentId, Path)), request_body = AnswerInput, responses((status = 200, body = programs::CommentView), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/comments/{cid}/answer")]
pub(super) async fn answer_comment(
    st: Data,
    user: ApiUser,
    path: web::Path<(ProgramId, ProgramCommentId)>,
    body: ApiJson<AnswerInput>,
) -> AppResult<HttpResponse> {
    let (id, cid) = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::answer(c, &user.0, &id, &cid, body.0))
            .await?,
    ))
}

/// Every comment with its answer, by the author's kind only.
#[utoipa::path(params(("id" = ProgramId, Path)), responses((status = 200, body = programs::ConsultationReport), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/consultation-report")]
pub(super) async fn consultation_report(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.db(move |c| programs::consultation_report(c, &user.0, &id))
            .await?,
    ))
}

/// A new draft version copying the adopted one (409 unless adopted, or
/// while another amendment is under way).
#[utoipa::path(params(("id" = ProgramId, Path)), responses((status = 201, body = programs::SocialProgram), (status = 404), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/amendments")]
pub(super) async fn amend_program(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| programs::amend(c, &user.0, &id)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// A year of the program.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: i32,
}

/// Planned against actual for one year of the program.
#[utoipa::path(params(("id" = ProgramId, Path), YearQuery), responses((status = 200, body = evaluation::Progress), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/progress")]
pub(super) async fn program_progress(
    st: Data,
    user: ApiUser,
    path: web::Path<ProgramId>,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    let (id, year) = (path.into_inner(), q.year);
    Ok(HttpResponse::Ok().json(
        st.db(move |c| evaluation::progress(c, &user.0, &id, year))
            .await?,
    ))
}

/// The yearly evaluation: the published one, else computed now.
#[utoipa::path(params(("id" = ProgramId, Path), ("year" = i32, Path)), responses((status = 200, body = evaluation::Evaluation), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/evaluations/{year}")]
pub(super) async fn program_evaluation(
    st: Data,
    user: ApiUser,
    path: web::Path<(ProgramId, String)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path_year(path)?;
    Ok(HttpResponse::Ok().json(
        st.db(move |c| evaluation::evaluation(c, &user.0, &id, year))
            .await?,
    ))
}

/// Publishes (freezes) the evaluation of a year that has ended; 409 when
/// the version is not adopted, the year is not over, or it is published.
#[utoipa::path(params(("id" = ProgramId, Path), ("year" = i32, Path)), responses((status = 201, body = evaluation::Evaluation), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/evaluations/{year}")]
pub(super) async fn publish_evaluation(
    st: Data,
    user: ApiUser,
    path: web::Path<(ProgramId, String)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path_year(path)?;
    Ok(created(
        &st.tx(move |c| evaluation::publish(c, &user.0, &id, year))
            .await?,
    ))
}

/// A program's basic fields as the page asks for them: goals one a line.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProgramForm {
    title: String,
    year_from: Count,
    year_to: Count,
    diagnosis_id: String,
    goals: Lines,
}

pub(super) async fn programs_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (list, diagnoses) = st
        .db(move |c| {
            let list = programs::list(c, &actor)?;
            let diagnoses = diagnosis::list(c, &actor)?;
            Ok((list, diagnoses))
        })
        .await?;
    Ok(json!({"programs": list, "diagnoses": diagnoses, "can_create": can_edit(&user.actor)}))
}

pub(super) async fn programs_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = programs_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    let year = cus_db::today().year();
    data["values"] = json!({"year_from": year, "year_to": year + 2});
    Ok(view.render("social_programs", "sp-title", data))
}

pub(super) async fn program_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ProgramForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let Form { input, typed } = form;
    let result = st
        .tx_input(input, move |c, f| {
            programs::create(
                c,
                &actor,
                SocialProgramInput {
                    title: f.title,
                    year_from: f.year_from.0,
                    year_to: f.year_to.0,
                    diagnosis_id: Some(f.diagnosis_id),
                    goals: f.goals.0,
                    services: vec![],
                },
            )
        })
        .await;
    match result {
        Ok(p) => Ok(Flash::Saved.redirect(&format!("/social-programs/{}", p.row.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = programs_data(&st, &user).await?;
            data["values"] = values(&typed);
            view.form_error(e, "social_programs", "sp-title", data)
        }
    }
}

/// A "year | people | hours | złoty" row of a planned service.
impl FromRow for ServiceYear {
    fn from_row(cells: &[&str]) -> Option<Self> {
        let number = |i: usize| -> Option<i64> {
            let c = cells.get(i).copied().unwrap_or("").trim();
            if c.is_empty() {
                Some(0)
            } else {
                c.replace([' ', '\u{a0}'], "").parse().ok()
            }
        };
        Some(ServiceYear {
            year: cells.first()?.parse().ok()?,
            people: number(1)?,
            hours: number(2)?,
            budget_grosze: match cells.get(3).map(|c| c.trim()) {
                None | Some("") => 0,
                Some(c) => parse_pln(c)?,
            },
        })
    }
}

/// A planned service as the page asks for it; its indicators are the
/// checked `indicator.CODE` boxes, read from the form apart.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ServiceForm {
    service_code: String,
    target_group: String,
    delivery: String,
    years: Rows<ServiceYear>,
}

/// A comment's answer: its text and whether it was taken up ("yes").
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AnswerForm {
    answer: String,
    accepted: String,
}

pub(super) async fn program_data(
    st: &Data,
    user: &PageUser,
    id: ProgramId,
    q: &HashMap<String, String>,
) -> AppResult<Value> {
    let actor = user.actor.clone();
    let year_asked: Option<i32> = q.get("year").and_then(|y| y.parse().ok());
    let (p, progress, catalogue, dictionary, diagnoses) = st
        .db(move |c| {
            let p = programs::get(c, &actor, &id)?;
            let year = year_asked
                .unwrap_or_else(|| cus_db::today().year())
                .clamp(p.row.year_from, p.row.year_to);
            let progress = if crate::social::is_insider(&actor) {
                Some(evaluation::compute_evaluation(c, &p.row, year)?)
            } else {
                None
            };
            let catalogue = if actor.role == Role::Organizer {
                crate::window::list_services(c, &actor)?
            } else {
                vec![]
            };
            let dictionary = crate::assessment::indicators::all(c)?;
            let diagnoses = diagnosis::list(c, &actor)?;
            Ok((p, progress, catalogue, dictionary, diagnoses))
        })
        .await?;
    let a = &user.actor;
    let status = p.row.status;
    let organizer_moves: Vec<SocialProgramStatus> = status
        .moves()
        .iter()
        .copied()
        .filter(|to| {
            to.as_program_step()
                .is_some_and(|s| s.mover().contains(&Role::Organizer))
        })
        .collect();
    let organizer = a.role == Role::Organizer;
    let this_year = cus_db::today().year();
    let ended: Vec<i32> = (p.row.year_from..=p.row.year_to.min(this_year - 1)).collect();
    Ok(json!({
        "p": p,
        "progress": progress,
        "years": (p.row.year_from..=p.row.year_to).collect::<Vec<_>>(),
        "ended_years": ended,
        "catalogue": catalogue,
        "dictionary": dictionary,
        "diagnoses": diagnoses,
        "deliveries": <crate::social::Delivery as cus_db::TextEnum>::ALL,
        "editable": organizer && status == SocialProgramStatus::Draft,
        "can_comment": status == SocialProgramStatus::Consultation && a.is(&[Role::Resident, Role::Ngo, Role::Organizer]),
        "can_answer": organizer && status == SocialProgramStatus::Consultation,
        "organizer_moves": if organizer { organizer_moves } else { vec![] },
        "council_decides": a.role == Role::Council && status == SocialProgramStatus::Submitted,
        "can_amend": organizer && status == SocialProgramStatus::Adopted,
        "can_evaluate": organizer && matches!(status, SocialProgramStatus::Adopted | SocialProgramStatus::Superseded) && !ended.is_empty(),
        "insider": crate::social::is_insider(a),
    }))
}

pub(super) async fn program_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = program_data(&st, &user, path.into_inner(), &query_map(&req)).await?;
    data["flash"] = json!(flash_of(&req, &view));
    let p = &data["p"];
    data["values"] = json!({
        "title": p["title"], "year_from": p["year_from"], "year_to": p["year_to"],
        "diagnosis_id": p["diagnosis_id"],
        "goals": p["goals"].as_array().map(|g| g.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")),
    });
    Ok(view.render("social_program", "sp-program-title", data))
}

/// The end of a program page's form: to `to`, or the program's page again
/// with the reasons beside the `failed` form.
async fn program_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    (id, to): (ProgramId, String),
    failed: &'static str,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let none = HashMap::new();
    let data = program_data(st, user, id, &none);
    RecordPage::new(to, "social_program", "sp-program-title", data)
        .failed(failed)
        .settle(req, user, typed, result)
        .await
}

/// The program's own fields (`POST /social-programs/{id}`, the API's
/// `PATCH`).
pub(super) async fn program_edit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
    form: Form<ProgramForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let patch = SocialProgramPatch {
                title: Some(f.title),
                year_from: Some(f.year_from.0),
                year_to: Some(f.year_to.0),
                diagnosis_id: Some(f.diagnosis_id),
                goals: Some(f.goals.0),
                services: None,
            };
            programs::patch(c, &actor, &i, patch)
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(&req, &st, &user, &form.typed, (id, to), "edit", result).await
}

/// A planned service added (`POST /social-programs/{id}/services`).
pub(super) async fn service_add(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
    form: Form<ServiceForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    // The checked `indicator.CODE` boxes.
    let indicators = (form.typed.keys())
        .filter_map(|k| k.strip_prefix("indicator."))
        .map(str::to_string)
        .collect();
    let result = st
        .tx_input(form.input, move |c, f| {
            let new = ServiceInput {
                id: None,
                service_code: f.service_code,
                target_group: f.target_group,
                delivery: f.delivery,
                years: f.years.0,
                indicators,
            };
            let mut at = 0;
            programs::edit_services(c, &actor, &i, |list| {
                at = list.len();
                list.push(new);
            })
            .map_err(|e| renumber(e, at))
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(
        &req,
        &st,
        &user,
        &form.typed,
        (id, to),
        "add_service",
        result,
    )
    .await
}

/// A planned service removed (`POST
/// /social-programs/{id}/services/{service_id}/remove`).
pub(super) async fn service_remove(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(ProgramId, PlannedServiceId)>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let (id, service_id) = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| {
            programs::edit_services(c, &actor, &i, |list| {
                list.retain(|s| s.id.as_deref() != Some(service_id.as_str()))
            })
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(
        &req,
        &st,
        &user,
        &form.typed,
        (id, to),
        "remove_service",
        result,
    )
    .await
}

/// A move of the program; the council's carries its resolution (`POST
/// /social-programs/{id}/transition`).
pub(super) async fn program_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
    form: Form<SocialProgramTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, t| {
            programs::transition(c, &actor, &i, t)
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(
        &req,
        &st,
        &user,
        &form.typed,
        (id, to),
        "transition",
        result,
    )
    .await
}

/// A comment during the consultation (`POST /social-programs/{id}/comments`).
pub(super) async fn program_comment(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
    form: Form<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, body| {
            programs::comment(c, &actor, &i, body)
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(&req, &st, &user, &form.typed, (id, to), "comment", result).await
}

/// The organizer's answer to a comment (`POST
/// /social-programs/{id}/comments/{comment_id}/answer`).
pub(super) async fn comment_answer(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(ProgramId, ProgramCommentId)>,
    form: Form<AnswerForm>,
) -> AppResult<HttpResponse> {
    let (id, comment_id) = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let input = AnswerInput {
                answer: f.answer,
                accepted: f.accepted == "yes",
            };
            programs::answer(c, &actor, &i, &comment_id, input)
        })
        .await;
    let to = format!("/social-programs/{id}");
    program_done(&req, &st, &user, &form.typed, (id, to), "answer", result).await
}

/// A new version amending the adopted one (`POST
/// /social-programs/{id}/amendments`): to the new version.
pub(super) async fn program_amend(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    match st.tx(move |c| programs::amend(c, &actor, &i)).await {
        Ok(p) => Ok(Flash::Saved.redirect(&format!("/social-programs/{}", p.row.id))),
        Err(e) => {
            let to = format!("/social-programs/{id}");
            program_done(
                &req,
                &st,
                &user,
                &form.typed,
                (id, to),
                "amend",
                Err::<(), _>(e),
            )
            .await
        }
    }
}

/// The year's evaluation published (`POST
/// /social-programs/{id}/evaluations/{year}`): to the evaluation.
pub(super) async fn evaluation_publish(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(ProgramId, String)>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let (id, year) = path_year(path)?;
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| evaluation::publish(c, &actor, &i, year))
        .await;
    let to = format!("/social-programs/{id}/evaluations/{year}");
    program_done(&req, &st, &user, &form.typed, (id, to), "evaluate", result).await
}

/// The new service's field errors under the names of the page's form
/// (`services[N].years[0].year` → `years`).
pub(super) fn renumber(e: cus_db::DomainError, at: usize) -> cus_db::DomainError {
    match e {
        cus_db::DomainError::Invalid(fields) => {
            let prefix = format!("services[{at}].");
            let mut out = cus_db::error::FieldErrors::new();
            for (k, v) in fields {
                let name = match k.strip_prefix(&prefix) {
                    Some(rest) => rest.split(['.', '[']).next().unwrap_or(rest).to_string(),
                    None => k,
                };
                out.entry(name).or_default().extend(v);
            }
            cus_db::DomainError::Invalid(out)
        }
        other => other,
    }
}

pub(super) async fn report_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ProgramId>,
) -> AppResult<HttpResponse> {
    let (actor, id) = (user.actor.clone(), path.into_inner());
    let (p, r) = st
        .db(move |c| {
            let p = programs::get(c, &actor, &id)?;
            let r = programs::consultation_report(c, &actor, &id)?;
            Ok((p, r))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "social_program_report",
        "sp-report-title",
        json!({"p": p, "r": r}),
    ))
}

pub(super) async fn evaluation_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(ProgramId, String)>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let (id, year) = path_year(path)?;
    let (p, e) = st
        .db(move |c| {
            let p = programs::get(c, &actor, &id)?;
            let e = evaluation::evaluation(c, &actor, &id, year)?;
            Ok((p, e))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let mut data = json!({"p": p, "e": e,
        "can_publish": user.actor.role == Role::Organizer && !e.published
            && ["adopted", "superseded"].contains(&p.row.status.as_str())
            && year < cus_db::today().year()});
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("social_program_evaluation", "sp-evaluation-title", data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_year_rows_read_people_hours_and_zloty() {
        let row = ServiceYear::from_row(&["2027", "40", "1 200", "150 000,50"]).unwrap();
        assert_eq!(
            row,
            ServiceYear {
                year: 2027,
                people: 40,
                hours: 1200,
                budget_grosze: 15_000_050
            }
        );
        assert_eq!(ServiceYear::from_row(&["2027"]).unwrap().people, 0);
        assert!(ServiceYear::from_row(&["x", "1"]).is_none());
        assert!(ServiceYear::from_row(&["2027", "many"]).is_none());
    }

    #[test]
    fn the_new_service_errors_take_the_form_names() {
        let mut f = cus_db::error::FieldErrors::new();
        f.insert("services[2].years[0].year".into(), vec!["a".into()]);
        f.insert("services[2].delivery".into(), vec!["b".into()]);
        f.insert("title".into(), vec!["c".into()]);
        let cus_db::DomainError::Invalid(out) = renumber(cus_db::DomainError::Invalid(f), 2) else {
            panic!()
        };
        assert_eq!(
            out.keys().cloned().collect::<Vec<_>>(),
            ["delivery", "title", "years"]
        );
    }
}
