//! Open competitions: announcement, offers, the commission's formal checks
//! and scores, results; the public list and Atom feed.

use super::MunicipalityQuery;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use contracting::competitions::{CancelInput, CompetitionFilter, CompetitionInput};
use contracting::competitions::{CompetitionId, CompetitionStatus};
use contracting::evaluation::{
    CommissionInput, DeclarationInput, FormalInput, ResolveInput, ScoreInput,
};
use contracting::offers::{OfferId, OfferInput};
use contracting::{competitions, evaluation, offers, organizations};
use cus_db::bounds::Paging;
use cus_db::{Lifecycle, Role};
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use super::competition_forms::{
    CommissionForm, CompetitionForm, DeclarationForm, FormalForm, OfferForm, ScoreForm,
};
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::platform::templates;
use crate::web::api::{created, list, page};
use crate::web::extract::{
    ApiJson, ApiUser, Form, MaybeApiUser, MaybeJson, MaybePageUser, NoFields, PageUser,
};
use crate::web::view::{flash_of, pager_of, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_competition)
        .service(list_competitions)
        .service(public_competitions)
        .service(get_competition)
        .service(publish_competition)
        .service(cancel_competition)
        .service(submit_offer)
        .service(list_offers)
        .service(get_offer)
        .service(update_offer)
        .service(appoint_commission)
        .service(list_commission)
        .service(declare)
        .service(formal_check)
        .service(score_offer)
        .service(ranking)
        .service(resolve)
        .service(results);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/competitions/manage", get().to(manage_page))
        .route("/competitions/manage", post().to(competition_create))
        .route("/competitions/{id}/publish", post().to(competition_publish))
        .route("/competitions/{id}/cancel", post().to(competition_cancel))
        .route("/competitions/{id}/offers", post().to(offer_submit))
        .route(
            "/competitions/{id}/commission",
            post().to(competition_commission),
        )
        .route(
            "/competitions/{id}/declarations",
            post().to(competition_declare),
        )
        .route("/competitions/{id}/resolve", post().to(competition_resolve))
        .route("/offers/{id}", post().to(offer_update))
        .route("/offers/{id}/formal", post().to(offer_formal))
        .route("/offers/{id}/scores", post().to(offer_score))
        .route("/offers/{id}/document", get().to(offer_document))
        .route("/competitions", get().to(competitions_page))
        .route("/competitions.atom", get().to(competitions_atom))
        .route("/competitions/{id}", get().to(competition_page));
}

#[utoipa::path(request_body = CompetitionInput, responses((status = 201, body = competitions::Competition), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/competitions")]
async fn create_competition(
    st: Data,
    user: ApiUser,
    body: ApiJson<CompetitionInput>,
) -> AppResult<HttpResponse> {
    Ok(created(
        &st.tx(move |c| competitions::create(c, &user.0, body.0))
            .await?,
    ))
}

/// The municipality's competitions (drafts for the organizer), by status,
/// newest or by deadline, one page at a time.
#[utoipa::path(params(CompetitionFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<competitions::CompetitionRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/competitions")]
async fn list_competitions(
    st: Data,
    user: ApiUser,
    q: web::Query<CompetitionFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (q, p) = (q.into_inner(), p.into_inner());
    Ok(page(
        st.db(move |c| competitions::find(c, &user.0, &q, &p))
            .await?,
    ))
}

/// Published competitions, for anyone, one page at a time (also as Atom at
/// `/competitions.atom`).
#[utoipa::path(params(MunicipalityQuery, CompetitionFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<competitions::CompetitionRow>), (status = 422)))]
#[get("/public/competitions")]
async fn public_competitions(
    st: Data,
    m: web::Query<MunicipalityQuery>,
    q: web::Query<CompetitionFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (m, q, p) = (m.into_inner().municipality, q.into_inner(), p.into_inner());
    Ok(page(
        st.db(move |c| competitions::public_find(c, m.as_deref(), &q, &p))
            .await?,
    ))
}

#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = competitions::Competition), (status = 404)))]
#[get("/competitions/{id}")]
async fn get_competition(
    st: Data,
    user: MaybeApiUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.db(move |c| competitions::get(c, user.0.as_ref(), &id))
            .await?,
    ))
}

/// Publishes the announcement; a deadline under 21 days away answers 422.
#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = competitions::Competition), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/publish")]
async fn publish_competition(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let url = st.config.server.public_url.clone();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| competitions::publish(c, &user.0, &id, &url))
            .await?,
    ))
}

#[utoipa::path(params(("id" = CompetitionId, Path)), request_body = CancelInput, responses((status = 200, body = competitions::Competition), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/cancel")]
async fn cancel_competition(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
    body: ApiJson<CancelInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| competitions::cancel(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// An NGO's offer; after the deadline 409.
#[utoipa::path(params(("id" = CompetitionId, Path)), request_body = OfferInput, responses((status = 201, body = offers::Offer), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/offers")]
async fn submit_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
    body: ApiJson<OfferInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| offers::submit(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// All offers for the organizer and the commission; an NGO sees only its own.
#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = cus_db::openapi::Page<offers::Offer>), (status = 403)), security(("bearer" = [])))]
#[get("/competitions/{id}/offers")]
async fn list_offers(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(list(st.db(move |c| offers::list(c, &user.0, &id)).await?))
}

#[utoipa::path(params(("id" = OfferId, Path)), responses((status = 200, body = offers::Offer), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/offers/{id}")]
async fn get_offer(st: Data, user: ApiUser, path: web::Path<OfferId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| offers::get(c, &user.0, &id)).await?))
}

#[utoipa::path(params(("id" = OfferId, Path)), request_body = OfferInput, responses((status = 200, body = offers::Offer), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[put("/offers/{id}")]
async fn update_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<OfferId>,
    body: ApiJson<OfferInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| offers::update(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = CompetitionId, Path)), request_body = CommissionInput, responses((status = 200, body = cus_db::openapi::Page<evaluation::Member>), (status = 422), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/commission")]
async fn appoint_commission(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
    body: ApiJson<CommissionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(list(
        st.tx(move |c| evaluation::appoint(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = cus_db::openapi::Page<evaluation::Member>), (status = 403)), security(("bearer" = [])))]
#[get("/competitions/{id}/commission")]
async fn list_commission(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let members = st
        .db(move |c| evaluation::commission(c, &user.0, &id))
        .await?;
    Ok(list(members))
}

/// A commission member's declaration; no scoring before it.
#[utoipa::path(params(("id" = CompetitionId, Path)), request_body = DeclarationInput, responses((status = 201, body = evaluation::Member), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/declarations")]
async fn declare(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
    body: ApiJson<DeclarationInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| evaluation::declare(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = OfferId, Path)), request_body = FormalInput, responses((status = 200, body = offers::Offer), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/offers/{id}/formal")]
async fn formal_check(
    st: Data,
    user: ApiUser,
    path: web::Path<OfferId>,
    body: ApiJson<FormalInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| evaluation::formal(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = OfferId, Path)), request_body = ScoreInput, responses((status = 200), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/offers/{id}/scores")]
async fn score_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<OfferId>,
    body: ApiJson<ScoreInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let offer_id = id.clone();
    let score = st
        .tx(move |c| evaluation::score(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"offer_id": offer_id, "score": score})))
}

/// The current ranking, for the organizer and the commission.
#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = cus_db::openapi::Page<evaluation::RankedOffer>), (status = 403)), security(("bearer" = [])))]
#[get("/competitions/{id}/ranking")]
async fn ranking(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let items = st
        .db(move |c| evaluation::ranking_for(c, &user.0, &id))
        .await?;
    Ok(list(items))
}

#[utoipa::path(params(("id" = CompetitionId, Path)), request_body = ResolveInput, responses((status = 200, body = evaluation::Results), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/competitions/{id}/resolve")]
async fn resolve(
    st: Data,
    user: ApiUser,
    path: web::Path<CompetitionId>,
    body: MaybeJson<ResolveInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.0.unwrap_or_default();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| evaluation::resolve(c, &user.0, &id, input))
            .await?,
    ))
}

/// Results with averaged scores and awarded amounts, public once resolved.
#[utoipa::path(params(("id" = CompetitionId, Path)), responses((status = 200, body = evaluation::Results), (status = 404)))]
#[get("/competitions/{id}/results")]
async fn results(st: Data, path: web::Path<CompetitionId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| evaluation::results(c, &id)).await?))
}

/// The organizer's list (filtered, one page) and the new competition form's
/// choices.
async fn manage_data(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    filter: CompetitionFilter,
    paging: Paging,
) -> AppResult<Value> {
    user.actor.require(&[Role::Organizer])?;
    let actor = user.actor.clone();
    let shown = filter.clone();
    let ((list, total), services) = st
        .db(move |c| {
            Ok((
                competitions::find(c, &actor, &filter, &paging)?,
                super::program_services(c, &actor)?,
            ))
        })
        .await?;
    Ok(json!({
        "competitions": list, "total": total, "pager": pager_of(req, "/competitions/manage", &paging, total),
        "f": {"status": shown.status, "sort": shown.sort},
        "statuses": CompetitionStatus::ALL, "sorts": competitions::CompetitionSort::ALL,
        "financing": competitions::Financing::ALL, "program_services": services,
    }))
}

async fn manage_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<CompetitionFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = manage_data(&req, &st, &user, q.into_inner(), p.into_inner()).await?;
    data["values"] = json!({"criteria": "Możliwość realizacji zadania | 30 | 10\nKalkulacja kosztów | 30 | 10\nJakość i kwalifikacje | 40 | 10", "financing": "co_financing"});
    Ok(view.render("competitions_manage", "competitions-manage-title", data))
}

async fn competition_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<CompetitionForm>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            competitions::create(c, &actor, input.into())
        })
        .await;
    match result {
        Ok(c) => Ok(Flash::Saved.redirect(&format!("/competitions/{}", c.row.id))),
        Err(e) => {
            let mut data =
                manage_data(&req, &st, &user, Default::default(), Default::default()).await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "competitions_manage", "competitions-manage-title", data)
        }
    }
}

/// Everything the competition page shows to this user: the public
/// announcement and results, plus the organizer's, the NGO's or the
/// commission member's part.
pub async fn competition_data(
    st: &Data,
    user: Option<&PageUser>,
    id: CompetitionId,
) -> AppResult<Value> {
    let actor = user.map(|u| u.actor.clone());
    st.db(move |c| {
        let comp = competitions::get(c, actor.as_ref(), &id)?;
        let published = evaluation::results(c, &id).ok();
        let mut data = json!({"c": comp, "results": published});
        let Some(a) = actor else { return Ok(data) };
        if !a.sees_municipality(&comp.row.municipality) {
            return Ok(data);
        }
        let after = comp.row.status == CompetitionStatus::Published
            && comp.row.offer_deadline < cus_db::today();
        match a.role {
            Role::Organizer => {
                use cus_db::schema::users;
                use diesel::prelude::*;
                let candidates: Vec<(String, String)> = users::table
                    .filter(users::role.eq("commission"))
                    .filter(users::municipality.eq(&comp.row.municipality))
                    .select((users::id, users::display_name))
                    .order(users::display_name)
                    .load(c)?;
                data["organizer"] = json!({
                    "draft": comp.row.status == CompetitionStatus::Draft,
                    "open": !comp.row.status.is_final(),
                    "after_deadline": after,
                    "offers": offers::list(c, &a, &id)?,
                    "members": evaluation::members(c, &id)?,
                    "candidates": candidates.into_iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
                    "ranking": evaluation::ranking(c, &id)?,
                });
            }
            Role::Ngo => {
                let mine = offers::list(c, &a, &id)?.into_iter().next();
                data["ngo"] = json!({"open": comp.offers_open, "offer": mine, "categories": offers::CostCategory::ALL});
            }
            Role::Commission if offers::is_member(c, &a, &id)? => {
                let me = evaluation::members(c, &id)?.into_iter().find(|m| m.user_id == a.user_id);
                let declared = me.as_ref().is_some_and(|m| m.declared_at.is_some());
                let may_score = me.as_ref().is_some_and(|m| m.no_conflict == Some(true)) && after;
                let to_score: Vec<_> = if may_score {
                    offers::list(c, &a, &id)?.into_iter().filter(|o| o.row.status == offers::OfferStatus::FormalPassed).collect()
                } else {
                    vec![]
                };
                data["member"] = json!({"declared": declared, "me": me, "may_score": may_score, "offers": to_score});
            }
            _ => {}
        }
        Ok(data)
    })
    .await
}

/// The end of a competition page's form: back to the competition (`id`),
/// or its page again with the reasons beside the `failed` form.
async fn competition_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    id: CompetitionId,
    failed: &'static str,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let to = format!("/competitions/{id}");
    let data = competition_data(st, Some(user), id);
    RecordPage::new(to, "competition", "competition-title", data)
        .failed(failed)
        .settle(req, user, typed, result)
        .await
}

/// The competition an offer is for, where this user may see the offer
/// (404 otherwise).
async fn offer_competition(
    st: &Data,
    user: &PageUser,
    offer_id: OfferId,
) -> AppResult<CompetitionId> {
    let actor = user.actor.clone();
    st.db(move |c| offers::get(c, &actor, &offer_id).map(|o| o.row.competition_id))
        .await
}

/// `POST /competitions/{id}/publish`.
async fn competition_publish(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let public_url = st.config.server.public_url.clone();
    let result = st
        .tx(move |c| competitions::publish(c, &actor, &cid, &public_url))
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "publish", result).await
}

/// `POST /competitions/{id}/cancel`.
async fn competition_cancel(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<CancelInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            competitions::cancel(c, &actor, &cid, input)
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "cancel", result).await
}

/// An NGO's offer (`POST /competitions/{id}/offers`).
async fn offer_submit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<OfferForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, offer| {
            offers::submit(c, &actor, &cid, offer.into())
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "offer", result).await
}

/// The NGO revises its offer (`POST /offers/{id}`).
async fn offer_update(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<OfferId>,
    form: Form<OfferForm>,
) -> AppResult<HttpResponse> {
    let oid = path.into_inner();
    let id = offer_competition(&st, &user, oid.clone()).await?;
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, offer| {
            offers::update(c, &actor, &oid, offer.into())
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "offer", result).await
}

/// The organizer's formal check of an offer (`POST /offers/{id}/formal`).
async fn offer_formal(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<OfferId>,
    form: Form<FormalForm>,
) -> AppResult<HttpResponse> {
    let oid = path.into_inner();
    let id = offer_competition(&st, &user, oid.clone()).await?;
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            let input = FormalInput {
                passed: f.passed,
                note: f.note,
            };
            evaluation::formal(c, &actor, &oid, input)
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "formal", result).await
}

/// The commission (`POST /competitions/{id}/commission`).
async fn competition_commission(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<CommissionForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let user_ids = (f.checked.into_keys())
                .filter_map(|k| k.strip_prefix("member_").map(str::to_string))
                .collect();
            evaluation::appoint(c, &actor, &cid, CommissionInput { user_ids })
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "commission", result).await
}

/// A member's declaration (`POST /competitions/{id}/declarations`).
async fn competition_declare(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<DeclarationForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let input = DeclarationInput {
                no_conflict: f.no_conflict,
                statement: f.statement,
            };
            evaluation::declare(c, &actor, &cid, input)
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "declare", result).await
}

/// A member's scores of an offer (`POST /offers/{id}/scores`).
async fn offer_score(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<OfferId>,
    form: Form<ScoreForm>,
) -> AppResult<HttpResponse> {
    let oid = path.into_inner();
    let id = offer_competition(&st, &user, oid.clone()).await?;
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            evaluation::score(c, &actor, &oid, f.into())
        })
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "score", result).await
}

/// The results (`POST /competitions/{id}/resolve`).
async fn competition_resolve(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CompetitionId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, cid) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| evaluation::resolve(c, &actor, &cid, ResolveInput::default()))
        .await;
    competition_done(&req, &st, &user, &form.typed, id, "resolve", result).await
}

async fn offer_document(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<OfferId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let (offer, comp) = st
        .db(move |c| {
            let o = offers::get(c, &actor, &id)?;
            let comp = competitions::load(c, &o.row.competition_id)?;
            let org = organizations::load(c, &o.row.organization_id)?;
            Ok((json!({"o": o, "org": org}), comp))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "offer_document",
        "offer-document-title",
        json!({"d": offer, "c": comp, "printed": cus_db::today()}),
    ))
}

async fn competitions_page(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    m: web::Query<MunicipalityQuery>,
    q: web::Query<CompetitionFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (m, filter, paging) = (m.into_inner().municipality, q.into_inner(), p.into_inner());
    let (shown, municipality) = (filter.clone(), m.clone());
    let (items, total) = st
        .db(move |c| competitions::public_find(c, m.as_deref(), &filter, &paging))
        .await?;
    let view = View::new(&req, user.0.as_ref());
    Ok(view.render(
        "competitions",
        "competitions-title",
        json!({"competitions": items, "total": total, "pager": pager_of(&req, "/competitions", &paging, total),
               "f": {"status": shown.status, "sort": shown.sort, "municipality": municipality},
               "statuses": CompetitionStatus::ALL.iter().filter(|s| **s != CompetitionStatus::Draft).collect::<Vec<_>>(),
               "sorts": competitions::CompetitionSort::ALL, "today": cus_db::today()}),
    ))
}

async fn competition_page(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    path: web::Path<CompetitionId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, user.0.as_ref());
    let mut data = competition_data(&st, user.0.as_ref(), path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("competition", "competition-title", data))
}

/// Published competitions as an Atom feed, newest first.
async fn competitions_atom(st: Data) -> AppResult<HttpResponse> {
    let items = st
        .db(|c| contracting::competitions::public_list(c, None))
        .await?;
    let updated = items
        .iter()
        .filter_map(|c| c.published_at)
        .max()
        .map(|t| {
            t.and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_string());
    let entries: Vec<Value> = items
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "title": c.title,
                "summary": c.task,
                "deadline": c.offer_deadline,
                "funds": c.funds_grosze,
                "published": c.published_at.map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
        })
        .collect();
    let xml = templates::render(
        "competitions_atom",
        &json!({"lang": "pl", "base": st.config.server.public_url.trim_end_matches('/'), "updated": updated, "entries": entries}),
    )
    .map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(xml))
}
