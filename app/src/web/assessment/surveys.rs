//! Recipient surveys: the organizer's API and pages (create, invite,
//! results) and the public questionnaire a one-time code opens.
//!
//! The code is a secret of its holder: it is never logged or audited here,
//! and the public page is answered with `no-store` (every response is) and
//! `Referrer-Policy: same-origin`, so it does not leave the site.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, FieldErrors};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::assessment::surveys::{
    self, Invitations, NewResponse, NewSurvey, Question, QuestionKind, SurveyId,
};
use crate::platform::error::{translate_fields, AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::{created, list};
use crate::web::extract::{AnonForm, ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{anon_csrf_pair, values, with_cookie, View};

type Data = web::Data<AppState>;

/// Question rows the create form shows unless asked for more (`?rows=`).
const FORM_ROWS: usize = 5;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_survey)
        .service(list_surveys)
        .service(get_survey)
        .service(invite)
        .service(survey_results)
        .service(respond);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/surveys", get().to(surveys_page))
        .route("/surveys", post().to(surveys_create))
        .route("/surveys/{id}", get().to(survey_page))
        .route("/surveys/{id}/invitations", post().to(survey_invite))
        .route("/survey/{code}", get().to(answer_form))
        .route("/survey/{code}", post().to(answer_submit));
}

// -------------------------------------------------------------------- API

#[utoipa::path(request_body = NewSurvey, responses((status = 201, body = surveys::Survey), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/surveys")]
async fn create_survey(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewSurvey>,
) -> AppResult<HttpResponse> {
    let s = st.tx(move |c| surveys::create(c, &user.0, body.0)).await?;
    Ok(created(&s))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<surveys::Survey>), (status = 403)), security(("bearer" = [])))]
#[get("/surveys")]
async fn list_surveys(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| surveys::list(c, &user.0)).await?))
}

#[utoipa::path(params(("id" = SurveyId, Path)), responses((status = 200, body = surveys::Survey), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/surveys/{id}")]
async fn get_survey(st: Data, user: ApiUser, path: web::Path<SurveyId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| surveys::get(c, &user.0, &id)).await?))
}

/// One-time links by mail to residents with an email, printed codes for
/// the others and for `count`; the codes are shown once.
#[utoipa::path(params(("id" = SurveyId, Path)), request_body = Invitations, responses((status = 201, body = surveys::Invited), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/surveys/{id}/invitations")]
async fn invite(
    st: Data,
    user: ApiUser,
    path: web::Path<SurveyId>,
    body: ApiJson<Invitations>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let invited = st
        .tx(move |c| surveys::invite(c, &user.0, &id, body.0))
        .await?;
    Ok(created(&invited))
}

/// Figures per question; none below `min_group` responses.
#[utoipa::path(params(("id" = SurveyId, Path)), responses((status = 200, body = surveys::SurveyResults), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/surveys/{id}/results")]
async fn survey_results(
    st: Data,
    user: ApiUser,
    path: web::Path<SurveyId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min_group = st.config.assessment.min_group;
    Ok(HttpResponse::Ok().json(
        st.db(move |c| surveys::results(c, &user.0, &id, min_group))
            .await?,
    ))
}

/// An anonymous answer (no sign-in): 404 for an unknown code, 409 for a
/// used one.
#[utoipa::path(request_body = NewResponse, responses((status = 201, description = "Recorded"), (status = 404), (status = 409), (status = 422)))]
#[post("/survey-responses")]
async fn respond(st: Data, body: ApiJson<NewResponse>) -> AppResult<HttpResponse> {
    st.tx(move |c| surveys::answer(c, body.0)).await?;
    Ok(created(&json!({"recorded": true})))
}

// ------------------------------------------------------ the public form

/// The code's questions as the form shows them, with what was typed and
/// the reasons beside each.
fn form_questions(
    questions: &[Question],
    typed: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Value {
    let rows: Vec<Value> = questions
        .iter()
        .map(|q| {
            let value = typed
                .get(&format!("q_{}", q.key))
                .cloned()
                .unwrap_or_default();
            let options: Vec<Value> = match q.kind.as_str() {
                "likert" => (1..=5)
                    .map(|n| {
                        json!({"value": n.to_string(), "label": format!("likert-{n}"),
                               "checked": value == n.to_string()})
                    })
                    .collect(),
                _ => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| json!({"value": o, "index": i, "checked": &value == o}))
                    .collect(),
            };
            json!({
                "key": q.key, "text": q.text, "kind": q.kind, "value": value,
                "options": options,
                "errors": errors.get(&format!("answers.{}", q.key)),
            })
        })
        .collect();
    json!(rows)
}

async fn answer_form(
    req: HttpRequest,
    st: Data,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let view = View::new(&req, None);
    let found = st.db(move |c| surveys::questionnaire(c, &code)).await;
    let q = match found {
        Ok(q) => q,
        Err(e) => return answered_or(&view, e),
    };
    let (csrf, cookie) = anon_csrf_pair(&req);
    let data = json!({
        "form_csrf": csrf, "action": req.path(), "survey": {"title": q.title, "period": q.period},
        "questions": form_questions(&q.questions, &HashMap::new(), &FieldErrors::new()),
    });
    Ok(with_cookie(
        view.render("survey_answer", "survey-answer-title", data),
        cookie,
    ))
}

/// A used code's page (409): said plainly, not as an error; other errors
/// propagate (an unknown code is the 404 page).
fn answered_or(view: &View, e: AppError) -> AppResult<HttpResponse> {
    match e {
        AppError::Domain(DomainError::Conflict(_)) => Ok(view.render_status(
            StatusCode::CONFLICT,
            "message",
            "survey-answered-title",
            json!({"message": view.t("survey-answered")}),
        )),
        other => Err(other),
    }
}

async fn answer_submit(
    req: HttpRequest,
    st: Data,
    path: web::Path<String>,
    form: AnonForm<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let view = View::new(&req, None);
    let c2 = code.clone();
    let q = match st.db(move |c| surveys::questionnaire(c, &c2)).await {
        Ok(q) => q,
        Err(e) => return answered_or(&view, e),
    };
    // Fields `q_KEY`: Likert as numbers, blanks left out.
    let mut answers = Map::new();
    for (name, value) in &form.typed {
        let Some(key) = name.strip_prefix("q_") else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let likert = q
            .questions
            .iter()
            .any(|x| x.key == key && x.kind == "likert");
        let v = match value.trim().parse::<i64>() {
            Ok(n) if likert => Value::from(n),
            _ => Value::from(value.clone()),
        };
        answers.insert(key.to_string(), v);
    }
    let input = NewResponse { code, answers };
    match st.tx(move |c| surveys::answer(c, input)).await {
        Ok(()) => Ok(view.render(
            "message",
            "survey-thanks-title",
            json!({"message": view.t("survey-thanks")}),
        )),
        Err(AppError::Domain(DomainError::Invalid(fields))) => {
            let translated = translate_fields(&fields, view.lang());
            let data = json!({
                "form_csrf": form.typed.get("csrf"), "action": req.path(),
                "survey": {"title": q.title, "period": q.period},
                "questions": form_questions(&q.questions, &form.typed, &translated),
            });
            view.form_error(
                DomainError::Invalid(fields).into(),
                "survey_answer",
                "survey-answer-title",
                data,
            )
        }
        Err(e) => answered_or(&view, e),
    }
}

// -------------------------------------------------- the organizer's pages

fn rows_wanted(req: &HttpRequest) -> usize {
    crate::web::view::query_map(req)
        .get("rows")
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(FORM_ROWS)
        .clamp(1, surveys::MAX_QUESTIONS)
}

/// The create form's question rows, filled from `typed`, with their
/// reasons (`errors` by row field, `q3_key`).
fn question_rows(n: usize, typed: &HashMap<String, String>, errors: &FieldErrors) -> Value {
    let rows: Vec<Value> = (0..n)
        .map(|i| {
            let get = |f: &str| typed.get(&format!("q{i}_{f}")).cloned().unwrap_or_default();
            let err = |f: &str| errors.get(&format!("q{i}_{f}")).cloned();
            let kind = get("kind");
            let kinds: Vec<Value> = QuestionKind::ALL
                .iter()
                .map(|k| json!({"value": k, "selected": kind == k.as_str()}))
                .collect();
            json!({
                "i": i, "n": i + 1, "key": get("key"), "text": get("text"), "options": get("options"),
                "satisfaction": typed.contains_key(&format!("q{i}_satisfaction")),
                "kinds": kinds,
                "errors": {"key": err("key"), "text": err("text"), "kind": err("kind"),
                           "options": err("options"), "satisfaction": err("satisfaction")},
            })
        })
        .collect();
    json!(rows)
}

/// The survey the create form describes, and the form row of each of its
/// questions (blank rows are left out).
fn survey_of_form(typed: &HashMap<String, String>) -> (NewSurvey, Vec<usize>) {
    let get = |f: &str| typed.get(f).cloned().unwrap_or_default();
    let mut questions = vec![];
    let mut rows = vec![];
    for i in 0..surveys::MAX_QUESTIONS {
        let f = |name: &str| get(&format!("q{i}_{name}"));
        let (key, text, options) = (f("key"), f("text"), f("options"));
        if key.trim().is_empty() && text.trim().is_empty() && options.trim().is_empty() {
            continue;
        }
        let kind = f("kind");
        questions.push(Question {
            key: key.trim().to_string(),
            text,
            options: if kind == "choice" {
                options
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            } else {
                vec![]
            },
            satisfaction: typed.contains_key(&format!("q{i}_satisfaction")),
            kind,
        });
        rows.push(i);
    }
    let optional = |f: &str| Some(get(f)).filter(|v| !v.trim().is_empty());
    (
        NewSurvey {
            title: get("title"),
            agreement_id: optional("agreement_id"),
            service_code: optional("service_code"),
            period: get("period"),
            questions,
        },
        rows,
    )
}

/// `questions[2].options[1]` → `q{row of question 2}_options`.
fn form_fields(fields: FieldErrors, rows: &[usize]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (name, keys) in fields {
        let renamed = name
            .strip_prefix("questions[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(j, f)| {
                let row = rows.get(j.parse::<usize>().ok()?)?;
                let f = f.split('[').next().unwrap_or(f);
                Some(format!("q{row}_{f}"))
            })
            .unwrap_or(name);
        out.entry(renamed).or_default().extend(keys);
    }
    out
}

async fn list_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (list, (agreements, services, _)) = st
        .db(move |c| Ok((surveys::list(c, &actor)?, surveys::form_choices(c, &actor)?)))
        .await?;
    Ok(json!({"surveys": list, "agreements": agreements, "services": services}))
}

async fn surveys_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = list_data(&st, &user).await?;
    let n = rows_wanted(&req);
    data["rows"] = question_rows(n, &HashMap::new(), &FieldErrors::new());
    data["row_count"] = json!(n);
    data["more_rows"] = json!((n + 5).min(surveys::MAX_QUESTIONS));
    data["can_add_rows"] = json!(n < surveys::MAX_QUESTIONS);
    Ok(view.render("surveys", "surveys-title", data))
}

async fn surveys_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (new, rows) = survey_of_form(&form.typed);
    let actor = user.actor.clone();
    match st.tx(move |c| surveys::create(c, &actor, new)).await {
        Ok(s) => Ok(crate::web::view::redirect(&format!("/surveys/{}", s.id))),
        Err(AppError::Domain(DomainError::Invalid(fields))) => {
            let view = View::new(&req, Some(&user));
            let fields = form_fields(fields, &rows);
            let translated = translate_fields(&fields, view.lang());
            let n = form
                .typed
                .get("row_count")
                .and_then(|r| r.parse::<usize>().ok())
                .unwrap_or(FORM_ROWS)
                .clamp(1, surveys::MAX_QUESTIONS);
            let mut data = list_data(&st, &user).await?;
            data["rows"] = question_rows(n, &form.typed, &translated);
            data["row_count"] = json!(n);
            data["more_rows"] = json!((n + 5).min(surveys::MAX_QUESTIONS));
            data["can_add_rows"] = json!(n < surveys::MAX_QUESTIONS);
            data["values"] = values(&form.typed);
            view.form_error(
                DomainError::Invalid(fields).into(),
                "surveys",
                "surveys-title",
                data,
            )
        }
        Err(e) => Err(e),
    }
}

/// A survey's page data: the survey, its results, who may be invited.
async fn detail_data(st: &Data, user: &PageUser, id: SurveyId, lang: &str) -> AppResult<Value> {
    let actor = user.actor.clone();
    let min_group = st.config.assessment.min_group;
    let (survey, results, recipients, (_, _, staff)) = st
        .db(move |c| {
            Ok((
                surveys::get(c, &actor, &id)?,
                surveys::results(c, &actor, &id, min_group)?,
                surveys::recipients(c, &actor, &id)?,
                surveys::form_choices(c, &actor)?,
            ))
        })
        .await?;
    let public_url = st
        .config
        .server
        .public_url
        .trim_end_matches('/')
        .to_string();
    // Rows of each question's counts, in the order they are asked.
    let questions: Vec<Value> = results
        .questions
        .iter()
        .map(|q| {
            let order: Vec<String> = match q.kind.as_str() {
                "likert" => (1..=5).map(|n| n.to_string()).collect(),
                _ => q.options.clone(),
            };
            let rows: Vec<Value> = q
                .counts
                .as_ref()
                .map(|c| {
                    order
                        .iter()
                        .map(|v| {
                            let label = if q.kind == "likert" {
                                format!("likert-{v}")
                            } else {
                                String::new()
                            };
                            json!({"value": v, "label": label, "count": c.get(v).copied().unwrap_or(0)})
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut v = json!(q);
            v["rows"] = json!(rows);
            if let Some(m) = q.mean {
                v["mean_text"] = json!(crate::platform::templates::format_number(m, lang));
            }
            v
        })
        .collect();
    Ok(json!({
        "survey": survey, "results": results, "questions": questions,
        "recipients": recipients, "staff": staff, "public_url": public_url,
    }))
}

async fn survey_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<SurveyId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let data = detail_data(&st, &user, path.into_inner(), view.lang()).await?;
    Ok(view.render("survey", "survey-title", data))
}

/// The invitation form: residents listed one a line (or by comma), how
/// many printed codes, the interviewer; the residents ticked are `r_ID`
/// boxes, read from the form apart.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    resident_ids: String,
    count: String,
    interviewer_id: String,
}

/// The invitation form (`POST /surveys/{id}/invitations`). The codes are
/// shown on the answer page, once.
async fn survey_invite(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<SurveyId>,
    form: Form<InviteForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let Form { input, typed } = form;
    let f = input?;
    let mut resident_ids: Vec<String> = typed
        .iter()
        .filter(|(k, v)| k.starts_with("r_") && !v.is_empty())
        .map(|(k, _)| k[2..].to_string())
        .collect();
    resident_ids.sort();
    resident_ids.extend(
        (f.resident_ids.split(['\n', ',']))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    let count = match f.count.trim() {
        "" => Ok(None),
        c => cus_db::bounds::parse_int::<i64>(c)
            .map(Some)
            .map_err(|k| AppError::from(DomainError::field("count", k))),
    };
    let interviewer_id = Some(f.interviewer_id).filter(|i| !i.is_empty());
    let actor = user.actor.clone();
    let i2 = id.clone();
    let result = match count {
        Ok(count) => {
            let input = Invitations {
                resident_ids,
                count,
                interviewer_id,
            };
            st.tx(move |c| surveys::invite(c, &actor, &i2, input)).await
        }
        Err(e) => Err(e),
    };
    let view = View::new(&req, Some(&user));
    match result {
        Ok(invited) => {
            let mut data = detail_data(&st, &user, id, view.lang()).await?;
            data["invited"] = json!(invited);
            Ok(view.render("survey", "survey-title", data))
        }
        Err(e) => {
            let mut data = detail_data(&st, &user, id, view.lang()).await?;
            data["values"] = values(&typed);
            view.form_error(e, "survey", "survey-title", data)
        }
    }
}
