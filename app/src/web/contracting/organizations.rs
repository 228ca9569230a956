//! Organizations: NGO self-registration, the NGO's own profile and its
//! users.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use contracting::organizations;
use contracting::organizations::{
    LegalForm, OrganizationFilter, OrganizationId, OrganizationInput,
};
use cus_db::audit::audit_in;
use cus_db::bounds::Paging;
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::auth;
use crate::platform::auth::NewUser;
use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::{created, page};
use crate::web::extract::{
    checkbox, parse_json, AnonForm, ApiJson, ApiUser, Form, MaybeApiUser, PageUser,
};
use crate::web::view::{anon_csrf_pair, values, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(register_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(update_organization)
        .service(add_organization_user);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/organizations/register", get().to(org_register_form))
        .route("/organizations/register", post().to(org_register))
        .route("/organization", get().to(my_organization))
        .route("/organization", post().to(my_organization_save))
        .route("/organization/users", post().to(my_organization_user));
}

/// Registers an organization. Anyone may (self-registration: add
/// `municipality`, `password` and optionally `contact_name`; the account's
/// email is the organization's, confirmed by mail; the answer is 202
/// `{email_confirmation: "sent"}` whether or not that email has an account);
/// an organizer registers one in their municipality (201 with the record).
#[utoipa::path(request_body = OrganizationInput, responses((status = 201, body = organizations::Organization), (status = 202), (status = 422), (status = 403)))]
#[post("/organizations")]
async fn register_organization(
    st: Data,
    req: HttpRequest,
    user: MaybeApiUser,
    // As every JSON body (415, 413 over 1 MiB, 400): the bytes read by
    // hand took actix's 256 KiB limit, whose 413 had no error envelope.
    body: ApiJson<Value>,
) -> AppResult<HttpResponse> {
    let mut value: Value = body.0;
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
    let lang = crate::platform::i18n::api_lang(&req);
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
            organization_id: Some(org.id.to_string()),
            display_name: r.contact.unwrap_or_else(|| org.name.clone()),
            locale: lang.to_string(),
            confirmed: false,
        },
        Some(password_hash),
    )?;
    auth::send_confirmation(c, &user_id, &org.email, lang, public_url)?;
    Ok(())
}

/// The municipality's organizations by legal form, by name or newest, one
/// page at a time.
#[utoipa::path(params(OrganizationFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<organizations::Organization>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/organizations")]
async fn list_organizations(
    st: Data,
    user: ApiUser,
    q: web::Query<OrganizationFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (q, p) = (q.into_inner(), p.into_inner());
    Ok(page(
        st.db(move |c| organizations::find(c, &user.0, &q, &p))
            .await?,
    ))
}

#[utoipa::path(params(("id" = OrganizationId, Path)), responses((status = 200, body = organizations::Organization), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/organizations/{id}")]
async fn get_organization(
    st: Data,
    user: ApiUser,
    path: web::Path<OrganizationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| organizations::get(c, &user.0, &id)).await?))
}

#[utoipa::path(params(("id" = OrganizationId, Path)), request_body = OrganizationInput, responses((status = 200, body = organizations::Organization), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[put("/organizations/{id}")]
async fn update_organization(
    st: Data,
    user: ApiUser,
    path: web::Path<OrganizationId>,
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
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
    #[serde(default)]
    name: Option<String>,
}

/// An NGO's user adds a colleague to the organization's accounts.
#[utoipa::path(params(("id" = OrganizationId, Path)), request_body = OrgUserInput, responses((status = 201), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/organizations/{id}/users")]
async fn add_organization_user(
    st: Data,
    user: ApiUser,
    path: web::Path<OrganizationId>,
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
                    organization_id: Some(org.id.to_string()),
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

async fn municipalities(st: &Data) -> AppResult<Vec<crate::platform::admin::Municipality>> {
    st.db(|c| Ok(crate::platform::admin::municipalities(c)?))
        .await
}

async fn org_register_form(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    let (csrf, cookie) = anon_csrf_pair(&req);
    let view = View::new(&req, None);
    let data = json!({"form_csrf": csrf, "municipalities": municipalities(&st).await?, "legal_forms": LegalForm::ALL});
    Ok(crate::web::view::with_cookie(
        view.render("org_register", "org-register-title", data),
        cookie,
    ))
}

/// The organization as its forms ask for it (the alerts checkbox); the
/// forms' other fields (the registrant's, the hidden `action`) are not its.
#[derive(Deserialize, Default)]
#[serde(default)]
struct OrganizationForm {
    name: String,
    legal_form: String,
    krs: Option<String>,
    nip: String,
    regon: String,
    address: String,
    postal_code: String,
    city: String,
    email: String,
    phone: Option<String>,
    iban: Option<String>,
    #[serde(deserialize_with = "checkbox")]
    alerts: bool,
}

impl From<OrganizationForm> for OrganizationInput {
    fn from(f: OrganizationForm) -> Self {
        OrganizationInput {
            name: f.name,
            legal_form: f.legal_form,
            krs: f.krs,
            nip: f.nip,
            regon: f.regon,
            address: f.address,
            postal_code: f.postal_code,
            city: f.city,
            email: f.email,
            phone: f.phone,
            iban: f.iban,
            alerts: f.alerts,
        }
    }
}

/// Who registers an organization on the page: its first account.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Registrant {
    municipality: String,
    password: String,
    contact_name: Option<String>,
}

async fn org_register(
    req: HttpRequest,
    st: Data,
    form: AnonForm<OrganizationForm>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, None);
    let csrf = form.csrf().to_string();
    let registrant = form.parse::<Registrant>();
    let result = match (form.input, registrant) {
        (Ok(org), Ok(who)) => {
            let registration = SelfRegistration {
                municipality: who.municipality,
                input: org.into(),
                password: who.password,
                contact: who.contact_name,
            };
            let (lang, public_url) = (view.lang(), st.config.server.public_url.clone());
            let hash = st.hash_password(registration.password.clone()).await?;
            st.tx(move |c| self_register(c, registration, hash, lang, &public_url))
                .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => Ok(view.render(
            "message",
            "org-register-title",
            json!({"message": view.t("register-done")}),
        )),
        Err(e) => {
            let data = json!({"form_csrf": csrf, "municipalities": municipalities(&st).await?,
                              "legal_forms": LegalForm::ALL, "values": values(&form.typed)});
            view.form_error(e, "org_register", "org-register-title", data)
        }
    }
}

async fn my_org_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    user.actor.require(&[Role::Ngo])?;
    let actor = user.actor.clone();
    let org_id = actor.organization_id.clone().ok_or(DomainError::NotFound)?;
    st.db(move |c| {
        use cus_db::schema::users;
        use diesel::prelude::*;
        let org = organizations::get(c, &actor, &org_id)?;
        let people: Vec<(String, String)> = users::table
            .filter(users::organization_id.eq(&org_id))
            .select((users::display_name, users::email))
            .order(users::display_name)
            .load(c)?;
        let people: Vec<Value> = people
            .into_iter()
            .map(|(n, e)| json!({"name": n, "email": e}))
            .collect();
        Ok(json!({"org": org, "people": people, "legal_forms": LegalForm::ALL, "values": org}))
    })
    .await
}

async fn my_organization(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = my_org_data(&st, &user).await?;
    data["flash"] = json!(crate::web::view::flash_of(&req, &view));
    Ok(view.render("organization", "org-profile-title", data))
}

/// The end of a form of the NGO's page: back to it, or the page again with
/// the reasons.
async fn my_organization_done(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    result: AppResult<()>,
) -> AppResult<HttpResponse> {
    let data = my_org_data(st, user);
    RecordPage::new(
        "/organization".into(),
        "organization",
        "org-profile-title",
        data,
    )
    .settle(req, user, typed, result)
    .await
}

/// The NGO's profile (`POST /organization`).
async fn my_organization_save(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<OrganizationForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let org_id = actor.organization_id.clone().ok_or(DomainError::NotFound)?;
    let result = st
        .tx_input(form.input, move |c, org| {
            organizations::update(c, &actor, &org_id, &org.into()).map(drop)
        })
        .await;
    my_organization_done(&req, &st, &user, &form.typed, result).await
}

/// A colleague's account (`POST /organization/users`: the API's
/// `OrgUserInput`).
async fn my_organization_user(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<OrgUserInput>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let org_id = actor.organization_id.clone().ok_or(DomainError::NotFound)?;
    let result = st
        .tx_input(form.input, move |c, input| {
            let org = organizations::get(c, &actor, &org_id)?;
            let uid = auth::create_user(
                c,
                NewUser {
                    display_name: input.name.unwrap_or_else(|| input.email.clone()),
                    email: input.email,
                    password: input.password,
                    role: Role::Ngo,
                    municipality: Some(org.municipality.clone()),
                    organization_id: Some(org.id.to_string()),
                    locale: "pl".into(),
                    confirmed: true,
                },
            )?;
            cus_db::audit::audit_in(
                c,
                &actor,
                &org.municipality,
                "organization.user.create",
                "user",
                &uid,
            )?;
            Ok(())
        })
        .await;
    my_organization_done(&req, &st, &user, &form.typed, result).await
}
