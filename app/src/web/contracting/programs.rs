//! Cooperation programs with NGOs: drafting, consultation, adoption, the
//! yearly report.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use contracting::programs;
use contracting::programs::{CommentInput, ProgramInput, ProgramTransition, YearFunds};
use contracting::programs::{CooperationProgramId, ProgramStatus};
use cus_db::{Lifecycle, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::forms::{Count, Lines, YearAmounts};
use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::{created, list};
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_program)
        .service(list_programs)
        .service(get_program)
        .service(comment_program)
        .service(transition_program)
        .service(program_report);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/programs", get().to(programs_page))
        .route("/programs", post().to(program_create))
        .route("/programs/{id}", get().to(program_page))
        .route("/programs/{id}/comments", post().to(program_comment))
        .route("/programs/{id}/report", get().to(program_report_page))
        .route("/programs/{id}/transition", post().to(program_transition));
}

#[utoipa::path(request_body = ProgramInput, responses((status = 201, body = programs::Program), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/programs")]
async fn create_program(
    st: Data,
    user: ApiUser,
    body: ApiJson<ProgramInput>,
) -> AppResult<HttpResponse> {
    Ok(created(
        &st.tx(move |c| programs::create(c, &user.0, body.0)).await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<programs::ProgramRow>), (status = 403)), security(("bearer" = [])))]
#[get("/programs")]
async fn list_programs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| programs::list(c, &user.0)).await?))
}

#[utoipa::path(params(("id" = CooperationProgramId, Path)), responses((status = 200, body = programs::Program), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/programs/{id}")]
async fn get_program(
    st: Data,
    user: ApiUser,
    path: web::Path<CooperationProgramId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| programs::get(c, &user.0, &id)).await?))
}

#[utoipa::path(params(("id" = CooperationProgramId, Path)), request_body = CommentInput, responses((status = 201, body = programs::Comment), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/programs/{id}/comments")]
async fn comment_program(
    st: Data,
    user: ApiUser,
    path: web::Path<CooperationProgramId>,
    body: ApiJson<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| programs::comment(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = CooperationProgramId, Path)), request_body = ProgramTransition, responses((status = 200, body = programs::Program), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/programs/{id}/transition")]
async fn transition_program(
    st: Data,
    user: ApiUser,
    path: web::Path<CooperationProgramId>,
    body: ApiJson<ProgramTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| programs::transition(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
struct YearQuery {
    year: i32,
}

/// The annual implementation report of the program for `year` (due 31 May).
#[utoipa::path(params(("id" = CooperationProgramId, Path), YearQuery), responses((status = 200, body = programs::AnnualReport), (status = 403)), security(("bearer" = [])))]
#[get("/programs/{id}/report")]
async fn program_report(
    st: Data,
    user: ApiUser,
    path: web::Path<CooperationProgramId>,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let year = q.year;
    Ok(HttpResponse::Ok().json(
        st.db(move |c| programs::annual_report(c, &user.0, &id, year))
            .await?,
    ))
}

async fn programs_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let list = st.db(move |c| programs::list(c, &actor)).await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "programs",
        "programs-title",
        json!({"programs": list, "can_create": user.actor.role == Role::Organizer}),
    ))
}

/// A program as the page asks for it: priorities one a line, the yearly
/// funds as "year | złoty" rows.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ProgramForm {
    title: String,
    year_from: Count,
    year_to: Count,
    goals: String,
    priorities: Lines,
    forms: String,
    yearly_funds: YearAmounts,
    competition_rules: String,
}

impl From<ProgramForm> for ProgramInput {
    fn from(f: ProgramForm) -> Self {
        ProgramInput {
            title: f.title,
            year_from: f.year_from.0,
            year_to: f.year_to.0,
            goals: f.goals,
            priorities: f.priorities.0,
            forms: f.forms,
            yearly_funds: (f.yearly_funds.0.into_iter())
                .map(|y| YearFunds {
                    year: y.year,
                    amount_grosze: y.grosze,
                })
                .collect(),
            budget_grosze: None,
            competition_rules: f.competition_rules,
            currency: None,
        }
    }
}

async fn program_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ProgramForm>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            programs::create(c, &actor, input.into())
        })
        .await;
    match result {
        Ok(p) => Ok(Flash::Saved.redirect(&format!("/programs/{}", p.row.id))),
        Err(e) => {
            let actor = user.actor.clone();
            let list = st.db(move |c| programs::list(c, &actor)).await?;
            view.form_error(
                e,
                "programs",
                "programs-title",
                json!({"programs": list, "can_create": true, "values": values(&form.typed)}),
            )
        }
    }
}

async fn program_data(st: &Data, user: &PageUser, id: CooperationProgramId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let p = st.db(move |c| programs::get(c, &actor, &id)).await?;
    let a = &user.actor;
    let status = p.row.status;
    let moves_of = |role: Role| -> Vec<ProgramStatus> {
        status
            .moves()
            .iter()
            .copied()
            .filter(|to| to.mover().contains(&role))
            .collect()
    };
    Ok(json!({
        "p": p,
        "can_comment": status == ProgramStatus::Consultation && a.is(&[Role::Ngo, Role::Organizer]),
        "organizer_moves": if a.role == Role::Organizer { moves_of(Role::Organizer) } else { vec![] },
        "council_decides": a.role == Role::Council && !moves_of(Role::Council).is_empty(),
    }))
}

async fn program_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CooperationProgramId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = program_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(crate::web::view::flash_of(&req, &view));
    Ok(view.render("program", "program-title", data))
}

/// The annual implementation report for the council (due 31 May).
async fn program_report_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CooperationProgramId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let q = crate::web::view::query_map(&req);
    let year: i32 = q
        .get("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| cus_db::today().year() - 1);
    let actor = user.actor.clone();
    let (program, report) = st
        .db(move |c| {
            let p = programs::get(c, &actor, &id)?;
            let r = programs::annual_report(c, &actor, &id, year)?;
            Ok((p, r))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "program_report",
        "program-report-title",
        json!({"p": program, "r": report}),
    ))
}

async fn program_comment(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CooperationProgramId>,
    form: Form<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, pid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            programs::comment(c, &actor, &pid, input)
        })
        .await;
    let to = format!("/programs/{id}");
    RecordPage::new(to, "program", "program-title", program_data(&st, &user, id))
        .settle(&req, &user, &form.typed, result)
        .await
}

/// A move of the program; the council's carries its resolution (the API's
/// `ProgramTransition`).
async fn program_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CooperationProgramId>,
    form: Form<ProgramTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, pid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            programs::transition(c, &actor, &pid, input)
        })
        .await;
    let to = format!("/programs/{id}");
    RecordPage::new(to, "program", "program-title", program_data(&st, &user, id))
        .settle(&req, &user, &form.typed, result)
        .await
}
