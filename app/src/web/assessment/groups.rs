//! Benchmarking groups (GWD): the API over `crate::assessment::groups` and
//! the pages `/benchmark-groups` and `/benchmark-groups/{id}`.

use crate::assessment::groups::RoundStatus;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::assessment::groups::{
    self, Group, GroupId, MeetingInput, NewGroup, ProfileInput, Round, RoundId, RoundInput,
    ValueInput,
};
use crate::assessment::indicators;
use crate::platform::error::{translate_fields, AppError, AppResult};
use crate::platform::state::AppState;
use crate::platform::templates::format_number;
use crate::web::api::list;
use crate::web::contracting::forms::{Lines, List};
use crate::web::extract::{ApiJson, ApiUser, Form, NoFields, PageUser};
use crate::web::view::{flash_of, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_group)
        .service(list_groups)
        .service(get_group)
        .service(put_profile)
        .service(add_meeting)
        .service(open_round)
        .service(get_round)
        .service(submit_value)
        .service(close_round);
}

/// This part's pages.
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/benchmark-groups", get().to(groups_page))
        .route("/benchmark-groups", post().to(group_create))
        .route("/benchmark-groups/{id}", get().to(group_page))
        .route("/benchmark-groups/{id}/profile", post().to(profile_save))
        .route("/benchmark-groups/{id}/meetings", post().to(meeting_add))
        .route("/benchmark-groups/{id}/rounds", post().to(round_open))
        .route("/benchmark-rounds/{id}/values", post().to(values_submit))
        .route("/benchmark-rounds/{id}/stored", post().to(values_stored))
        .route("/benchmark-rounds/{id}/close", post().to(round_close));
}

/// Creates a group; the caller's municipality coordinates it and is a member.
#[utoipa::path(request_body = NewGroup, responses((status = 201, body = Group), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/benchmark-groups")]
async fn create_group(st: Data, user: ApiUser, body: ApiJson<NewGroup>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(st.tx(move |c| groups::create(c, &user.0, body.0)).await?))
}

/// The groups the caller's municipality belongs to.
#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<groups::GroupSummary>), (status = 403)), security(("bearer" = [])))]
#[get("/benchmark-groups")]
async fn list_groups(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| groups::list(c, &user.0)).await?))
}

/// A group with its members' profiles, meetings and rounds (members only).
#[utoipa::path(params(("id" = GroupId, Path)), responses((status = 200, body = Group), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/benchmark-groups/{id}")]
async fn get_group(st: Data, user: ApiUser, path: web::Path<GroupId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| groups::get(c, &user.0, &id)).await?))
}

/// The caller's municipality's context in the group (a member's organizer).
#[utoipa::path(params(("id" = GroupId, Path)), request_body = ProfileInput, responses((status = 200, body = Group), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[put("/benchmark-groups/{id}/profile")]
async fn put_profile(
    st: Data,
    user: ApiUser,
    path: web::Path<GroupId>,
    body: ApiJson<ProfileInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| groups::set_profile(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// The minutes of a meeting (the coordinator's organizer or the host's).
#[utoipa::path(params(("id" = GroupId, Path)), request_body = MeetingInput, responses((status = 201, body = groups::Meeting), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/benchmark-groups/{id}/meetings")]
async fn add_meeting(
    st: Data,
    user: ApiUser,
    path: web::Path<GroupId>,
    body: ApiJson<MeetingInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| groups::add_meeting(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// Opens a round of values for a period (the coordinator's organizer).
#[utoipa::path(params(("id" = GroupId, Path)), request_body = RoundInput, responses((status = 201, body = Round), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/benchmark-groups/{id}/rounds")]
async fn open_round(
    st: Data,
    user: ApiUser,
    path: web::Path<GroupId>,
    body: ApiJson<RoundInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| groups::open_round(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// A round: while open only the caller's own values; closed, the comparison.
#[utoipa::path(params(("id" = RoundId, Path)), responses((status = 200, body = Round), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/benchmark-rounds/{id}")]
async fn get_round(st: Data, user: ApiUser, path: web::Path<RoundId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| groups::get_round(c, &user.0, &id)).await?))
}

/// The caller's municipality's value of one indicator (upsert).
#[utoipa::path(params(("id" = RoundId, Path)), request_body = ValueInput, responses((status = 200, body = Round), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/benchmark-rounds/{id}/values")]
async fn submit_value(
    st: Data,
    user: ApiUser,
    path: web::Path<RoundId>,
    body: ApiJson<ValueInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| groups::submit_value(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// Closes the round (the coordinator's organizer); closing twice is 409.
#[utoipa::path(params(("id" = RoundId, Path)), responses((status = 200, body = Round), (status = 404), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/benchmark-rounds/{id}/close")]
async fn close_round(st: Data, user: ApiUser, path: web::Path<RoundId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.tx(move |c| groups::close_round(c, &user.0, &id)).await?))
}

// Pages.

/// The caller's groups and, for an organizer, what the create form offers.
async fn groups_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (list, all_municipalities, dictionary) = st
        .db(move |c| {
            let list = groups::list(c, &actor)?;
            let munis: Vec<(String, String)> = crate::platform::admin::municipalities(c)?
                .into_iter()
                .map(|m| (m.teryt, m.name))
                .collect();
            Ok((list, munis, indicators::all(c)?))
        })
        .await?;
    let home = user.actor.municipality.clone().unwrap_or_default();
    let others: Vec<Value> = all_municipalities
        .into_iter()
        .filter(|(t, _)| *t != home)
        .map(|(teryt, name)| json!({"teryt": teryt, "name": name}))
        .collect();
    Ok(json!({
        "groups": list,
        "municipalities": others,
        "dictionary": dictionary,
        "can_create": user.actor.role == Role::Organizer && user.actor.municipality.is_some(),
    }))
}

async fn groups_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = groups_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("benchmark_groups", "group-list-title", data))
}

/// The create form: members and indicators as checkboxes (`member-TERYT`,
/// `indicator-CODE`), the services separated by commas.
#[derive(Deserialize, Default)]
#[serde(default)]
struct GroupForm {
    name: String,
    services: List,
}

/// The values of the checkboxes named `prefix` + value, in form order.
fn checked(typed: &HashMap<String, String>, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = typed
        .keys()
        .filter_map(|k| k.strip_prefix(prefix))
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

async fn group_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<GroupForm>,
) -> AppResult<HttpResponse> {
    let members = checked(&form.typed, "member-");
    let codes = checked(&form.typed, "indicator-");
    let actor = user.actor.clone();
    let home = actor.municipality.clone().unwrap_or_default();
    let result = st
        .tx_input(form.input, move |c, f| {
            // The caller's own municipality is a member without ticking it.
            let members = if members.is_empty() {
                vec![home]
            } else {
                members
            };
            groups::create(
                c,
                &actor,
                NewGroup {
                    name: f.name,
                    members,
                    indicators: codes,
                    services: f.services.0,
                },
            )
        })
        .await;
    match result {
        Ok(g) => Ok(Flash::Saved.redirect(&format!("/benchmark-groups/{}", g.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = groups_data(&st, &user).await?;
            // What was ticked stays ticked.
            for (list, prefix, key) in [
                ("municipalities", "member-", "teryt"),
                ("dictionary", "indicator-", "code"),
            ] {
                if let Some(items) = data[list].as_array_mut() {
                    for item in items {
                        let name = format!("{prefix}{}", item[key].as_str().unwrap_or(""));
                        item["checked"] = json!(form.typed.contains_key(&name));
                    }
                }
            }
            data["values"] = values(&form.typed);
            view.form_error(e, "benchmark_groups", "group-list-title", data)
        }
    }
}

/// The group, its rounds as the caller sees them, and what the caller may do.
async fn group_data(st: &Data, user: &PageUser, lang: &str, id: GroupId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (group, rounds, dictionary) = st
        .db(move |c| {
            let g = groups::get(c, &actor, &id)?;
            let mut rounds = vec![];
            for r in &g.rounds {
                rounds.push(groups::get_round(c, &actor, &r.id)?);
            }
            Ok((g, rounds, indicators::all(c)?))
        })
        .await?;
    let a = &user.actor;
    let home = a.municipality.clone().unwrap_or_default();
    let organizer = a.role == Role::Organizer;
    let coordinates = organizer && home == group.coordinator;
    let names: BTreeMap<&str, (&str, &str)> = dictionary
        .iter()
        .map(|i| (i.code.as_str(), (i.name.as_str(), i.unit.as_str())))
        .collect();
    let head = |code: &str| {
        let (name, unit) = names.get(code).copied().unwrap_or((code, ""));
        json!({"code": code, "name": name, "unit": unit})
    };
    let group_indicators: Vec<Value> = group.indicators.iter().map(|c| head(c)).collect();
    let rounds: Vec<Value> = rounds
        .iter()
        .map(|r| {
            let rows: Vec<Value> = r
                .indicators
                .iter()
                .map(|c| {
                    let mut h = head(c);
                    h["submitted"] = json!(r.own.contains_key(c));
                    h["own"] = json!(r
                        .own
                        .get(c)
                        .copied()
                        .flatten()
                        .map(|v| format_number(v, lang)));
                    h
                })
                .collect();
            let comparison: Vec<Value> = (r.comparison.iter().flatten())
                .map(|cmp| {
                    let mut v = json!(cmp);
                    for (key, figure) in [
                        ("average", cmp.average),
                        ("median", cmp.median),
                        ("target", cmp.target),
                    ] {
                        v[key] = json!(figure.map(|f| format_number(f, lang)));
                    }
                    for (row, out) in cmp
                        .values
                        .iter()
                        .zip(v["values"].as_array_mut().into_iter().flatten())
                    {
                        out["value"] = json!(row.value.map(|f| format_number(f, lang)));
                    }
                    v
                })
                .collect();
            json!({
                "r": r,
                "open": r.status == RoundStatus::Open,
                "rows": rows,
                "comparison": comparison,
                "overdue": r.status == RoundStatus::Open && r.deadline < cus_db::today(),
                "submitted_count": r.submitted.len(),
            })
        })
        .collect();
    let own = group
        .members
        .iter()
        .find(|m| m.teryt == home)
        .map(|m| json!(m.profile));
    // The coordinator records any member's meeting; another member's
    // organizer only the meetings it hosts.
    let hosts: Vec<Value> = group
        .members
        .iter()
        .filter(|m| coordinates || m.teryt == home)
        .map(|m| json!({"teryt": m.teryt, "name": m.name}))
        .collect();
    let mut g = json!(group);
    let names: HashMap<&str, &str> = group
        .members
        .iter()
        .map(|m| (m.teryt.as_str(), m.name.as_str()))
        .collect();
    for (meeting, out) in group
        .meetings
        .iter()
        .zip(g["meetings"].as_array_mut().into_iter().flatten())
    {
        let present: Vec<&str> = (meeting.attendance.iter())
            .map(|t| names.get(t.as_str()).copied().unwrap_or(t))
            .collect();
        out["attendance_names"] = json!(present);
    }
    Ok(json!({
        "g": g,
        "group_indicators": group_indicators,
        "rounds": rounds,
        "own_profile": own,
        "home": home,
        "can_profile": organizer,
        "can_meet": organizer && !hosts.is_empty(),
        "hosts": hosts,
        "can_round": coordinates,
        "can_submit": organizer,
        "can_close": coordinates,
        "today": cus_db::today(),
    }))
}

async fn group_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<GroupId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = group_data(&st, &user, view.lang(), path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("benchmark_group", "group-title", data))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProfileForm {
    population: Option<String>,
    text: String,
}

async fn profile_save(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<GroupId>,
    form: Form<ProfileForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, gid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let population = match f.population.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(p) => Some(
                    cus_db::bounds::parse_int::<i64>(&p.replace([' ', '\u{a0}'], ""))
                        .map_err(|_| DomainError::field("population", "error-out-of-range"))?,
                ),
            };
            groups::set_profile(
                c,
                &actor,
                &gid,
                ProfileInput {
                    population,
                    text: f.text,
                },
            )
        })
        .await;
    group_form_page(&req, &st, &user, id, "profiles")
        .settle(&req, &user, &form.typed, result)
        .await
}

#[derive(Deserialize)]
struct MeetingForm {
    #[serde(deserialize_with = "cus_db::bounds::date")]
    date: chrono::NaiveDate,
    #[serde(default)]
    host: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    lead_topics: Lines,
    #[serde(default)]
    good_practices: Lines,
    #[serde(default)]
    decisions: String,
    #[serde(default)]
    next_host: Option<String>,
}

async fn meeting_add(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<GroupId>,
    form: Form<MeetingForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let attendance = checked(&form.typed, "att-");
    let (actor, gid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            groups::add_meeting(
                c,
                &actor,
                &gid,
                MeetingInput {
                    date: f.date,
                    host: f.host,
                    agenda: f.agenda,
                    lead_topics: f.lead_topics.0,
                    good_practices: f.good_practices.0,
                    decisions: f.decisions,
                    next_host: f.next_host,
                    attendance,
                },
            )
        })
        .await;
    group_form_page(&req, &st, &user, id, "meetings")
        .settle(&req, &user, &form.typed, result)
        .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoundForm {
    period: String,
    deadline: String,
}

async fn round_open(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<GroupId>,
    form: Form<RoundForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let chosen = checked(&form.typed, "ri-");
    let (actor, gid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let deadline = cus_db::bounds::parse_date(&f.deadline)
                .map_err(|_| DomainError::field("deadline", "error-type"))?;
            groups::open_round(
                c,
                &actor,
                &gid,
                RoundInput {
                    period: f.period,
                    deadline,
                    indicators: (!chosen.is_empty()).then_some(chosen),
                },
            )
        })
        .await;
    group_form_page(&req, &st, &user, id, "rounds")
        .settle(&req, &user, &form.typed, result)
        .await
}

/// A decimal typed on a page: comma or dot, spaces allowed.
fn page_number(text: &str) -> Option<f64> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect::<String>()
        .replace(',', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The values form of a round: a `value-CODE` field and a `none-CODE` box
/// for each of its indicators (the field names carry the codes), read from
/// the form apart.
#[derive(Deserialize)]
struct RoundValuesForm {}

/// The values typed (`POST /benchmark-rounds/{id}/values`): a blank field
/// is not sent, a ticked `none-CODE` box says "no data".
async fn values_submit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RoundId>,
    form: Form<RoundValuesForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let typed = form.typed.clone();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result: AppResult<GroupId> = st
        .tx(move |c| {
            let round = groups::get_round(c, &actor, &rid)?;
            let mut fields = cus_db::FieldErrors::new();
            for code in &round.indicators {
                let field = format!("value-{code}");
                let value = if typed.contains_key(&format!("none-{code}")) {
                    Some(None)
                } else {
                    match typed
                        .get(&field)
                        .map(|v| v.trim())
                        .filter(|v| !v.is_empty())
                    {
                        None => continue,
                        Some(text) => match page_number(text) {
                            Some(v) => Some(Some(v)),
                            None => {
                                fields.insert(field, vec!["error-type".into()]);
                                continue;
                            }
                        },
                    }
                };
                let input = ValueInput {
                    indicator: code.clone(),
                    value,
                };
                match groups::submit_value(c, &actor, &rid, input) {
                    Ok(_) => {}
                    Err(DomainError::Invalid(f)) => {
                        for (_, keys) in f {
                            fields.entry(field.clone()).or_default().extend(keys);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            if fields.is_empty() {
                Ok(round.group_id)
            } else {
                Err(DomainError::Invalid(fields))
            }
        })
        .await;
    finish_round_form(&req, &st, &user, &form.typed, &id, result).await
}

/// The stored results instead of typed values (`POST
/// /benchmark-rounds/{id}/stored`, the values form's other button).
async fn values_stored(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RoundId>,
    form: Form<RoundValuesForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| {
            let round = groups::get_round(c, &actor, &rid)?;
            groups::submit_stored(c, &actor, &rid)?;
            Ok(round.group_id)
        })
        .await;
    finish_round_form(&req, &st, &user, &form.typed, &id, result).await
}

async fn round_close(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RoundId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| groups::close_round(c, &actor, &rid).map(|r| r.group_id))
        .await;
    finish_round_form(&req, &st, &user, &form.typed, &id, result).await
}

/// After a round's form: back to its group, or the group's page again with
/// the reasons.
async fn finish_round_form(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    round: &RoundId,
    result: AppResult<GroupId>,
) -> AppResult<HttpResponse> {
    match result {
        Ok(group) => Ok(Flash::Saved.redirect(&format!("/benchmark-groups/{group}#round-{round}"))),
        Err(e) => {
            // The round's group, to show the page again (404 when the
            // caller may not see it).
            let (actor, rid) = (user.actor.clone(), round.clone());
            let group = st
                .db(move |c| groups::get_round(c, &actor, &rid).map(|r| r.group_id))
                .await?;
            if !matches!(
                &e,
                AppError::Domain(DomainError::Invalid(_) | DomainError::Conflict(_))
            ) {
                return Err(e);
            }
            let view = View::new(req, Some(user));
            let mut data = group_data(st, user, view.lang(), group).await?;
            data["values"] = values(typed);
            // Each indicator's reasons beside its field.
            if let AppError::Domain(DomainError::Invalid(fields)) = &e {
                let reasons = translate_fields(fields, view.lang());
                for r in data["rounds"].as_array_mut().into_iter().flatten() {
                    if r["r"]["id"] != json!(round) {
                        continue;
                    }
                    for row in r["rows"].as_array_mut().into_iter().flatten() {
                        let field = format!("value-{}", row["code"].as_str().unwrap_or(""));
                        if let Some(why) = reasons.get(&field) {
                            row["errors"] = json!(why);
                        }
                        row["typed"] = json!(typed.get(&field));
                    }
                }
            }
            view.form_error(e, "benchmark_group", "group-title", data)
        }
    }
}

/// The group's page a form of its part `part` ends on.
fn group_form_page<'a>(
    req: &HttpRequest,
    st: &'a Data,
    user: &'a PageUser,
    id: GroupId,
    part: &str,
) -> RecordPage<impl std::future::Future<Output = AppResult<Value>> + 'a> {
    let to = format!("/benchmark-groups/{id}#{part}");
    let data = group_data(st, user, view_lang(req), id);
    RecordPage::new(to, "benchmark_group", "group-title", data)
}

fn view_lang(req: &HttpRequest) -> &'static str {
    crate::platform::i18n::page_lang(req)
}
