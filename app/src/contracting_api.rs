//! The contracting routes of `/api/v1`: thin handlers over the
//! `contracting` crate (organizations, programs, competitions, offers,
//! evaluation, agreements, OCDS).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use contracting::agreements::{self, AgreementInput, AnnexInput, ReportInput, TerminateInput};
use contracting::competitions::{self, CancelInput, CompetitionInput};
use contracting::evaluation::{
    self, CommissionInput, DeclarationInput, FormalInput, ResolveInput, ScoreInput,
};
use contracting::offers::{self, OfferInput};
use contracting::organizations::{self, OrganizationInput};
use contracting::programs::{self, CommentInput, ProgramInput, ProgramTransition};
use cus_db::{audit::audit_in, DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{self, NewUser};
use crate::error::AppResult;
use crate::state::{parse_json, ApiJson, ApiUser, AppState, MaybeApiUser};

type Data = web::Data<AppState>;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(update_organization)
        .service(add_organization_user)
        .service(create_program)
        .service(list_programs)
        .service(get_program)
        .service(comment_program)
        .service(transition_program)
        .service(program_report)
        .service(create_competition)
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
        .service(results)
        .service(create_agreement)
        .service(list_agreements)
        .service(get_agreement)
        .service(file_report)
        .service(add_annex)
        .service(terminate_agreement)
        .service(ocds_releases);
}

fn list<T: serde::Serialize>(items: Vec<T>) -> HttpResponse {
    let total = items.len();
    HttpResponse::Ok().json(json!({"items": items, "total": total}))
}

fn created<T: serde::Serialize>(v: &T) -> HttpResponse {
    HttpResponse::Created().json(v)
}

// ---------------------------------------------------------------- organizations

/// Registers an organization. Anyone may (self-registration: add
/// `municipality`, `password` and optionally `contact_name`; the account's
/// email is the organization's, confirmed by mail; the answer is 202
/// `{email_confirmation: "sent"}` whether or not that email has an account);
/// an organizer registers one in their municipality (201 with the record).
#[utoipa::path(request_body = OrganizationInput, responses((status = 201, body = organizations::Organization), (status = 202), (status = 422)))]
#[post("/organizations")]
async fn register_organization(
    st: Data,
    req: HttpRequest,
    user: MaybeApiUser,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    crate::state::require_json(&req)?;
    let mut value: Value = parse_json(&body)?;
    let obj = value
        .as_object_mut()
        .ok_or_else(|| DomainError::field("body", "error-type"))?;
    let take = |o: &mut serde_json::Map<String, Value>, k: &str| {
        o.remove(k).and_then(|v| v.as_str().map(str::to_string))
    };
    let municipality = take(obj, "municipality");
    let password = take(obj, "password");
    let contact = take(obj, "contact_name");
    let input: OrganizationInput = parse_json(&serde_json::to_vec(&value).unwrap_or_default())?;
    let lang = crate::i18n::api_lang(&req);
    let public_url = st.config.server.public_url.clone();
    let org = match user.0 {
        Some(actor) if actor.role == Role::Organizer => {
            st.tx(move |c| {
                let m = actor.home()?.to_string();
                let org = organizations::create(c, &m, &input)?;
                audit_in(
                    c,
                    &actor,
                    &m,
                    "organization.create",
                    "organization",
                    &org.id,
                )?;
                Ok(org)
            })
            .await?
        }
        Some(_) => return Err(DomainError::Forbidden.into()),
        None => {
            let registration = SelfRegistration {
                municipality: municipality.unwrap_or_default(),
                input,
                password: password.unwrap_or_default(),
                contact,
            };
            let hash = st.hash_password(registration.password.clone()).await?;
            st.tx(move |c| self_register(c, registration, hash, lang, &public_url))
                .await?;
            return Ok(HttpResponse::Accepted().json(json!({"email_confirmation": "sent"})));
        }
    };
    Ok(created(&org))
}

/// An organization registering itself, with its first account.
pub struct SelfRegistration {
    pub municipality: String,
    pub input: OrganizationInput,
    pub password: String,
    pub contact: Option<String>,
}

/// Self-registration (API and page): the organization, an unconfirmed NGO
/// account with the organization's email, and the confirmation mail. It
/// answers alike whether or not an account has that email (the owner is
/// mailed instead, and nothing is made), so nobody learns who has one; the
/// NIP is checked first, so that its refusal does not depend on the email.
pub fn self_register(
    c: &mut cus_db::DbConn,
    r: SelfRegistration,
    password_hash: String,
    lang: &str,
    public_url: &str,
) -> cus_db::DomainResult<()> {
    let mut check = cus_db::error::Check::new();
    check.require(!r.municipality.is_empty(), "municipality", "error-required");
    auth::check_password(&mut check, "password", &r.password);
    check.finish()?;
    auth::require_municipality(c, &r.municipality)?;
    let v = organizations::check_new(c, &r.municipality, &r.input)?;
    if auth::account_exists(c, &v.email)? {
        return Ok(());
    }
    let org = organizations::create(c, &r.municipality, &v)?;
    let user_id = auth::create_user_hashed(
        c,
        NewUser {
            email: org.email.clone(),
            password: r.password,
            role: Role::Ngo,
            municipality: Some(r.municipality),
            organization_id: Some(org.id.clone()),
            display_name: r.contact.unwrap_or_else(|| org.name.clone()),
            locale: lang.to_string(),
            confirmed: false,
        },
        Some(password_hash),
    )?;
    auth::send_confirmation(c, &user_id, &org.email, lang, public_url)?;
    Ok(())
}

#[utoipa::path(responses((status = 200, body = [organizations::Organization])), security(("bearer" = [])))]
#[get("/organizations")]
async fn list_organizations(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| organizations::list(c, &user.0)).await?))
}

#[utoipa::path(responses((status = 200, body = organizations::Organization), (status = 404)), security(("bearer" = [])))]
#[get("/organizations/{id}")]
async fn get_organization(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| organizations::get(c, &user.0, &id)).await?))
}

#[utoipa::path(request_body = OrganizationInput, responses((status = 200, body = organizations::Organization), (status = 404), (status = 422)), security(("bearer" = [])))]
#[put("/organizations/{id}")]
async fn update_organization(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<OrganizationInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| organizations::update(c, &user.0, &id, &body.0))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OrgUserInput {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

/// An NGO's user adds a colleague to the organization's accounts.
#[utoipa::path(request_body = OrgUserInput, responses((status = 201), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/organizations/{id}/users")]
async fn add_organization_user(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<OrgUserInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.0;
    let input = body.0;
    let uid = st
        .tx(move |c| {
            let org = organizations::get(c, &actor, &id)?;
            actor.require(&[Role::Ngo, Role::Organizer])?;
            let uid = auth::create_user(
                c,
                NewUser {
                    display_name: input.name.unwrap_or_else(|| input.email.clone()),
                    email: input.email,
                    password: input.password,
                    role: Role::Ngo,
                    municipality: Some(org.municipality.clone()),
                    organization_id: Some(org.id.clone()),
                    locale: "pl".into(),
                    confirmed: true,
                },
            )?;
            audit_in(
                c,
                &actor,
                &org.municipality,
                "organization.user.create",
                "user",
                &uid,
            )?;
            Ok(uid)
        })
        .await?;
    Ok(created(&json!({"id": uid})))
}

// ---------------------------------------------------------------- programs

#[utoipa::path(request_body = ProgramInput, responses((status = 201, body = programs::Program), (status = 422)), security(("bearer" = [])))]
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

#[utoipa::path(responses((status = 200, body = [programs::ProgramRow])), security(("bearer" = [])))]
#[get("/programs")]
async fn list_programs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| programs::list(c, &user.0)).await?))
}

#[utoipa::path(responses((status = 200, body = programs::Program), (status = 404)), security(("bearer" = [])))]
#[get("/programs/{id}")]
async fn get_program(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| programs::get(c, &user.0, &id)).await?))
}

#[utoipa::path(request_body = CommentInput, responses((status = 201, body = programs::Comment), (status = 409)), security(("bearer" = [])))]
#[post("/programs/{id}/comments")]
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

#[utoipa::path(request_body = ProgramTransition, responses((status = 200, body = programs::Program), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/programs/{id}/transition")]
async fn transition_program(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
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
#[utoipa::path(params(YearQuery), responses((status = 200, body = programs::AnnualReport)), security(("bearer" = [])))]
#[get("/programs/{id}/report")]
async fn program_report(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let year = q.year;
    Ok(HttpResponse::Ok().json(
        st.db(move |c| programs::annual_report(c, &user.0, &id, year))
            .await?,
    ))
}

// ---------------------------------------------------------------- competitions

#[utoipa::path(request_body = CompetitionInput, responses((status = 201, body = competitions::Competition), (status = 422)), security(("bearer" = [])))]
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

#[utoipa::path(responses((status = 200, body = [competitions::CompetitionRow])), security(("bearer" = [])))]
#[get("/competitions")]
async fn list_competitions(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| competitions::list(c, &user.0)).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct MunicipalityQuery {
    pub municipality: Option<String>,
}

/// Published competitions, for anyone (also as Atom at `/competitions.atom`).
#[utoipa::path(params(MunicipalityQuery), responses((status = 200, body = [competitions::CompetitionRow])))]
#[get("/public/competitions")]
async fn public_competitions(
    st: Data,
    q: web::Query<MunicipalityQuery>,
) -> AppResult<HttpResponse> {
    let m = q.into_inner().municipality;
    Ok(list(
        st.db(move |c| competitions::public_list(c, m.as_deref()))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = competitions::Competition), (status = 404)))]
#[get("/competitions/{id}")]
async fn get_competition(
    st: Data,
    user: MaybeApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.db(move |c| competitions::get(c, user.0.as_ref(), &id))
            .await?,
    ))
}

/// Publishes the announcement; a deadline under 21 days away answers 422.
#[utoipa::path(responses((status = 200, body = competitions::Competition), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/competitions/{id}/publish")]
async fn publish_competition(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let url = st.config.server.public_url.clone();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| competitions::publish(c, &user.0, &id, &url))
            .await?,
    ))
}

#[utoipa::path(request_body = CancelInput, responses((status = 200, body = competitions::Competition), (status = 409)), security(("bearer" = [])))]
#[post("/competitions/{id}/cancel")]
async fn cancel_competition(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<CancelInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| competitions::cancel(c, &user.0, &id, body.0))
            .await?,
    ))
}

// ---------------------------------------------------------------- offers

/// An NGO's offer; after the deadline 409.
#[utoipa::path(request_body = OfferInput, responses((status = 201, body = offers::Offer), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/competitions/{id}/offers")]
async fn submit_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<OfferInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| offers::submit(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// All offers for the organizer and the commission; an NGO sees only its own.
#[utoipa::path(responses((status = 200, body = [offers::Offer])), security(("bearer" = [])))]
#[get("/competitions/{id}/offers")]
async fn list_offers(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(list(st.db(move |c| offers::list(c, &user.0, &id)).await?))
}

#[utoipa::path(responses((status = 200, body = offers::Offer), (status = 404)), security(("bearer" = [])))]
#[get("/offers/{id}")]
async fn get_offer(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| offers::get(c, &user.0, &id)).await?))
}

#[utoipa::path(request_body = OfferInput, responses((status = 200, body = offers::Offer), (status = 409), (status = 422)), security(("bearer" = [])))]
#[put("/offers/{id}")]
async fn update_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<OfferInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| offers::update(c, &user.0, &id, body.0))
            .await?,
    ))
}

// ---------------------------------------------------------------- evaluation

#[utoipa::path(request_body = CommissionInput, responses((status = 200, body = [evaluation::Member]), (status = 422)), security(("bearer" = [])))]
#[post("/competitions/{id}/commission")]
async fn appoint_commission(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<CommissionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(list(
        st.tx(move |c| evaluation::appoint(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = [evaluation::Member])), security(("bearer" = [])))]
#[get("/competitions/{id}/commission")]
async fn list_commission(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let members = st
        .db(move |c| {
            let comp = competitions::get(c, Some(&user.0), &id)?;
            let member = offers::is_member(c, &user.0, &id)?;
            if !(member
                || user.0.is(&[Role::Organizer, Role::Admin])
                    && user.0.sees_municipality(&comp.row.municipality))
            {
                return Err(DomainError::NotFound);
            }
            evaluation::members(c, &id)
        })
        .await?;
    Ok(list(members))
}

/// A commission member's declaration; no scoring before it.
#[utoipa::path(request_body = DeclarationInput, responses((status = 201, body = evaluation::Member), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/competitions/{id}/declarations")]
async fn declare(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<DeclarationInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| evaluation::declare(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = FormalInput, responses((status = 200, body = offers::Offer), (status = 409)), security(("bearer" = [])))]
#[post("/offers/{id}/formal")]
async fn formal_check(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<FormalInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| evaluation::formal(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = ScoreInput, responses((status = 200), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/offers/{id}/scores")]
async fn score_offer(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
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
#[utoipa::path(responses((status = 200, body = [evaluation::RankedOffer])), security(("bearer" = [])))]
#[get("/competitions/{id}/ranking")]
async fn ranking(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let items = st
        .db(move |c| {
            let comp = competitions::load(c, &id)?;
            let member = offers::is_member(c, &user.0, &id)?;
            if !(member
                || user.0.is(&[Role::Organizer, Role::Admin])
                    && user.0.sees_municipality(&comp.row.municipality))
            {
                return Err(DomainError::NotFound);
            }
            evaluation::ranking(c, &id)
        })
        .await?;
    Ok(list(items))
}

#[utoipa::path(request_body = ResolveInput, responses((status = 200, body = evaluation::Results), (status = 409)), security(("bearer" = [])))]
#[post("/competitions/{id}/resolve")]
async fn resolve(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: Option<ApiJson<ResolveInput>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.map(|b| b.0).unwrap_or_default();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| evaluation::resolve(c, &user.0, &id, input))
            .await?,
    ))
}

/// Results with averaged scores and awarded amounts, public once resolved.
#[utoipa::path(responses((status = 200, body = evaluation::Results), (status = 404)))]
#[get("/competitions/{id}/results")]
async fn results(st: Data, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| evaluation::results(c, &id)).await?))
}

// ---------------------------------------------------------------- agreements

#[utoipa::path(request_body = AgreementInput, responses((status = 201, body = agreements::Agreement), (status = 422)), security(("bearer" = [])))]
#[post("/agreements")]
async fn create_agreement(
    st: Data,
    user: ApiUser,
    body: ApiJson<AgreementInput>,
) -> AppResult<HttpResponse> {
    Ok(created(
        &st.tx(move |c| agreements::create(c, &user.0, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = [agreements::AgreementRow])), security(("bearer" = [])))]
#[get("/agreements")]
async fn list_agreements(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| agreements::list(c, &user.0)).await?))
}

#[utoipa::path(responses((status = 200, body = agreements::Agreement), (status = 404)), security(("bearer" = [])))]
#[get("/agreements/{id}")]
async fn get_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| agreements::get(c, &user.0, &id)).await?))
}

#[utoipa::path(request_body = ReportInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/agreements/{id}/reports")]
async fn file_report(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<ReportInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::report(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = AnnexInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/agreements/{id}/annexes")]
async fn add_annex(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<AnnexInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::annex(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = TerminateInput, responses((status = 200, body = agreements::Agreement), (status = 409)), security(("bearer" = [])))]
#[post("/agreements/{id}/terminate")]
async fn terminate_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<TerminateInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| agreements::terminate(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// The OCDS 1.1 release package (all municipalities, or `?municipality=`).
#[utoipa::path(params(MunicipalityQuery), responses((status = 200, description = "OCDS release package")))]
#[get("/ocds/releases")]
async fn ocds_releases(st: Data, q: web::Query<MunicipalityQuery>) -> AppResult<HttpResponse> {
    let m = q.into_inner().municipality;
    let uri = format!(
        "{}/api/v1/ocds/releases",
        st.config.server.public_url.trim_end_matches('/')
    );
    let package = st
        .db(move |c| contracting::ocds::release_package(c, m.as_deref(), &uri))
        .await?;
    Ok(HttpResponse::Ok().json(package))
}
