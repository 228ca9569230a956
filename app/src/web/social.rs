//! The social services program and its diagnosis (`crate::social`): the
//! API of API.md "The social services program", the staff pages, the
//! printable consultation report and evaluation, and the public page with
//! its Atom feed.

use crate::social::programs::SocialProgramStatus;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use cus_db::{Actor, Lifecycle, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::platform::templates;
use crate::social::diagnosis::{self, DiagnosisInput, DiagnosisPatch};
use crate::social::evaluation;
use crate::social::programs::{
    self, AnswerInput, CommentInput, ServiceInput, ServiceYear, SocialProgramInput,
    SocialProgramPatch, SocialProgramTransition,
};
use crate::web::api::{created, list};
use crate::web::contracting::forms::{parse_pln, Count, FromRow, Lines, Rows};
use crate::web::extract::{Action, ApiJson, ApiUser, Form, MaybePageUser, PageUser};
use crate::web::view::{flash_of, query_map, values, Flash, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_diagnosis)
        .service(list_diagnoses)
        .service(get_diagnosis)
        .service(patch_diagnosis)
        .service(publish_diagnosis)
        .service(create_program)
        .service(list_programs)
        .service(public_programs)
        .service(get_program)
        .service(patch_program)
        .service(transition_program)
        .service(comment_program)
        .service(answer_comment)
        .service(consultation_report)
        .service(amend_program)
        .service(program_progress)
        .service(program_evaluation)
        .service(publish_evaluation);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/diagnoses", get().to(diagnoses_page))
        .route("/diagnoses", post().to(diagnoses_act))
        .route("/diagnoses/{id}", get().to(diagnosis_page))
        .route("/diagnoses/{id}", post().to(diagnosis_act))
        .route("/social-programs", get().to(programs_page))
        .route("/social-programs", post().to(programs_act))
        .route("/social-programs.atom", get().to(programs_atom))
        .route("/public/social-programs", get().to(public_page))
        .route("/social-programs/{id}", get().to(program_page))
        .route("/social-programs/{id}", post().to(program_act))
        .route(
            "/social-programs/{id}/consultation-report",
            get().to(report_page),
        )
        .route(
            "/social-programs/{id}/evaluations/{year}",
            get().to(evaluation_page),
        );
}

impl AppState {
    fn min_group(&self) -> i64 {
        self.config.assessment.min_group
    }
}

// --- the API ------------------------------------------------------------

#[utoipa::path(request_body = DiagnosisInput, responses((status = 201, body = diagnosis::Diagnosis), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/diagnoses")]
async fn create_diagnosis(
    st: Data,
    user: ApiUser,
    body: ApiJson<DiagnosisInput>,
) -> AppResult<HttpResponse> {
    let min = st.min_group();
    Ok(created(
        &st.tx(move |c| diagnosis::create(c, &user.0, body.0, min))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<diagnosis::DiagnosisRow>), (status = 403)), security(("bearer" = [])))]
#[get("/diagnoses")]
async fn list_diagnoses(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| diagnosis::list(c, &user.0)).await?))
}

/// A diagnosis; its figures recomputed while a draft, frozen once published.
#[utoipa::path(responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/diagnoses/{id}")]
async fn get_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(st.db(move |c| diagnosis::get(c, &user.0, &id, min)).await?))
}

#[utoipa::path(request_body = DiagnosisPatch, responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[patch("/diagnoses/{id}")]
async fn patch_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<DiagnosisPatch>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| diagnosis::patch(c, &user.0, &id, body.0, min))
            .await?,
    ))
}

/// Freezes the figures (409 when already published).
#[utoipa::path(responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/diagnoses/{id}/publish")]
async fn publish_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| diagnosis::publish(c, &user.0, &id, min))
            .await?,
    ))
}

#[utoipa::path(request_body = SocialProgramInput, responses((status = 201, body = programs::SocialProgram), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs")]
async fn create_program(
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
async fn list_programs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| programs::list(c, &user.0)).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct PublicQuery {
    /// A municipality's TERYT code; all when absent.
    pub municipality: Option<String>,
}

/// Adopted programs (in force, or superseded and marked so) with their
/// published evaluations, for anyone; also as Atom at `/social-programs.atom`.
#[utoipa::path(params(PublicQuery), responses((status = 200, body = cus_db::openapi::Page<evaluation::PublicProgram>)))]
#[get("/public/social-programs")]
async fn public_programs(st: Data, q: web::Query<PublicQuery>) -> AppResult<HttpResponse> {
    let (m, min) = (q.into_inner().municipality, st.min_group());
    Ok(list(
        st.db(move |c| evaluation::public_list(c, m.as_deref(), min))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = programs::SocialProgram), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}")]
async fn get_program(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| programs::get(c, &user.0, &id)).await?))
}

/// Edits a draft; 409 once it has left the draft.
#[utoipa::path(request_body = SocialProgramPatch, responses((status = 200, body = programs::SocialProgram), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[patch("/social-programs/{id}")]
async fn patch_program(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<SocialProgramPatch>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::patch(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = SocialProgramTransition, responses((status = 200, body = programs::SocialProgram), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/social-programs/{id}/transition")]
async fn transition_program(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<SocialProgramTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::transition(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = CommentInput, responses((status = 201, body = programs::CommentView), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/comments")]
async fn comment_program(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| programs::comment(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = AnswerInput, responses((status = 200, body = programs::CommentView), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/comments/{cid}/answer")]
async fn answer_comment(
    st: Data,
    user: ApiUser,
    path: web::Path<(String, String)>,
    body: ApiJson<AnswerInput>,
) -> AppResult<HttpResponse> {
    let (id, cid) = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::answer(c, &user.0, &id, &cid, body.0))
            .await?,
    ))
}

/// Every comment with its answer, by the author's kind only.
#[utoipa::path(responses((status = 200, body = programs::ConsultationReport), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/consultation-report")]
async fn consultation_report(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.db(move |c| programs::consultation_report(c, &user.0, &id))
            .await?,
    ))
}

/// A new draft version copying the adopted one (409 unless adopted, or
/// while another amendment is under way).
#[utoipa::path(responses((status = 201, body = programs::SocialProgram), (status = 404), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/amendments")]
async fn amend_program(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
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
#[utoipa::path(params(YearQuery), responses((status = 200, body = evaluation::Progress), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/progress")]
async fn program_progress(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    let (id, year) = (path.into_inner(), q.year);
    Ok(HttpResponse::Ok().json(
        st.db(move |c| evaluation::progress(c, &user.0, &id, year))
            .await?,
    ))
}

/// The yearly evaluation: the published one, else computed now.
#[utoipa::path(responses((status = 200, body = evaluation::Evaluation), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/social-programs/{id}/evaluations/{year}")]
async fn program_evaluation(
    st: Data,
    user: ApiUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path_year(path)?;
    Ok(HttpResponse::Ok().json(
        st.db(move |c| evaluation::evaluation(c, &user.0, &id, year))
            .await?,
    ))
}

/// Publishes (freezes) the evaluation of a year that has ended; 409 when
/// the version is not adopted, the year is not over, or it is published.
#[utoipa::path(responses((status = 201, body = evaluation::Evaluation), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/social-programs/{id}/evaluations/{year}")]
async fn publish_evaluation(
    st: Data,
    user: ApiUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path_year(path)?;
    Ok(created(
        &st.tx(move |c| evaluation::publish(c, &user.0, &id, year))
            .await?,
    ))
}

/// A program's id and a year from the path; a year that is no number names
/// no evaluation (404).
fn path_year(path: web::Path<(String, String)>) -> AppResult<(String, i32)> {
    let (id, year) = path.into_inner();
    let year = year
        .parse()
        .map_err(|_| AppError::from(cus_db::DomainError::NotFound))?;
    Ok((id, year))
}

// --- the pages ----------------------------------------------------------

fn can_edit(a: &Actor) -> bool {
    a.role == Role::Organizer
}

async fn diagnoses_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let list = st.db(move |c| diagnosis::list(c, &actor)).await?;
    Ok(json!({"diagnoses": list, "can_create": can_edit(&user.actor)}))
}

async fn diagnoses_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = diagnoses_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    let year = cus_db::today().year() - 1;
    data["values"] =
        json!({"period_from": format!("{year}-01-01"), "period_to": format!("{year}-12-31")});
    Ok(view.render("diagnoses", "diagnoses-title", data))
}

async fn diagnoses_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<DiagnosisInput>,
) -> AppResult<HttpResponse> {
    let (actor, min) = (user.actor.clone(), st.min_group());
    let Form { input, typed } = form;
    let result = st
        .tx_input(input, move |c, input| {
            diagnosis::create(c, &actor, input, min)
        })
        .await;
    match result {
        Ok(d) => Ok(Flash::Saved.redirect(&format!("/diagnoses/{}", d.row.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = diagnoses_data(&st, &user).await?;
            data["values"] = values(&typed);
            view.form_error(e, "diagnoses", "diagnoses-title", data)
        }
    }
}

async fn diagnosis_data(st: &Data, view: &View, user: &PageUser, id: String) -> AppResult<Value> {
    let (actor, min) = (user.actor.clone(), st.min_group());
    let d = st.db(move |c| diagnosis::get(c, &actor, &id, min)).await?;
    let editable = can_edit(&user.actor) && !d.frozen;
    let tables: Vec<Value> = d.figures.iter().map(|f| figure_table(view, f)).collect();
    Ok(json!({
        "d": d, "tables": tables, "can_edit": editable,
        "values": {"title": d.row.title, "period_from": d.row.period_from, "period_to": d.row.period_to,
                   "needs": d.row.needs, "potential": d.row.potential},
    }))
}

/// A figure as rows for a page table: `(name, value)` pairs for a map (the
/// names in the reader's language), the objects' fields for a list.
fn figure_table(view: &View, f: &diagnosis::Figure) -> Value {
    let name = |k: &str| -> String {
        let key = match (f.key.as_str(), k) {
            (_, "unspecified") => "figure-key-unspecified".to_string(),
            ("requests_by_area", k) => format!("area-{k}"),
            ("plans_closed_by_outcome", k) => format!("outcome-{k}"),
            ("requests_by_month", k) => return k.to_string(),
            (_, k) => format!("figure-key-{k}"),
        };
        view.t(&key)
    };
    let shown = |m: &serde_json::Map<String, Value>| -> Vec<String> {
        m.iter()
            .filter(|(k, _)| !k.ends_with("_id"))
            .map(|(_, v)| cell(v))
            .collect()
    };
    let (head, rows): (Vec<String>, Vec<Value>) = match &f.data {
        Value::Object(m) => (
            vec![],
            m.iter()
                .map(|(k, v)| json!({"cells": [name(k), cell(v)]}))
                .collect(),
        ),
        Value::Array(list) => (
            list.first()
                .and_then(Value::as_object)
                .map(|m| m.keys().filter(|k| !k.ends_with("_id")).cloned().collect())
                .unwrap_or_default(),
            list.iter()
                .map(|item| match item {
                    Value::Object(m) => json!({"cells": shown(m)}),
                    other => json!({"cells": [cell(other)]}),
                })
                .collect(),
        ),
        other => (vec![], vec![json!({"cells": [cell(other)]})]),
    };
    let suppressed: Vec<String> = if f.data.is_object() {
        f.suppressed.iter().map(|k| name(k)).collect()
    } else {
        f.suppressed.clone()
    };
    // Labelled in the page's language, which `?lang=` may have changed.
    json!({"f": f, "label": view.t(&diagnosis::label_key(&f.key)), "rows": rows, "head": head,
           "suppressed": suppressed.join(", ")})
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn diagnosis_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = diagnosis_data(&st, &view, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("diagnosis", "diagnosis-title", data))
}

async fn diagnosis_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<Action>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i, min) = (user.actor.clone(), id.clone(), st.min_group());
    let action = form
        .input
        .as_ref()
        .map(|a| a.action.clone())
        .unwrap_or_default();
    let result = match action.as_str() {
        "publish" => st
            .tx(move |c| diagnosis::publish(c, &actor, &i, min))
            .await
            .map(drop),
        _ => match form.parse::<DiagnosisInput>() {
            Ok(input) => {
                let patch = DiagnosisPatch {
                    title: Some(input.title),
                    period_from: Some(input.period_from),
                    period_to: Some(input.period_to),
                    needs: Some(input.needs),
                    potential: Some(input.potential),
                };
                st.tx(move |c| diagnosis::patch(c, &actor, &i, patch, min))
                    .await
                    .map(drop)
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(Flash::Saved.redirect(&format!("/diagnoses/{id}"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = diagnosis_data(&st, &view, &user, id).await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "diagnosis", "diagnosis-title", data)
        }
    }
}

/// A program's basic fields as the page asks for them: goals one a line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ProgramForm {
    title: String,
    year_from: Count,
    year_to: Count,
    diagnosis_id: String,
    goals: Lines,
}

async fn programs_data(st: &Data, user: &PageUser) -> AppResult<Value> {
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

async fn programs_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = programs_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    let year = cus_db::today().year();
    data["values"] = json!({"year_from": year, "year_to": year + 2});
    Ok(view.render("social_programs", "sp-title", data))
}

async fn programs_act(
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
struct ServiceForm {
    service_code: String,
    target_group: String,
    delivery: String,
    years: Rows<ServiceYear>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceRef {
    service_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    comment_id: String,
    answer: String,
    accepted: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EvaluationForm {
    year: Count,
}

async fn program_data(
    st: &Data,
    user: &PageUser,
    id: String,
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

async fn program_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
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

/// One of the program page's forms, by its `action`: edit, add_service,
/// remove_service, transition, comment, answer, amend, evaluate.
async fn program_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<Action>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let action = form
        .input
        .as_ref()
        .map(|a| a.action.clone())
        .unwrap_or_default();
    let actor = user.actor.clone();
    let i = id.clone();
    let mut to = format!("/social-programs/{id}");
    // Ok(Some(id)): a new version to go to; Ok(None): back to `to`.
    let result: AppResult<Option<String>> = async {
        match action.as_str() {
            "edit" => {
                let f = form.parse::<ProgramForm>()?;
                let patch = SocialProgramPatch {
                    title: Some(f.title),
                    year_from: Some(f.year_from.0),
                    year_to: Some(f.year_to.0),
                    diagnosis_id: Some(f.diagnosis_id),
                    goals: Some(f.goals.0),
                    services: None,
                };
                st.tx(move |c| programs::patch(c, &actor, &i, patch))
                    .await?;
            }
            "add_service" => {
                let f = form.parse::<ServiceForm>()?;
                let new = ServiceInput {
                    id: None,
                    service_code: f.service_code,
                    target_group: f.target_group,
                    delivery: f.delivery,
                    years: f.years.0,
                    // The checked `indicator.CODE` boxes.
                    indicators: (form.typed.keys())
                        .filter_map(|k| k.strip_prefix("indicator."))
                        .map(str::to_string)
                        .collect(),
                };
                st.tx(move |c| {
                    let mut at = 0;
                    programs::edit_services(c, &actor, &i, |list| {
                        at = list.len();
                        list.push(new);
                    })
                    .map_err(|e| renumber(e, at))
                })
                .await?;
            }
            "remove_service" => {
                let f = form.parse::<ServiceRef>()?;
                st.tx(move |c| {
                    programs::edit_services(c, &actor, &i, |list| {
                        list.retain(|s| s.id.as_deref() != Some(f.service_id.as_str()))
                    })
                })
                .await?;
            }
            "transition" => {
                let t = form.parse::<SocialProgramTransition>()?;
                st.tx(move |c| programs::transition(c, &actor, &i, t))
                    .await?;
            }
            "comment" => {
                let body = form.parse::<CommentInput>()?;
                st.tx(move |c| programs::comment(c, &actor, &i, body))
                    .await?;
            }
            "answer" => {
                let f = form.parse::<AnswerForm>()?;
                let input = AnswerInput {
                    answer: f.answer,
                    accepted: f.accepted == "yes",
                };
                st.tx(move |c| programs::answer(c, &actor, &i, &f.comment_id, input))
                    .await?;
            }
            "amend" => {
                let p = st.tx(move |c| programs::amend(c, &actor, &i)).await?;
                return Ok(Some(p.row.id));
            }
            "evaluate" => {
                let year = form.parse::<EvaluationForm>()?.year.0;
                to = format!("/social-programs/{id}/evaluations/{year}");
                st.tx(move |c| evaluation::publish(c, &actor, &i, year))
                    .await?;
            }
            _ => {
                return Err(AppError::from(cus_db::DomainError::field(
                    "action",
                    "error-required",
                )))
            }
        }
        Ok(None)
    }
    .await;
    match result {
        Ok(Some(new)) => Ok(Flash::Saved.redirect(&format!("/social-programs/{new}"))),
        Ok(None) => Ok(Flash::Saved.redirect(&to)),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = program_data(&st, &user, id, &HashMap::new()).await?;
            data["values"] = values(&form.typed);
            data["action"] = json!(action);
            view.form_error(e, "social_program", "sp-program-title", data)
        }
    }
}

/// The new service's field errors under the names of the page's form
/// (`services[N].years[0].year` → `years`).
fn renumber(e: cus_db::DomainError, at: usize) -> cus_db::DomainError {
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

async fn report_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
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

async fn evaluation_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(String, String)>,
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

async fn public_page(req: HttpRequest, st: Data, user: MaybePageUser) -> AppResult<HttpResponse> {
    let q = query_map(&req);
    let m = q.get("municipality").cloned().filter(|m| !m.is_empty());
    let min = st.min_group();
    let list = st
        .db(move |c| evaluation::public_list(c, m.as_deref(), min))
        .await?;
    let view = View::new(&req, user.0.as_ref());
    Ok(view.render(
        "social_programs_public",
        "sp-public-title",
        json!({"programs": list}),
    ))
}

/// Adopted versions as an Atom feed, newest adoption first.
async fn programs_atom(st: Data) -> AppResult<HttpResponse> {
    let min = st.min_group();
    let list = st
        .db(move |c| evaluation::public_list(c, None, min))
        .await?;
    let stamp = |t: chrono::NaiveDateTime| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let updated = list
        .iter()
        .map(|p| p.adopted_at)
        .max()
        .map(stamp)
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_string());
    let entries: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({"id": p.id, "title": format!("{} ({}–{}, v{})", p.title, p.year_from, p.year_to, p.version),
                   "municipality": p.municipality_name, "resolution": p.resolution_number,
                   "resolution_date": p.resolution_date, "superseded": p.superseded,
                   "updated": stamp(p.adopted_at)})
        })
        .collect();
    let xml = templates::render(
        "social_programs_atom",
        &json!({"lang": "pl", "base": st.config.server.public_url.trim_end_matches('/'),
                "updated": updated, "entries": entries}),
    )
    .map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(xml))
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
