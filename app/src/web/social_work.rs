//! Social work: households, referrals, social contracts, caseload and
//! districts; API and pages (API.md "Social work").

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cus_db::bounds::Paging;
use cus_db::{DomainError, Lifecycle, Role};
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::social_work::caseload::{self, DistrictInput};
use crate::social_work::contracts::{
    self, CommitmentInput, CommitmentUpdate, ContractFilter, ContractStatus, ContractTransition,
    NewContract,
};
use crate::social_work::households::{self, HouseholdInput, MemberInput, Relation};
use crate::social_work::referrals::{
    self, ReferralFilter, ReferralOutcome, ReferralStatus, ReferralTransition,
};
use crate::social_work::{ContractId, DistrictId, HouseholdId, ReferralId};
use crate::web::api::{created, list, page};
use crate::web::extract::{ApiJson, ApiUser, Form, MaybePageUser, PageUser};
use crate::web::view::{flash_of, pager_of, query_map, values, Flash, RecordPage, View};
use crate::window::ResidentId;

type Data = web::Data<AppState>;

pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_household_api)
        .service(get_household_api)
        .service(replace_members_api)
        .service(referrals_api)
        .service(referral_api)
        .service(referral_transition_api)
        .service(contracts_api)
        .service(create_contract_api)
        .service(contract_api)
        .service(commitment_api)
        .service(contract_transition_api)
        .service(caseload_api)
        .service(districts_api)
        .service(create_district_api)
        .service(update_district_api);
}

pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/households/new", get().to(household_form))
        .route("/households", post().to(household_create))
        .route("/households/{id}", get().to(household_page))
        .route("/households/{id}/members", post().to(household_members))
        .route("/referrals", get().to(referrals_page))
        .route("/referrals/{id}", get().to(referral_page))
        .route("/referrals/{id}/transition", post().to(referral_move))
        .route("/social-contracts", get().to(contracts_page))
        .route("/social-contracts", post().to(contract_create))
        .route("/social-contracts/new", get().to(contract_form))
        .route("/social-contracts/{id}", get().to(contract_page))
        .route(
            "/social-contracts/{id}/document",
            get().to(contract_document),
        )
        .route(
            "/social-contracts/{id}/commitments/{n}",
            post().to(commitment_tick),
        )
        .route(
            "/social-contracts/{id}/transition",
            post().to(contract_move),
        )
        .route("/caseload", get().to(caseload_page))
        .route("/districts", post().to(district_create))
        .route("/districts/{id}", post().to(district_update));
}

// --- API ----------------------------------------------------------------------

/// Records who lives together: exactly one `head`; a resident already in
/// another household → 409.
#[utoipa::path(request_body = HouseholdInput, responses((status = 201, body = households::Household), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/households")]
async fn create_household_api(
    st: Data,
    user: ApiUser,
    body: ApiJson<HouseholdInput>,
) -> AppResult<HttpResponse> {
    let h = st
        .tx(move |c| households::create_household(c, &user.0, body.0))
        .await?;
    Ok(created(&h))
}

#[utoipa::path(params(("id" = HouseholdId, Path)), responses((status = 200, body = households::Household), (status = 404)), security(("bearer" = [])))]
#[get("/households/{id}")]
async fn get_household_api(
    st: Data,
    user: ApiUser,
    path: web::Path<HouseholdId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let h = st
        .audited(move |c| households::get_household(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Replaces the members under the same rules as recording the household.
#[utoipa::path(params(("id" = HouseholdId, Path)), request_body = HouseholdInput, responses((status = 200, body = households::Household), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[put("/households/{id}/members")]
async fn replace_members_api(
    st: Data,
    user: ApiUser,
    path: web::Path<HouseholdId>,
    body: ApiJson<HouseholdInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let h = st
        .tx(move |c| households::replace_members(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(h))
}

/// The municipality's referrals, newest first.
#[utoipa::path(params(ReferralFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<referrals::ReferralRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/referrals")]
async fn referrals_api(
    st: Data,
    user: ApiUser,
    q: web::Query<ReferralFilter>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (filter, paging) = (q.into_inner(), paging.into_inner());
    let rows = st
        .db(move |c| referrals::list_referrals(c, &user.0, &filter, &paging))
        .await?;
    Ok(page(rows))
}

#[utoipa::path(params(("id" = ReferralId, Path)), responses((status = 200, body = referrals::ReferralView), (status = 404)), security(("bearer" = [])))]
#[get("/referrals/{id}")]
async fn referral_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ReferralId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| referrals::get_referral(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Accept (the case moves to the worker), decline with a reason, or mark
/// done with an outcome and whether the service was delivered.
#[utoipa::path(params(("id" = ReferralId, Path)), request_body = ReferralTransition, responses((status = 200, body = referrals::ReferralView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/referrals/{id}/transition")]
async fn referral_transition_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ReferralId>,
    body: ApiJson<ReferralTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .tx(move |c| referrals::transition(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(params(ContractFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<contracts::ContractRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/social-contracts")]
async fn contracts_api(
    st: Data,
    user: ApiUser,
    q: web::Query<ContractFilter>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (filter, paging) = (q.into_inner(), paging.into_inner());
    let rows = st
        .db(move |c| contracts::list_contracts(c, &user.0, &filter, &paging))
        .await?;
    Ok(page(rows))
}

#[utoipa::path(request_body = NewContract, responses((status = 201, body = contracts::ContractView), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/social-contracts")]
async fn create_contract_api(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewContract>,
) -> AppResult<HttpResponse> {
    let c = st
        .tx(move |c| contracts::create_contract(c, &user.0, body.0))
        .await?;
    Ok(created(&c))
}

#[utoipa::path(params(("id" = ContractId, Path)), responses((status = 200, body = contracts::ContractView), (status = 404)), security(("bearer" = [])))]
#[get("/social-contracts/{id}")]
async fn contract_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ContractId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let today = crate::dashboard::today();
    let c = st
        .audited(move |c| contracts::get_contract(c, &user.0, &id, today))
        .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Ticks commitment `n` (the client's from 0, then the worker's) off, or back.
#[utoipa::path(params(("id" = ContractId, Path), ("n" = i64, Path)), request_body = CommitmentUpdate, responses((status = 200, body = contracts::ContractView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/social-contracts/{id}/commitments/{n}")]
async fn commitment_api(
    st: Data,
    user: ApiUser,
    path: web::Path<(ContractId, i64)>,
    body: ApiJson<CommitmentUpdate>,
) -> AppResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let c = st
        .tx(move |c| contracts::tick(c, &user.0, &id, n, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(c))
}

#[utoipa::path(params(("id" = ContractId, Path)), request_body = ContractTransition, responses((status = 200, body = contracts::ContractView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/social-contracts/{id}/transition")]
async fn contract_transition_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ContractId>,
    body: ApiJson<ContractTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let today = crate::dashboard::today();
    let c = st
        .tx(move |c| contracts::transition(c, &user.0, &id, body.0, today))
        .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Every active social worker with their households and residents against
/// the norm (`[rules] households_per_worker`).
#[utoipa::path(responses((status = 200, description = "`{items: [{user_id, name, households, residents, over_norm, districts}], total, norm}`"), (status = 403)), security(("bearer" = [])))]
#[get("/caseload")]
async fn caseload_api(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let norm = st.config.rules.households_per_worker;
    let today = crate::dashboard::today();
    let rows = st
        .db(move |c| caseload::caseload(c, &user.0, norm, today))
        .await?;
    let total = rows.len();
    Ok(HttpResponse::Ok().json(json!({"items": rows, "total": total, "norm": norm})))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<caseload::District>), (status = 403)), security(("bearer" = [])))]
#[get("/districts")]
async fn districts_api(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let rows = st.db(move |c| caseload::list_districts(c, &user.0)).await?;
    Ok(list(rows))
}

#[utoipa::path(request_body = DistrictInput, responses((status = 201, body = caseload::District), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/districts")]
async fn create_district_api(
    st: Data,
    user: ApiUser,
    body: ApiJson<DistrictInput>,
) -> AppResult<HttpResponse> {
    let d = st
        .tx(move |c| caseload::create_district(c, &user.0, body.0))
        .await?;
    Ok(created(&d))
}

#[utoipa::path(params(("id" = DistrictId, Path)), request_body = DistrictInput, responses((status = 200, body = caseload::District), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[put("/districts/{id}")]
async fn update_district_api(
    st: Data,
    user: ApiUser,
    path: web::Path<DistrictId>,
    body: ApiJson<DistrictInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let d = st
        .tx(move |c| caseload::update_district(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

// --- Pages: households --------------------------------------------------------

/// Rows of member fields a household form offers.
const MEMBER_ROWS: usize = 8;

/// The household form's rows: `member_N` (a PESEL or a resident's id) and
/// `relation_N`; blank rows are skipped. A PESEL is looked up in the
/// municipality; what names no one is left for the service to refuse.
fn household_input(
    conn: &mut cus_db::DbConn,
    actor: &cus_db::Actor,
    typed: &HashMap<String, String>,
) -> cus_db::DomainResult<HouseholdInput> {
    let mut members = Vec::new();
    for i in 0..MEMBER_ROWS {
        let who = typed
            .get(&format!("member_{i}"))
            .map(|s| s.trim())
            .unwrap_or("");
        if who.is_empty() {
            continue;
        }
        let resident_id = crate::window::resident_by_pesel(conn, actor, who)?
            .map_or_else(|| who.to_string(), |r| r.to_string());
        members.push(MemberInput {
            resident_id,
            relation: typed
                .get(&format!("relation_{i}"))
                .cloned()
                .unwrap_or_default(),
        });
    }
    Ok(HouseholdInput {
        members,
        district_id: typed.get("district_id").cloned(),
    })
}

async fn household_form_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    user.actor.require(households::WRITING)?;
    let actor = user.actor.clone();
    let districts = st.db(move |c| caseload::list_districts(c, &actor)).await?;
    Ok(json!({"districts": districts, "relations": Relation::ALL,
              "rows": (0..MEMBER_ROWS).collect::<Vec<_>>()}))
}

async fn household_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let mut data = household_form_data(&st, &user).await?;
    // The resident the form was opened from heads the household unless changed.
    if let Some(r) = query_map(&req).get("resident_id") {
        data["values"] = json!({"member_0": r, "relation_0": "head"});
    }
    let view = View::new(&req, Some(&user));
    Ok(view.render("household_new", "household-new-title", data))
}

async fn household_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let typed = form.typed.clone();
    let result = st
        .tx(move |c| {
            let input = household_input(c, &actor, &typed)?;
            households::create_household(c, &actor, input)
        })
        .await;
    match result {
        Ok(h) => Ok(Flash::Saved.redirect(&format!("/households/{}", h.id))),
        Err(e) => {
            let mut data = household_form_data(&st, &user).await?;
            data["values"] = values(&form.typed);
            View::new(&req, Some(&user)).form_error(e, "household_new", "household-new-title", data)
        }
    }
}

async fn household_data(st: &Data, user: &PageUser, id: HouseholdId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let h = st
        .audited(move |c| households::get_household(c, &actor, &id))
        .await?;
    let mut data = json!({"h": h, "can_edit": households::can_write(&user.actor)});
    if households::can_write(&user.actor) {
        let form = household_form_data(st, user).await?;
        data["districts"] = form["districts"].clone();
        data["relations"] = form["relations"].clone();
        data["rows"] = form["rows"].clone();
        // The form starts from the members as they are.
        let mut current = serde_json::Map::new();
        for (i, m) in h.members.iter().enumerate() {
            current.insert(format!("member_{i}"), json!(m.resident_id));
            current.insert(format!("relation_{i}"), json!(m.relation));
        }
        current.insert("district_id".into(), json!(h.district_id));
        data["values"] = Value::Object(current);
    }
    Ok(data)
}

async fn household_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<HouseholdId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = household_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("household", "household-title", data))
}

async fn household_members(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<HouseholdId>,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, hid, typed) = (user.actor.clone(), id.clone(), form.typed.clone());
    let result = st
        .tx(move |c| {
            let input = household_input(c, &actor, &typed)?;
            households::replace_members(c, &actor, &hid, input)
        })
        .await;
    let to = format!("/households/{id}");
    RecordPage::new(
        to,
        "household",
        "household-title",
        household_data(&st, &user, id),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}

// --- Pages: referrals ---------------------------------------------------------

async fn referrals_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<ReferralFilter>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (filter, paging) = (q.into_inner(), paging.into_inner());
    let (shown, p) = (filter.clone(), paging);
    let actor = user.actor.clone();
    let (items, total) = st
        .db(move |c| referrals::list_referrals(c, &actor, &filter, &paging))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "referrals",
        "referrals-title",
        json!({"items": items, "total": total, "pager": pager_of(&req, "/referrals", &p, total),
               "f": {"status": shown.status, "mine": shown.mine.unwrap_or(false)},
               "statuses": ReferralStatus::ALL}),
    ))
}

async fn referral_data(st: &Data, user: &PageUser, id: ReferralId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let r = st
        .audited(move |c| referrals::get_referral(c, &actor, &id))
        .await?;
    let worker = user.actor.role == Role::SocialWorker;
    let can = |to| worker && ReferralStatus::can_move(r.referral.status, to);
    Ok(json!({"r": r,
              "can_accept": can(ReferralStatus::Accepted),
              "can_decline": can(ReferralStatus::Declined),
              "can_finish": can(ReferralStatus::Done),
              "outcomes": ReferralOutcome::ALL}))
}

async fn referral_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ReferralId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = referral_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("referral", "referral-title", data))
}

/// The referral's forms: accept (no fields), decline (a reason), done (an
/// outcome, delivered yes/no, a reason).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralForm {
    to: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    delivered: Option<String>,
}

async fn referral_move(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ReferralId>,
    form: Form<ReferralForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let failed = match form.typed.get("to").map(String::as_str) {
        Some("declined") => "decline",
        Some("done") => "done",
        _ => "accept",
    };
    let input = form.input.map(|f| ReferralTransition {
        to: f.to,
        reason: f.reason,
        outcome: f.outcome.filter(|o| !o.is_empty()),
        delivered: match f.delivered.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
    });
    let result = st
        .tx_input(input, move |c, input| {
            referrals::transition(c, &actor, &rid, input)
        })
        .await;
    let to = format!("/referrals/{id}");
    RecordPage::new(
        to,
        "referral",
        "referral-title",
        referral_data(&st, &user, id),
    )
    .failed(failed)
    .settle(&req, &user, &form.typed, result)
    .await
}

// --- Pages: social contracts --------------------------------------------------

async fn contracts_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<ContractFilter>,
    paging: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (filter, paging) = (q.into_inner(), paging.into_inner());
    let (shown, p) = (filter.clone(), paging);
    let actor = user.actor.clone();
    let (items, total) = st
        .db(move |c| contracts::list_contracts(c, &actor, &filter, &paging))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "contracts",
        "contracts-title",
        json!({"items": items, "total": total,
               "pager": pager_of(&req, "/social-contracts", &p, total),
               "f": {"status": shown.status, "mine": shown.mine.unwrap_or(false)},
               "statuses": ContractStatus::ALL}),
    ))
}

/// Rows of commitments of each party a contract form offers.
const COMMITMENT_ROWS: usize = 5;

async fn contract_form_data(
    st: &Data,
    user: &PageUser,
    resident: Option<String>,
) -> AppResult<Value> {
    user.actor.require(&[Role::SocialWorker])?;
    let actor = user.actor.clone();
    let resident = match resident.as_deref().and_then(ResidentId::parse) {
        Some(id) => Some(
            st.audited(move |c| crate::window::get_resident(c, &actor, &id))
                .await?,
        ),
        None => None,
    };
    Ok(json!({"resident": resident, "rows": (0..COMMITMENT_ROWS).collect::<Vec<_>>()}))
}

async fn contract_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let resident = query_map(&req).get("resident_id").cloned();
    let mut data = contract_form_data(&st, &user, resident.clone()).await?;
    let today = crate::dashboard::today();
    data["values"] = json!({"resident_id": resident, "start_date": today,
                            "end_date": today + chrono::Months::new(6)});
    let view = View::new(&req, Some(&user));
    Ok(view.render("contract_new", "contract-new-title", data))
}

/// The contract form: goals one per line, rows of commitments
/// (`client_text_N`, `client_due_N`, and the worker's); blank rows are
/// skipped, and a date that is no date is refused naming its list.
fn contract_input(typed: &HashMap<String, String>) -> Result<NewContract, DomainError> {
    let text = |k: &str| {
        typed
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut check = cus_db::error::Check::new();
    let mut date = |field: &str, k: &str| match cus_db::bounds::parse_date(&text(k)) {
        Ok(d) => Some(d),
        Err(reason) => {
            check.fail(field, reason);
            None
        }
    };
    let start = date("start_date", "start_date");
    let end = date("end_date", "end_date");
    let mut rows = |party: &str| -> Vec<CommitmentInput> {
        let field = format!("{party}_commitments");
        (0..COMMITMENT_ROWS)
            .filter_map(|i| {
                let t = text(&format!("{party}_text_{i}"));
                if t.is_empty() {
                    return None;
                }
                date(&field, &format!("{party}_due_{i}"))
                    .map(|due| CommitmentInput { text: t, due })
            })
            .collect()
    };
    let client = rows("client");
    let worker = rows("worker");
    check.finish()?;
    Ok(NewContract {
        resident_id: text("resident_id"),
        goals: text("goals").lines().map(str::to_string).collect(),
        client_commitments: client,
        worker_commitments: worker,
        start_date: start.expect("checked above"),
        end_date: end.expect("checked above"),
    })
}

async fn contract_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let typed = form.typed.clone();
    let result = st
        .tx(move |c| {
            let input = contract_input(&typed)?;
            contracts::create_contract(c, &actor, input)
        })
        .await;
    match result {
        Ok(c) => Ok(Flash::Saved.redirect(&format!("/social-contracts/{}", c.contract.id))),
        Err(e) => {
            let resident = form.typed.get("resident_id").cloned();
            let mut data = contract_form_data(&st, &user, resident).await?;
            data["values"] = values(&form.typed);
            View::new(&req, Some(&user)).form_error(e, "contract_new", "contract-new-title", data)
        }
    }
}

async fn contract_data(st: &Data, user: &PageUser, id: ContractId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let today = crate::dashboard::today();
    let c = st
        .audited(move |c| contracts::get_contract(c, &actor, &id, today))
        .await?;
    let active = c.contract.status == ContractStatus::Active;
    Ok(
        json!({"c": c, "can_edit": contracts::can_write(&user.actor) && active,
              "endings": [ContractStatus::Completed, ContractStatus::Broken, ContractStatus::Cancelled]}),
    )
}

async fn contract_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ContractId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = contract_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("contract", "contract-title", data))
}

/// A commitment's form: a checkbox (absent when unticked) and a note.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TickForm {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    note: String,
}

async fn commitment_tick(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<(ContractId, i64)>,
    form: Form<TickForm>,
) -> AppResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let input = form.input.map(|f| CommitmentUpdate {
        done: f.done.is_some_and(|d| d == "true" || d == "on"),
        note: f.note,
    });
    let result = st
        .tx_input(input, move |c, input| {
            contracts::tick(c, &actor, &cid, n, input)
        })
        .await;
    let to = format!("/social-contracts/{id}#commitment-{n}");
    RecordPage::new(
        to,
        "contract",
        "contract-title",
        contract_data(&st, &user, id),
    )
    .failed("commitment")
    .settle(&req, &user, &form.typed, result)
    .await
}

async fn contract_move(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ContractId>,
    form: Form<ContractTransition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let today = crate::dashboard::today();
    let result = st
        .tx_input(form.input, move |c, input| {
            contracts::transition(c, &actor, &cid, input, today)
        })
        .await;
    let to = format!("/social-contracts/{id}");
    RecordPage::new(
        to,
        "contract",
        "contract-title",
        contract_data(&st, &user, id),
    )
    .failed("end")
    .settle(&req, &user, &form.typed, result)
    .await
}

/// The contract as a document to print and sign, like the plan's.
async fn contract_document(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    path: web::Path<ContractId>,
) -> AppResult<HttpResponse> {
    let user = user.0.ok_or(DomainError::Unauthorized)?;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let today = crate::dashboard::today();
    let c = st
        .audited(move |c| {
            let view = contracts::get_contract(c, &actor, &id, today)?;
            let municipality = crate::window::municipality_name(c, &view.contract.municipality)?;
            Ok((view, municipality))
        })
        .await?;
    let view = View::new(&req, None);
    Ok(view.render(
        "contract_document",
        "contract-title",
        json!({"c": c.0, "municipality_name": c.1, "printed": today}),
    ))
}

// --- Pages: caseload and districts --------------------------------------------

async fn caseload_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let norm = st.config.rules.households_per_worker;
    let today = crate::dashboard::today();
    let (rows, districts, workers) = st
        .db(move |c| {
            let rows = caseload::caseload(c, &actor, norm, today)?;
            let districts = caseload::list_districts(c, &actor)?;
            let workers = caseload::social_workers(c, actor.home()?)?;
            Ok((rows, districts, workers))
        })
        .await?;
    let workers: Vec<Value> = workers
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    let districts: Vec<Value> = districts
        .into_iter()
        .map(|d| {
            let chosen: Vec<Value> = workers
                .iter()
                .map(|w| {
                    let on = d
                        .social_worker_ids
                        .iter()
                        .any(|id| Some(id.as_str()) == w["id"].as_str());
                    json!({"id": w["id"], "name": w["name"], "on": on})
                })
                .collect();
            json!({"d": d, "workers": chosen})
        })
        .collect();
    Ok(json!({"rows": rows, "norm": norm, "districts": districts, "workers": workers}))
}

async fn caseload_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = caseload_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("caseload", "caseload-title", data))
}

/// A district's form: its name and a checkbox per social worker
/// (`worker_ID`).
fn district_input(typed: &HashMap<String, String>) -> DistrictInput {
    // Each checkbox's value is the worker's place in the list.
    let mut workers: Vec<(i64, String)> = typed
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("worker_")?;
            Some((v.parse().unwrap_or(i64::MAX), id.to_string()))
        })
        .collect();
    workers.sort();
    DistrictInput {
        name: typed.get("name").cloned().unwrap_or_default(),
        social_worker_ids: workers.into_iter().map(|(_, id)| id).collect(),
    }
}

async fn district_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let input = district_input(&form.typed);
    let result = st
        .tx(move |c| caseload::create_district(c, &actor, input))
        .await;
    RecordPage::new(
        "/caseload".into(),
        "caseload",
        "caseload-title",
        caseload_data(&st, &user),
    )
    .failed("district")
    .settle(&req, &user, &form.typed, result)
    .await
}

async fn district_update(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<DistrictId>,
    form: Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let input = district_input(&form.typed);
    let result = st
        .tx(move |c| caseload::update_district(c, &actor, &id, input))
        .await;
    RecordPage::new(
        "/caseload".into(),
        "caseload",
        "caseload-title",
        caseload_data(&st, &user),
    )
    .failed("district")
    .settle(&req, &user, &form.typed, result)
    .await
}
