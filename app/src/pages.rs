//! The browser face: handlebars pages over the same service functions as
//! the API. Polish by default, English by `?lang=en` (remembered in a
//! cookie); every form carries a CSRF token; no JavaScript anywhere.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Role};
use rust_embed::RustEmbed;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::api::{self, AuditQuery};
use crate::auth::{self, Registration, KIND_COOKIE, SESSION_COOKIE};
use crate::error::{translate_fields, AppError, AppResult};
use crate::i18n::{self, LANG_COOKIE};
use crate::password;
use crate::plans::{self, NewItem, NewPlan, TransitionInput, OUTCOMES};
use crate::state::{constant_time_eq, peer, AppState, MaybePageUser, PageUser};
use crate::templates;
use crate::window::{self, MessageInput, NewRequest, NewResident, RouteInput, ServiceInput};

type Data = web::Data<AppState>;
type Form = crate::state::PageForm;

const ANON_CSRF_COOKIE: &str = "cus_csrf";

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/", get().to(home))
        .route("/static/{file}", get().to(static_file))
        .route("/accessibility", get().to(accessibility))
        .route("/login", get().to(login_form))
        .route("/login", post().to(login))
        .route("/logout", get().to(logout_form))
        .route("/logout", post().to(logout))
        .route("/register", get().to(register_form))
        .route("/register", post().to(register))
        .route("/confirm", get().to(confirm))
        .route("/password-reset", get().to(reset_form))
        .route("/password-reset", post().to(reset_ask))
        .route("/password-reset/{token}", get().to(reset_new_form))
        .route("/password-reset/{token}", post().to(reset_new))
        .route("/profile", get().to(profile))
        .route("/profile/password", post().to(profile_password))
        .route("/cases", get().to(cases))
        .route("/requests/new", get().to(request_form))
        .route("/requests/new", post().to(request_create))
        .route("/requests/{id}", get().to(request_page))
        .route("/requests/{id}/route", post().to(request_route))
        .route("/requests/{id}/messages", post().to(request_message))
        .route("/work", get().to(work))
        .route("/residents", get().to(residents))
        .route("/residents", post().to(resident_create))
        .route("/residents/{id}", get().to(resident_page))
        .route("/services", get().to(services))
        .route("/services", post().to(service_save))
        .route("/services/{code}/edit", get().to(service_edit))
        .route("/plans", get().to(plans_list))
        .route("/plans/new", get().to(plan_form))
        .route("/plans/new", post().to(plan_create))
        .route("/plans/{id}", get().to(plan_page))
        .route("/plans/{id}/items", post().to(plan_item_add))
        .route("/plans/{id}/transition", post().to(plan_transition))
        .route(
            "/plans/{id}/consent-request",
            post().to(plan_consent_request),
        )
        .route("/plans/{id}/document", get().to(plan_document))
        .route("/admin/audit", get().to(audit_page))
        .route("/competitions", get().to(competitions_page))
        .route("/competitions.atom", get().to(competitions_atom))
        .route(
            "/calendar/{token}",
            get().to(crate::community_api::calendar_feed),
        )
        .route("/competitions/{id}", get().to(competition_page));
}

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

async fn static_file(path: web::Path<String>) -> HttpResponse {
    match Static::get(&path) {
        Some(file) => {
            let mime = if path.ends_with(".css") {
                "text/css; charset=utf-8"
            } else {
                "application/octet-stream"
            };
            HttpResponse::Ok()
                .content_type(mime)
                .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
                .body(file.data.into_owned())
        }
        None => HttpResponse::NotFound().finish(),
    }
}

/// One page being answered: its language, its user, and how to render.
pub struct View {
    lang: &'static str,
    set_lang: bool,
    /// This page's path, for the language switch: `/` unless it is a
    /// same-site path (`//host/x` would link to another site).
    path: String,
    secure_cookies: bool,
    user: Option<PageUser>,
}

impl View {
    pub fn new(req: &HttpRequest, user: Option<&PageUser>) -> View {
        View {
            lang: i18n::page_lang(req),
            set_lang: i18n::query_lang(req).is_some(),
            path: local_path(req.path()).unwrap_or("/").to_string(),
            secure_cookies: secure_cookies(req),
            user: user.cloned(),
        }
    }

    pub fn lang(&self) -> &'static str {
        self.lang
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    fn base(&self, title_key: &str) -> Value {
        let mut ctx = json!({
            "lang": self.lang,
            "other_lang": if self.lang == "pl" { "en" } else { "pl" },
            "path": self.path,
            "title": self.t(title_key),
        });
        if let Some(u) = &self.user {
            let a = &u.actor;
            let staff = a.role.is_staff();
            ctx["user"] =
                json!({"name": a.display_name, "role": a.role.as_str(), "email": a.email});
            ctx["csrf"] = json!(u.csrf);
            ctx["nav"] = json!({
                "cases": a.role == Role::Resident,
                "work": staff,
                "residents": a.is(window::SEARCHING_RESIDENTS),
                "services": staff,
                "plans": a.is(&[Role::Coordinator, Role::Organizer, Role::Admin]),
                "audit": a.is(&[Role::Admin, Role::Organizer]),
                "programs": staff || a.is(&[Role::Ngo, Role::Council]),
                "agreements": a.is(&[Role::Organizer, Role::Ngo, Role::Coordinator, Role::Admin]),
                "manage_competitions": a.role == Role::Organizer,
                "community": staff,
                "organization": a.role == Role::Ngo,
                "forum": staff || a.role == Role::Ngo,
            });
        }
        ctx
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        title_key: &str,
        data: Value,
    ) -> HttpResponse {
        let mut ctx = self.base(title_key);
        if let (Value::Object(c), Value::Object(d)) = (&mut ctx, data) {
            c.extend(d);
        }
        let html = match templates::render(template, &ctx) {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "page rendering failed");
                return HttpResponse::InternalServerError().body("template error");
            }
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("text/html; charset=utf-8");
        if self.set_lang {
            resp.cookie(
                Cookie::build(LANG_COOKIE, self.lang)
                    .path("/")
                    .secure(self.secure_cookies)
                    .same_site(SameSite::Lax)
                    .max_age(CookieDuration::days(365))
                    .finish(),
            );
        }
        resp.body(html)
    }

    pub fn render(&self, template: &str, title_key: &str, data: Value) -> HttpResponse {
        self.render_status(StatusCode::OK, template, title_key, data)
    }

    /// A form refused with field errors is shown again, with what was typed
    /// and the reasons next to the fields (422); other errors propagate.
    pub fn form_error(
        &self,
        err: AppError,
        template: &str,
        title_key: &str,
        mut data: Value,
    ) -> AppResult<HttpResponse> {
        match &err {
            AppError::Domain(DomainError::Invalid(fields)) => {
                data["errors"] = json!(translate_fields(fields, self.lang));
                data["alert"] = json!(self.t("error-invalid"));
                Ok(self.render_status(StatusCode::UNPROCESSABLE_ENTITY, template, title_key, data))
            }
            AppError::Domain(DomainError::Conflict(key)) => {
                data["alert"] = json!(self.t(key));
                Ok(self.render_status(StatusCode::CONFLICT, template, title_key, data))
            }
            _ => Err(err),
        }
    }
}

/// The end of a form POST: on success go to `to` (303); on a refusal show
/// `template` again with the reasons and what was typed. `page` rebuilds the
/// page's data and runs only on refusal.
#[allow(clippy::too_many_arguments)]
pub async fn settle<T>(
    req: &HttpRequest,
    user: &PageUser,
    form: &HashMap<String, String>,
    result: AppResult<T>,
    to: &str,
    template: &str,
    title_key: &str,
    page: impl std::future::Future<Output = AppResult<Value>>,
) -> AppResult<HttpResponse> {
    match result {
        Ok(_) => Ok(redirect(to)),
        Err(e) => {
            let view = View::new(req, Some(user));
            let mut data = page.await?;
            data["values"] = values(form);
            view.form_error(e, template, title_key, data)
        }
    }
}

/// The query string as a map (empty when malformed).
pub fn query_map(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// A form field's value, empty when absent.
pub fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// A form field's trimmed value, `None` when blank.
pub fn opt(form: &HashMap<String, String>, name: &str) -> Option<String> {
    Some(field(form, name).trim().to_string()).filter(|v| !v.is_empty())
}

/// A date field, checked as the API checks dates (`cus_db::bounds`): `None`
/// when blank, a field error when it is no date or out of range.
pub fn date_opt(
    form: &HashMap<String, String>,
    name: &str,
) -> Result<Option<chrono::NaiveDate>, DomainError> {
    opt(form, name)
        .map(|d| cus_db::bounds::parse_date(&d).map_err(|why| DomainError::field(name, why)))
        .transpose()
}

/// The form's copy without its CSRF token, to fill the form again.
pub fn values(form: &HashMap<String, String>) -> Value {
    let mut v = json!(form);
    if let Value::Object(m) = &mut v {
        m.remove("csrf");
        m.remove("password");
        m.remove("password_confirm");
        m.remove("current_password");
    }
    v
}

/// The messages the status box shows after a form (`?done=KEY`, the
/// redirect's target): a fixed set, so that a link cannot make a page say
/// anything else in the platform's voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Saved,
    Sent,
    RequestFiled,
    ResidentRegistered,
    ConsentRequested,
    ConsentNoEmail,
    PasswordChanged,
}

impl Flash {
    pub const ALL: [Flash; 7] = [
        Flash::Saved,
        Flash::Sent,
        Flash::RequestFiled,
        Flash::ResidentRegistered,
        Flash::ConsentRequested,
        Flash::ConsentNoEmail,
        Flash::PasswordChanged,
    ];

    /// Its translation key, as the redirect's `done=` carries it.
    pub fn key(self) -> &'static str {
        match self {
            Flash::Saved => "flash-saved",
            Flash::Sent => "flash-sent",
            Flash::RequestFiled => "flash-request-filed",
            Flash::ResidentRegistered => "flash-resident-registered",
            Flash::ConsentRequested => "flash-consent-requested",
            Flash::ConsentNoEmail => "flash-consent-no-email",
            Flash::PasswordChanged => "flash-password-changed",
        }
    }

    pub fn parse(key: &str) -> Option<Flash> {
        Flash::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// The status box's message for `?done=`, if it names one of [`Flash`].
pub fn flash_of(req: &HttpRequest, view: &View) -> Option<String> {
    let q = web::Query::<HashMap<String, String>>::from_query(req.query_string()).ok()?;
    Flash::parse(q.get("done")?).map(|f| view.t(f.key()))
}

/// Error responses of pages are HTML in the user's language (the API keeps
/// its JSON). Installed as a middleware over the whole app.
pub fn error_page(req: &HttpRequest, err: &AppError, correlation_id: Option<&str>) -> HttpResponse {
    let view = View::new(req, None);
    if err.status() == StatusCode::UNAUTHORIZED {
        return redirect("/login");
    }
    let mut resp = view.render_status(
        err.status(),
        "error",
        "error-title",
        json!({
            "message": err.message(view.lang),
            "fields": err.fields(view.lang),
            "status": err.status().as_u16(),
            "correlation_id": correlation_id,
        }),
    );
    if let Some(secs) = err.retry_after() {
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// The page for a handler that panicked: no request is left to render the
/// usual layout from, so a plain page in the reader's language.
pub fn fault_page(lang: &str, err: &AppError, correlation_id: &str) -> HttpResponse {
    let title = crate::i18n::t(lang, "error-title");
    let message = crate::i18n::t(lang, "error-internal");
    let reference = crate::i18n::t(lang, "error-correlation");
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title} 500</title><link rel=\"stylesheet\" href=\"/static/pico.min.css\"></head>\
         <body><main class=\"container\"><h1>{title} 500</h1><p role=\"alert\">{message}</p>\
         <p>{reference} <code>{correlation_id}</code></p><p><a href=\"/\">/</a></p></main></body></html>",
    );
    HttpResponse::build(err.status())
        .content_type("text/html; charset=utf-8")
        .body(html)
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let err = AppError::Domain(DomainError::NotFound);
    if req.path().starts_with("/api/") {
        err.json_response(crate::i18n::api_lang(&req), None)
    } else {
        error_page(&req, &err, None)
    }
}

// ---------------------------------------------------------------- public

async fn home(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    let view = View::new(&req, user.0.as_ref());
    view.render("home", "home-title", json!({}))
}

async fn accessibility(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    View::new(&req, user.0.as_ref()).render("accessibility", "a11y-title", json!({}))
}

/// Whether cookies carry `Secure` (`security.secure_cookies`: the site is
/// served over HTTPS).
pub fn secure_cookies(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<AppState>>()
        .is_some_and(|st| st.config.security.secure_cookies)
}

/// Anonymous forms (login, registration) use a double-submit cookie.
pub fn anon_csrf_pair(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match req.cookie(ANON_CSRF_COOKIE) {
        Some(c) if c.value().len() == 64 => (c.value().to_string(), None),
        _ => {
            let token = auth::random_token();
            let cookie = Cookie::build(ANON_CSRF_COOKIE, token.clone())
                .path("/")
                .http_only(true)
                .secure(secure_cookies(req))
                .same_site(SameSite::Strict)
                .finish();
            (token, Some(cookie))
        }
    }
}

pub fn check_anon_csrf_form(req: &HttpRequest, form: &HashMap<String, String>) -> AppResult<()> {
    let cookie = req
        .cookie(ANON_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let sent = field(form, "csrf");
    if !cookie.is_empty() && constant_time_eq(cookie.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

pub fn with_cookie(mut resp: HttpResponse, cookie: Option<Cookie<'static>>) -> HttpResponse {
    if let Some(c) = cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

/// `path` when it is an absolute path on this site, as a browser reads it:
/// one leading `/` (not `//` or `/\`, which browsers read as another host),
/// no backslash (read as `/`) and no control character (browsers drop tabs
/// and newlines, so `/\t/host` becomes `//host`; CR/LF would split the
/// header). Checked on the decoded value.
pub fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    ok.then_some(path)
}

/// Where to go after signing in: `next` when it stays on this site, else home.
fn safe_next(next: &str) -> String {
    local_path(next).unwrap_or("/").to_string()
}

async fn login_form(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    if user.0.is_some() {
        return redirect("/");
    }
    let (csrf, cookie) = anon_csrf_pair(&req);
    let q = web::Query::<HashMap<String, String>>::from_query(req.query_string()).ok();
    let next = q
        .as_ref()
        .and_then(|q| {
            q.get("next")
                .map(|n| local_path(n).unwrap_or("").to_string())
        })
        .unwrap_or_default();
    let view = View::new(&req, None);
    let flash = flash_of(&req, &view);
    with_cookie(
        view.render(
            "login",
            "login-title",
            json!({"form_csrf": csrf, "next": next, "flash": flash}),
        ),
        cookie,
    )
}

async fn login(req: HttpRequest, st: Data, form: Form) -> AppResult<HttpResponse> {
    check_anon_csrf_form(&req, &form)?;
    let view = View::new(&req, None);
    let (email, password) = (
        field(&form, "email").to_string(),
        field(&form, "password").to_string(),
    );
    let address = peer(&req);
    let config = st.config.clone();
    let result = crate::state::hashing(st.db(move |c| {
        auth::login(
            c,
            &config.security,
            &email,
            &password,
            &address,
            KIND_COOKIE,
        )
    }))
    .await;
    let next = local_path(field(&form, "next")).unwrap_or("");
    let data = json!({"form_csrf": field(&form, "csrf"), "next": next, "values": values(&form)});
    match result {
        Ok(session) => {
            let cookie = Cookie::build(SESSION_COOKIE, session.token)
                .path("/")
                .http_only(true)
                .secure(st.config.security.secure_cookies)
                .same_site(SameSite::Lax)
                .finish();
            let mut resp = redirect(&safe_next(field(&form, "next")));
            let _ = resp.add_cookie(&cookie);
            Ok(resp)
        }
        Err(AppError::Domain(DomainError::Unauthorized)) => {
            let mut data = data;
            data["alert"] = json!(view.t("login-failed"));
            Ok(view.render_status(StatusCode::UNAUTHORIZED, "login", "login-title", data))
        }
        Err(e) => view.form_error(e, "login", "login-title", data),
    }
}

async fn logout_form(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    match user.0 {
        Some(u) => View::new(&req, Some(&u)).render("logout", "logout-title", json!({})),
        None => redirect("/"),
    }
}

async fn logout(req: HttpRequest, st: Data, user: PageUser, form: Form) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        st.tx(move |c| Ok(auth::logout(c, &token)?)).await?;
    }
    let mut resp = redirect("/");
    let mut gone = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .secure(st.config.security.secure_cookies)
        .finish();
    gone.make_removal();
    let _ = resp.add_cookie(&gone);
    Ok(resp)
}

async fn municipality_options(st: &Data) -> AppResult<Vec<api::Municipality>> {
    use cus_db::schema::municipalities;
    use diesel::prelude::*;
    st.db(|c| {
        Ok(municipalities::table
            .select((municipalities::teryt, municipalities::name))
            .order(municipalities::name)
            .load(c)?)
    })
    .await
}

async fn register_form(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    let (csrf, cookie) = anon_csrf_pair(&req);
    let municipalities = municipality_options(&st).await?;
    let view = View::new(&req, None);
    Ok(with_cookie(
        view.render(
            "register",
            "register-title",
            json!({"form_csrf": csrf, "municipalities": municipalities}),
        ),
        cookie,
    ))
}

async fn register(req: HttpRequest, st: Data, form: Form) -> AppResult<HttpResponse> {
    check_anon_csrf_form(&req, &form)?;
    let view = View::new(&req, None);
    let reg = Registration {
        email: field(&form, "email").to_string(),
        password: field(&form, "password").to_string(),
        first_name: field(&form, "first_name").to_string(),
        last_name: field(&form, "last_name").to_string(),
        municipality: field(&form, "municipality").to_string(),
        pesel: opt(&form, "pesel"),
        address: opt(&form, "address"),
        phone: opt(&form, "phone"),
    };
    let lang = view.lang;
    let public = st.config.server.public_url.clone();
    let hash = st.hash_password(reg.password.clone()).await?;
    match st
        .tx(move |c| auth::register_resident(c, reg, hash, lang, &public))
        .await
    {
        Ok(_) => Ok(view.render(
            "message",
            "register-title",
            json!({"message": view.t("register-done")}),
        )),
        Err(e) => {
            let municipalities = municipality_options(&st).await?;
            view.form_error(
                e,
                "register",
                "register-title",
                json!({"form_csrf": field(&form, "csrf"), "municipalities": municipalities, "values": values(&form)}),
            )
        }
    }
}

async fn confirm(
    req: HttpRequest,
    st: Data,
    q: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, None);
    let token = q.get("token").cloned().unwrap_or_default();
    let ok = st.tx(move |c| auth::confirm_email(c, &token)).await.is_ok();
    let (status, key) = if ok {
        (StatusCode::OK, "confirm-done")
    } else {
        (StatusCode::NOT_FOUND, "confirm-failed")
    };
    Ok(view.render_status(
        status,
        "message",
        "confirm-title",
        json!({"message": view.t(key), "login_link": ok}),
    ))
}

// ---------------------------------------------------------------- passwords

async fn reset_form(req: HttpRequest) -> HttpResponse {
    let (csrf, cookie) = anon_csrf_pair(&req);
    let view = View::new(&req, None);
    with_cookie(
        view.render("password_reset", "reset-title", json!({"form_csrf": csrf})),
        cookie,
    )
}

/// The same page for every well-formed address (no enumeration).
async fn reset_ask(req: HttpRequest, st: Data, form: Form) -> AppResult<HttpResponse> {
    check_anon_csrf_form(&req, &form)?;
    let view = View::new(&req, None);
    match password::ask(&st, field(&form, "email").to_string()).await {
        Ok(()) => Ok(view.render(
            "message",
            "reset-title",
            json!({"message": view.t("reset-sent")}),
        )),
        Err(e) => view.form_error(
            e,
            "password_reset",
            "reset-title",
            json!({"form_csrf": field(&form, "csrf"), "values": values(&form)}),
        ),
    }
}

/// A reset link that no longer works: used (409), or unknown or expired
/// (404); other errors propagate.
fn dead_link(view: &View, err: AppError) -> AppResult<HttpResponse> {
    let key = match &err {
        AppError::Domain(DomainError::Conflict(_)) => "error-token-used",
        AppError::Domain(DomainError::NotFound) => "reset-link-dead",
        _ => return Err(err),
    };
    Ok(view.render_status(
        err.status(),
        "message",
        "reset-new-title",
        json!({"message": view.t(key), "reset_link": true}),
    ))
}

async fn reset_new_form(
    req: HttpRequest,
    st: Data,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let view = View::new(&req, None);
    let t = token.clone();
    if let Err(e) = st.db(move |c| password::reset_token_user(c, &t)).await {
        return dead_link(&view, e);
    }
    let (csrf, cookie) = anon_csrf_pair(&req);
    Ok(with_cookie(
        view.render(
            "password_reset_new",
            "reset-new-title",
            json!({"form_csrf": csrf, "token": token}),
        ),
        cookie,
    ))
}

/// 422 on `password_confirm` unless the two new passwords agree.
fn same_passwords(form: &HashMap<String, String>) -> AppResult<()> {
    if field(form, "password") == field(form, "password_confirm") {
        Ok(())
    } else {
        Err(DomainError::field("password_confirm", "error-password-mismatch").into())
    }
}

async fn reset_new(
    req: HttpRequest,
    st: Data,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    check_anon_csrf_form(&req, &form)?;
    let token = path.into_inner();
    let view = View::new(&req, None);
    let result = match same_passwords(&form) {
        Ok(()) => password::reset(&st, token.clone(), field(&form, "password").to_string()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(view.render(
            "message",
            "reset-new-title",
            json!({"message": view.t("reset-done"), "login_link": true}),
        )),
        Err(e @ AppError::Domain(DomainError::Invalid(_))) => view.form_error(
            e,
            "password_reset_new",
            "reset-new-title",
            json!({"form_csrf": field(&form, "csrf"), "token": token}),
        ),
        Err(e) => dead_link(&view, e),
    }
}

fn profile_data(user: &PageUser) -> Value {
    let a = &user.actor;
    json!({"account": {"name": a.display_name, "email": a.email, "role": a.role.as_str()}})
}

async fn profile(req: HttpRequest, user: PageUser) -> HttpResponse {
    let view = View::new(&req, Some(&user));
    let mut data = profile_data(&user);
    data["flash"] = json!(flash_of(&req, &view));
    view.render("profile", "profile-title", data)
}

/// Changes the password; the account's other sessions end, this one stays.
async fn profile_password(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let token = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let result = match same_passwords(&form) {
        Ok(()) => {
            password::change(
                &st,
                user.actor.clone(),
                token,
                peer(&req),
                field(&form, "current_password").to_string(),
                field(&form, "password").to_string(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    let data = profile_data(&user);
    settle(
        &req,
        &user,
        &form,
        result,
        "/profile?done=flash-password-changed",
        "profile",
        "profile-title",
        async { Ok(data) },
    )
    .await
}

// ---------------------------------------------------------------- residents' cases

async fn cases(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    if user.actor.role != Role::Resident {
        return Ok(redirect("/work"));
    }
    let actor = user.actor.clone();
    let (requests, plans) = st
        .db(move |c| {
            let (rows, _) = window::list_requests(c, &actor, false, 1, 100)?;
            let plans = plans::list_plans(c, &actor)?;
            Ok((rows, plans))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "cases",
        "cases-title",
        json!({"requests": requests, "plans": plans, "flash": flash_of(&req, &view)}),
    ))
}

async fn request_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req);
    let data = request_form_data(&st, &user, q.get("resident_id").cloned()).await?;
    Ok(view.render("request_new", "request-new-title", data))
}

async fn request_form_data(
    st: &Data,
    user: &PageUser,
    resident_id: Option<String>,
) -> AppResult<Value> {
    user.actor.require(&[Role::Resident, Role::Desk])?;
    let actor = user.actor.clone();
    let (services, resident) = st
        .tx(move |c| {
            let services = window::list_services(c, &actor)?;
            let resident = match resident_id.filter(|_| actor.role == Role::Desk) {
                Some(id) => Some(window::get_resident(c, &actor, &id)?),
                None => None,
            };
            Ok((services, resident))
        })
        .await?;
    let services: Vec<_> = services.into_iter().filter(|s| s.active).collect();
    Ok(json!({"services": services, "resident": resident, "desk": user.actor.role == Role::Desk}))
}

async fn request_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let view = View::new(&req, Some(&user));
    let channel = if user.actor.role == Role::Desk {
        "desk"
    } else {
        "online"
    };
    let input = NewRequest {
        resident_id: opt(&form, "resident_id"),
        service_code: opt(&form, "service_code"),
        description: field(&form, "description").to_string(),
        channel: channel.to_string(),
    };
    let actor = user.actor.clone();
    let rules = st.config.rules.clone();
    match st
        .tx(move |c| window::file_request(c, &actor, &rules, input))
        .await
    {
        Ok(r) => Ok(redirect(&format!(
            "/requests/{}?done=flash-request-filed",
            r.id
        ))),
        Err(e) => {
            let mut data = request_form_data(&st, &user, opt(&form, "resident_id")).await?;
            data["values"] = values(&form);
            view.form_error(e, "request_new", "request-new-title", data)
        }
    }
}

async fn request_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
    let actor = user.actor.clone();
    let view = st
        .audited(move |c| window::get_request(c, &actor, &id))
        .await?;
    let a = &user.actor;
    let kinds: &[&str] = match a.role {
        Role::Benefits => &window::BENEFITS_KINDS,
        Role::SocialWorker => &window::SOCIAL_WORKER_KINDS,
        _ => &[],
    };
    Ok(json!({
        "r": view,
        "can_route": a.is(&[Role::Desk, Role::Organizer]) && view.request.status != "closed",
        "route_targets": window::ROUTE_TARGETS,
        "can_message": !kinds.is_empty(),
        "message_kinds": kinds,
        "can_plan": a.role == Role::Coordinator && view.request.status != "closed",
        "staff": a.role.is_staff(),
    }))
}

async fn request_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = request_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("request", "request-title", data))
}

async fn request_route(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let id = path.into_inner();
    let input = RouteInput {
        to: field(&form, "to").to_string(),
        note: field(&form, "note").to_string(),
    };
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| window::route_request(c, &actor, &rid, input))
        .await;
    let to = format!("/requests/{id}?done=flash-saved");
    settle(
        &req,
        &user,
        &form,
        result,
        &to,
        "request",
        "request-title",
        request_data(&st, &user, id),
    )
    .await
}

async fn request_message(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let id = path.into_inner();
    let input = MessageInput {
        kind: field(&form, "kind").to_string(),
        text: field(&form, "text").to_string(),
    };
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx(move |c| window::send_message(c, &actor, &rid, input))
        .await;
    let to = format!("/requests/{id}?done=flash-sent");
    settle(
        &req,
        &user,
        &form,
        result,
        &to,
        "request",
        "request-title",
        request_data(&st, &user, id),
    )
    .await
}

// ---------------------------------------------------------------- staff

async fn work(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    if user.actor.role == Role::Resident {
        return Ok(redirect("/cases"));
    }
    if !user.actor.role.is_staff() {
        return Err(DomainError::Forbidden.into());
    }
    let q = query_map(&req);
    let all = q.get("all").is_some_and(|v| v == "1");
    let actor = user.actor.clone();
    let with_plans = actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin]);
    let (requests, total, plans) = st
        .db(move |c| {
            let (rows, total) = window::list_requests(c, &actor, all, 1, 100)?;
            let plans = if with_plans {
                plans::list_plans(c, &actor)?
            } else {
                vec![]
            };
            Ok((rows, total, plans))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let role_filtered = matches!(
        user.actor.role,
        Role::SocialWorker | Role::Benefits | Role::Coordinator
    );
    Ok(view.render(
        "work",
        "nav-work",
        json!({"requests": requests, "total": total, "plans": plans, "with_plans": with_plans,
               "all": all, "role_filtered": role_filtered, "today": cus_db::today()}),
    ))
}

fn can_register_residents(user: &PageUser) -> bool {
    user.actor.is(&[Role::Desk, Role::Coordinator, Role::Admin])
}

async fn residents(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    user.actor.require(window::SEARCHING_RESIDENTS)?;
    let q = query_map(&req);
    let query = q.get("q").cloned();
    let actor = user.actor.clone();
    let view = View::new(&req, Some(&user));
    let data = json!({"q": query, "can_register": can_register_residents(&user)});
    let found = match query.clone().filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            match st
                .audited(move |c| window::search_residents(c, &actor, &text))
                .await
            {
                Ok(found) => Some(found),
                Err(e) => return view.form_error(e, "residents", "residents-title", data),
            }
        }
        None => None,
    };
    let mut data = data;
    data["found"] = json!(found);
    Ok(view.render("residents", "residents-title", data))
}

async fn resident_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let input = NewResident {
        pesel: field(&form, "pesel").to_string(),
        first_name: field(&form, "first_name").to_string(),
        last_name: field(&form, "last_name").to_string(),
        address: field(&form, "address").to_string(),
        email: opt(&form, "email"),
        phone: opt(&form, "phone"),
    };
    let actor = user.actor.clone();
    match st
        .tx(move |c| window::create_resident(c, &actor, input))
        .await
    {
        Ok(r) => Ok(redirect(&format!(
            "/residents/{}?done=flash-resident-registered",
            r.id
        ))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            view.form_error(
                e,
                "residents",
                "residents-title",
                json!({"values": values(&form), "can_register": can_register_residents(&user)}),
            )
        }
    }
}

async fn resident_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &id))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "resident",
        "resident-title",
        json!({"resident": resident, "flash": flash_of(&req, &view),
               "can_file": user.actor.role == Role::Desk,
               "can_plan": user.actor.role == Role::Coordinator}),
    ))
}

async fn services_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    if !actor.role.is_staff() {
        return Err(DomainError::Forbidden.into());
    }
    let services = st.db(move |c| window::list_services(c, &actor)).await?;
    Ok(json!({
        "services": services,
        "can_edit": user.actor.role == Role::Organizer,
        "areas": window::AREAS,
        "variants": window::VARIANTS,
        "phases": window::PHASES,
    }))
}

async fn services(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = services_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    data["values"] = json!({"variant": "I", "phase": "III", "active": "on"});
    Ok(view.render("services", "services-title", data))
}

async fn service_edit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    user.actor.require(&[Role::Organizer])?;
    let code = path.into_inner();
    let municipality = user.actor.home()?.to_string();
    let service = st
        .db(move |c| window::find_service(c, &municipality, &code))
        .await?;
    let view = View::new(&req, Some(&user));
    let mut data = services_data(&st, &user).await?;
    data["editing"] = json!(service.code);
    data["values"] = json!({
        "code": service.code, "name": service.name, "area": service.area, "standard": service.standard,
        "variant": service.variant, "phase": service.phase, "fee_rule": service.fee_rule,
        "access_criteria": service.access_criteria, "active": if service.active { "on" } else { "" },
    });
    Ok(view.render("services", "services-edit", data))
}

async fn service_save(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let editing = opt(&form, "editing");
    let input = ServiceInput {
        code: field(&form, "code").trim().to_string(),
        name: field(&form, "name").to_string(),
        area: field(&form, "area").to_string(),
        standard: field(&form, "standard").to_string(),
        variant: field(&form, "variant").to_string(),
        phase: field(&form, "phase").to_string(),
        fee_rule: field(&form, "fee_rule").to_string(),
        access_criteria: field(&form, "access_criteria").to_string(),
        active: form.contains_key("active"),
    };
    let actor = user.actor.clone();
    let ed = editing.clone();
    match st
        .tx(move |c| window::save_service(c, &actor, ed.as_deref(), input))
        .await
    {
        Ok(_) => Ok(redirect("/services?done=flash-saved")),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = services_data(&st, &user).await?;
            data["values"] = values(&form);
            data["editing"] = json!(editing);
            view.form_error(e, "services", "services-title", data)
        }
    }
}

// ---------------------------------------------------------------- plans

async fn plans_list(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let plans = st.db(move |c| plans::list_plans(c, &actor)).await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "plans",
        "plans-title",
        json!({"plans": plans, "can_create": user.actor.role == Role::Coordinator}),
    ))
}

async fn plan_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    user.actor.require(&[Role::Coordinator])?;
    let q = query_map(&req);
    let resident_id = q.get("resident_id").cloned().unwrap_or_default();
    let actor = user.actor.clone();
    let rid = resident_id.clone();
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &rid))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "plan_new",
        "plan-new-title",
        json!({"resident": resident, "values": {"request_id": q.get("request_id")}}),
    ))
}

async fn plan_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let view = View::new(&req, Some(&user));
    let date = match date_opt(&form, "application_date") {
        Ok(d) => d,
        Err(e) => return plan_form_error(&view, &st, &user, &form, e.into()).await,
    };
    let input = NewPlan {
        resident_id: field(&form, "resident_id").to_string(),
        request_id: opt(&form, "request_id"),
        goals: field(&form, "goals").lines().map(str::to_string).collect(),
        needs: field(&form, "needs").to_string(),
        resident_commitments: field(&form, "resident_commitments").to_string(),
        application_date: date,
    };
    let actor = user.actor.clone();
    let rules = st.config.rules.clone();
    match st
        .tx(move |c| plans::create_plan(c, &actor, &rules, input))
        .await
    {
        Ok(p) => Ok(redirect(&format!("/plans/{}?done=flash-saved", p.id))),
        Err(e) => plan_form_error(&view, &st, &user, &form, e).await,
    }
}

async fn plan_form_error(
    view: &View,
    st: &Data,
    user: &PageUser,
    form: &HashMap<String, String>,
    err: AppError,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let rid = field(form, "resident_id").to_string();
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &rid))
        .await?;
    view.form_error(
        err,
        "plan_new",
        "plan-new-title",
        json!({"resident": resident, "values": values(form)}),
    )
}

async fn plan_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (plan, services) = st
        .audited(move |c| {
            let plan = plans::get_plan(c, &actor, &id)?;
            let services = if actor.role == Role::Coordinator {
                window::list_services(c, &actor)?
            } else {
                vec![]
            };
            Ok((plan, services))
        })
        .await?;
    let a = &user.actor;
    Ok(json!({
        "p": plan,
        "services": services.into_iter().filter(|s| s.active).collect::<Vec<_>>(),
        "can_edit": a.role == Role::Coordinator && plan.plan.status == "draft",
        "is_resident": a.role == Role::Resident,
        "is_coordinator": a.role == Role::Coordinator,
        "outcomes": OUTCOMES,
        "overdue": plan.days_to_deadline.is_some_and(|d| d < 0) || plan.plan.overdue,
    }))
}

async fn plan_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = plan_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("plan", "plan-title", data))
}

async fn plan_step_failed(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    id: String,
    form: &HashMap<String, String>,
    err: AppError,
) -> AppResult<HttpResponse> {
    let refused: AppResult<()> = Err(err);
    settle(
        req,
        user,
        form,
        refused,
        "",
        "plan",
        "plan-title",
        plan_data(st, user, id),
    )
    .await
}

async fn plan_item_add(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let id = path.into_inner();
    let parsed = (|| -> Result<NewItem, DomainError> {
        let date = |name: &str| {
            cus_db::bounds::parse_date(field(&form, name))
                .map_err(|why| DomainError::field(name, why))
        };
        let hours = match opt(&form, "hours_per_month") {
            Some(h) => Some(
                cus_db::bounds::parse_int::<i32>(&h)
                    .map_err(|why| DomainError::field("hours_per_month", why))?,
            ),
            None => None,
        };
        Ok(NewItem {
            service_code: field(&form, "service_code").to_string(),
            provider: opt(&form, "provider"),
            provider_agreement_id: opt(&form, "provider_agreement_id"),
            frequency: field(&form, "frequency").to_string(),
            hours_per_month: hours,
            start_date: date("start_date")?,
            end_date: date("end_date")?,
        })
    })();
    let item = match parsed {
        Ok(i) => i,
        Err(e) => return plan_step_failed(&req, &st, &user, id, &form, e.into()).await,
    };
    let (actor, pid) = (user.actor.clone(), id.clone());
    let rules = st.config.rules.clone();
    match st
        .tx(move |c| plans::add_item(c, &actor, &rules, &pid, item))
        .await
    {
        Ok(_) => Ok(redirect(&format!("/plans/{id}?done=flash-saved"))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form, e).await,
    }
}

async fn plan_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let id = path.into_inner();
    let review_date = match date_opt(&form, "review_date") {
        Ok(d) => d,
        Err(e) => return plan_step_failed(&req, &st, &user, id, &form, e.into()).await,
    };
    let input = TransitionInput {
        to: field(&form, "to").to_string(),
        note: field(&form, "note").to_string(),
        outcome: opt(&form, "outcome"),
        review_date,
    };
    let (actor, pid) = (user.actor.clone(), id.clone());
    match st
        .tx(move |c| plans::transition(c, &actor, &pid, input))
        .await
    {
        Ok(_) => Ok(redirect(&format!("/plans/{id}?done=flash-saved"))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form, e).await,
    }
}

async fn plan_consent_request(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(field(&form, "csrf"))?;
    let id = path.into_inner();
    let (actor, pid) = (user.actor.clone(), id.clone());
    match st
        .tx(move |c| plans::request_consent(c, &actor, &pid))
        .await
    {
        Ok(true) => Ok(redirect(&format!(
            "/plans/{id}?done=flash-consent-requested"
        ))),
        Ok(false) => Ok(redirect(&format!(
            "/plans/{id}?done=flash-consent-no-email"
        ))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form, e).await,
    }
}

/// The plan as a document to print and sign (API.md: `/plans/{id}/document`).
/// Also answers API clients with a bearer token.
async fn plan_document(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let actor = match user.0 {
        Some(u) => u.actor,
        None => {
            let token = crate::state::bearer(&req).ok_or(DomainError::Unauthorized)?;
            st.db(move |c| Ok(auth::session_actor(c, &token, auth::KIND_BEARER)?))
                .await?
                .map(|(a, _)| a)
                .ok_or(DomainError::Unauthorized)?
        }
    };
    let id = path.into_inner();
    let a = actor.clone();
    let plan = st.audited(move |c| plans::get_plan(c, &a, &id)).await?;
    let view = View::new(&req, None);
    Ok(view.render(
        "plan_document",
        "plan-title",
        json!({"p": plan, "printed": cus_db::today()}),
    ))
}

async fn audit_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let q = query_map(&req);
    let query = AuditQuery {
        subject_type: q.get("subject_type").cloned().filter(|s| !s.is_empty()),
        subject_id: q.get("subject_id").cloned().filter(|s| !s.is_empty()),
        page: q.get("page").and_then(|p| p.parse().ok()),
        per_page: Some(100),
    };
    let actor = user.actor.clone();
    let (rows, total) = st.db(move |c| api::audit_rows(c, &actor, &query)).await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render("audit", "audit-title", json!({"rows": rows, "total": total, "q": q, "subject_types": ["resident", "request", "plan", "service", "user", "municipality"]})))
}

// ---------------------------------------------------------------- contracting (public)

async fn competitions_page(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
) -> AppResult<HttpResponse> {
    let q = query_map(&req);
    let m = q.get("municipality").cloned();
    let items = st
        .db(move |c| contracting::competitions::public_list(c, m.as_deref()))
        .await?;
    let view = View::new(&req, user.0.as_ref());
    Ok(view.render(
        "competitions",
        "competitions-title",
        json!({"competitions": items, "today": cus_db::today()}),
    ))
}

async fn competition_page(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, user.0.as_ref());
    let mut data =
        crate::contracting_pages::competition_data(&st, user.0.as_ref(), path.into_inner()).await?;
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

#[cfg(test)]
mod tests {
    use super::Flash;

    /// Every flash message a page redirects to is one of the set, and each
    /// of the set is translated.
    #[test]
    fn redirects_name_only_known_flash_messages() {
        let sources = [
            include_str!("pages.rs"),
            include_str!("contracting_pages.rs"),
            include_str!("community_pages.rs"),
        ];
        for source in sources {
            for part in source.split("done=flash-").skip(1) {
                let rest: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if rest.is_empty() {
                    continue; // this test's own pattern
                }
                let key = format!("flash-{rest}");
                assert!(Flash::parse(&key).is_some(), "{key} is not in Flash");
            }
        }
        for f in Flash::ALL {
            for lang in crate::i18n::LANGS {
                assert_ne!(crate::i18n::t(lang, f.key()), f.key(), "{lang}");
            }
        }
    }

    #[test]
    fn only_same_site_paths_are_local() {
        use super::local_path;
        for ok in ["/", "/cases", "/requests/new?x=1", "/a/b#c"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil",
            "/x\\y",
            "/\t/evil",
            "/\r\n",
            "https://e",
            "evil",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
