//! Accounts: sign-in and out (bearer tokens and cookie sessions), resident
//! registration and its confirmation, password reset and change, the profile.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use cus_db::{Actor, DomainError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::admin::Municipality;
use crate::platform::auth::{Registration, KIND_BEARER, KIND_COOKIE, SESSION_COOKIE};
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::platform::{auth, password};
use crate::web::extract::{
    bearer, peer, AnonForm, ApiJson, ApiUser, Form, MaybePageUser, NoFields, PageUser,
};
use crate::web::view::{
    anon_csrf_pair, flash_of, local_path, redirect, safe_next, settle, values, with_cookie, Again,
    Flash, View,
};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(open_session)
        .service(close_session)
        .service(me)
        .service(register)
        .service(confirm)
        .service(password_reset_request)
        .service(password_reset)
        .service(change_password);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/login", get().to(login_form))
        .route("/login", post().to(login))
        .route("/logout", get().to(logout_form))
        .route("/logout", post().to(logout))
        .route("/register", get().to(register_form))
        .route("/register", post().to(register_submit))
        .route("/confirm", get().to(confirm_page))
        .route("/password-reset", get().to(reset_form))
        .route("/password-reset", post().to(reset_ask))
        .route("/password-reset/{token}", get().to(reset_new_form))
        .route("/password-reset/{token}", post().to(reset_new))
        .route("/profile", get().to(profile))
        .route("/profile/password", post().to(profile_password));
}

#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    id: String,
    email: String,
    role: String,
    municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<cus_db::ids::OrganizationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resident_id: Option<String>,
}

impl From<&Actor> for UserInfo {
    fn from(a: &Actor) -> Self {
        UserInfo {
            id: a.user_id.clone(),
            email: a.email.clone(),
            role: a.role.as_str().to_string(),
            municipality: a.municipality.clone(),
            organization_id: a.organization_id.clone(),
            resident_id: a.resident_id.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    #[schema(max_length = 254)]
    email: String,
    #[schema(max_length = 128)]
    password: String,
}

#[derive(Serialize, ToSchema)]
struct SessionOpened {
    token: String,
    user: UserInfo,
}

/// Sign in: a bearer token for the API.
#[utoipa::path(request_body = Credentials, responses((status = 200, body = SessionOpened), (status = 401), (status = 429)))]
#[post("/session")]
async fn open_session(
    st: Data,
    req: HttpRequest,
    body: ApiJson<Credentials>,
) -> AppResult<HttpResponse> {
    let Credentials { email, password } = body.0;
    let address = peer(&req);
    let config = st.config.clone();
    let s = crate::platform::state::hashing(st.db(move |c| {
        auth::login(
            c,
            &config.security,
            &email,
            &password,
            &address,
            KIND_BEARER,
        )
    }))
    .await?;
    Ok(HttpResponse::Ok().json(SessionOpened {
        user: UserInfo::from(&s.actor),
        token: s.token,
    }))
}

/// Sign out: the token stops working at once.
#[utoipa::path(responses((status = 204)), security(("bearer" = [])))]
#[delete("/session")]
async fn close_session(st: Data, req: HttpRequest, _user: ApiUser) -> AppResult<HttpResponse> {
    let token = bearer(&req).unwrap_or_default();
    st.tx(move |c| Ok(auth::logout(c, &token)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(responses((status = 200, body = UserInfo)), security(("bearer" = [])))]
#[get("/me")]
async fn me(user: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(UserInfo::from(&user.0))
}

/// A resident registers; a mail goes through the outbox: the confirmation,
/// or to an account that has the email already a note saying so. The answer
/// is the same either way (202), so that it tells nobody who is on file;
/// only malformed input is refused.
#[utoipa::path(request_body = Registration, responses((status = 202, description = "`{email_confirmation: \"sent\"}`"), (status = 422)))]
#[post("/register")]
async fn register(
    st: Data,
    req: HttpRequest,
    body: ApiJson<Registration>,
) -> AppResult<HttpResponse> {
    let lang = crate::platform::i18n::api_lang(&req);
    let public = st.config.server.public_url.clone();
    let hash = st.hash_password(body.0.password.clone()).await?;
    st.tx(move |c| auth::register_resident(c, body.0, hash, lang, &public))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"email_confirmation": "sent"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConfirmInput {
    token: String,
}

#[utoipa::path(request_body = ConfirmInput, responses((status = 200), (status = 404), (status = 409)))]
#[post("/confirm")]
async fn confirm(st: Data, body: ApiJson<ConfirmInput>) -> AppResult<HttpResponse> {
    st.tx(move |c| auth::confirm_email(c, &body.0.token))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"confirmed": true})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
}

/// Asks for a password reset link by mail. The answer is the same (202)
/// whether or not the address has an account; the link (valid one hour,
/// once) goes only to an existing, enabled account, at most one mail per
/// address per 15 minutes. Only a malformed address is refused.
#[utoipa::path(request_body = ResetRequest, responses((status = 202, description = "`{password_reset: \"requested\"}`"), (status = 422)))]
#[post("/password-reset")]
async fn password_reset_request(st: Data, body: ApiJson<ResetRequest>) -> AppResult<HttpResponse> {
    crate::platform::password::ask(&st, body.0.email).await?;
    Ok(HttpResponse::Accepted().json(json!({"password_reset": "requested"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

/// Sets a new password with the token of a reset link; the token is used
/// up and every session of the account ends. An unknown or expired token
/// answers 404, a used one 409.
#[utoipa::path(request_body = NewPassword, responses((status = 200, description = "`{password: \"changed\"}`"), (status = 404), (status = 409), (status = 422)))]
#[post("/password-reset/{token}")]
async fn password_reset(
    st: Data,
    path: web::Path<String>,
    body: ApiJson<NewPassword>,
) -> AppResult<HttpResponse> {
    crate::platform::password::reset(&st, path.into_inner(), body.0.password).await?;
    Ok(HttpResponse::Ok().json(json!({"password": "changed"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    #[schema(max_length = 128)]
    current_password: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

/// The signed-in user changes their password: a wrong current password is
/// 422 on `current_password` (and counts towards the sign-in throttle,
/// 429); the account's other sessions end, this one stays.
#[utoipa::path(request_body = PasswordChange, responses((status = 200, description = "`{password: \"changed\"}`"), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
#[post("/me/password")]
async fn change_password(
    st: Data,
    req: HttpRequest,
    user: ApiUser,
    body: ApiJson<PasswordChange>,
) -> AppResult<HttpResponse> {
    let PasswordChange {
        current_password,
        password,
    } = body.0;
    let token = bearer(&req).unwrap_or_default();
    crate::platform::password::change(&st, user.0, token, peer(&req), current_password, password)
        .await?;
    Ok(HttpResponse::Ok().json(json!({"password": "changed"})))
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

/// The sign-in form: the API's credentials and where to go next.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(req: HttpRequest, st: Data, form: AnonForm<LoginForm>) -> AppResult<HttpResponse> {
    let view = View::new(&req, None);
    let next = form
        .input
        .as_ref()
        .map(|f| f.next.clone())
        .unwrap_or_default();
    let address = peer(&req);
    let config = st.config.clone();
    let result = match form.input {
        Ok(LoginForm {
            email, password, ..
        }) => {
            crate::platform::state::hashing(st.db(move |c| {
                auth::login(
                    c,
                    &config.security,
                    &email,
                    &password,
                    &address,
                    KIND_COOKIE,
                )
            }))
            .await
        }
        Err(e) => Err(e),
    };
    let data = json!({"form_csrf": form.typed.get("csrf"), "next": local_path(&next).unwrap_or(""), "values": values(&form.typed)});
    match result {
        Ok(session) => {
            let cookie = Cookie::build(SESSION_COOKIE, session.token)
                .path("/")
                .http_only(true)
                .secure(st.config.security.secure_cookies)
                .same_site(SameSite::Lax)
                .finish();
            let mut resp = redirect(&safe_next(&next));
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

async fn logout(
    req: HttpRequest,
    st: Data,
    // Read for its CSRF check: a sign-out cannot be forged from elsewhere.
    _form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        st.tx(move |c| Ok(auth::logout(c, &token)?)).await?;
    }
    let mut resp = redirect("/");
    // The same attributes as the cookie it removes.
    let mut gone = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(st.config.security.secure_cookies)
        .finish();
    gone.make_removal();
    let _ = resp.add_cookie(&gone);
    Ok(resp)
}

async fn municipality_options(st: &Data) -> AppResult<Vec<Municipality>> {
    st.db(|c| Ok(crate::platform::admin::municipalities(c)?))
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

async fn register_submit(
    req: HttpRequest,
    st: Data,
    form: AnonForm<Registration>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, None);
    let lang = view.lang();
    let public = st.config.server.public_url.clone();
    let result = match form.input {
        Ok(reg) => {
            let hash = st.hash_password(reg.password.clone()).await?;
            st.tx(move |c| auth::register_resident(c, reg, hash, lang, &public))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
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
                json!({"form_csrf": form.typed.get("csrf"), "municipalities": municipalities, "values": values(&form.typed)}),
            )
        }
    }
}

async fn confirm_page(
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

async fn reset_form(req: HttpRequest) -> HttpResponse {
    let (csrf, cookie) = anon_csrf_pair(&req);
    let view = View::new(&req, None);
    with_cookie(
        view.render("password_reset", "reset-title", json!({"form_csrf": csrf})),
        cookie,
    )
}

/// The same page for every well-formed address (no enumeration).
async fn reset_ask(
    req: HttpRequest,
    st: Data,
    form: AnonForm<ResetRequest>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, None);
    let result = match form.input {
        Ok(r) => password::ask(&st, r.email).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(view.render(
            "message",
            "reset-title",
            json!({"message": view.t("reset-sent")}),
        )),
        Err(e) => view.form_error(
            e,
            "password_reset",
            "reset-title",
            json!({"form_csrf": form.typed.get("csrf"), "values": values(&form.typed)}),
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
/// A new password, typed twice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

impl NewPasswordForm {
    /// The new password, when both copies agree.
    fn confirmed(self) -> AppResult<(String, String)> {
        if self.password == self.password_confirm {
            Ok((self.current_password, self.password))
        } else {
            Err(DomainError::field("password_confirm", "error-password-mismatch").into())
        }
    }
}

async fn reset_new(
    req: HttpRequest,
    st: Data,
    path: web::Path<String>,
    form: AnonForm<NewPasswordForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let view = View::new(&req, None);
    let result = match form.input.and_then(NewPasswordForm::confirmed) {
        Ok((_, new)) => password::reset(&st, token.clone(), new).await,
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
            json!({"form_csrf": form.typed.get("csrf"), "token": token}),
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
    form: Form<NewPasswordForm>,
) -> AppResult<HttpResponse> {
    let token = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let result = match form.input.and_then(NewPasswordForm::confirmed) {
        Ok((current, new)) => {
            password::change(&st, user.actor.clone(), token, peer(&req), current, new).await
        }
        Err(e) => Err(e),
    };
    let data = profile_data(&user);
    settle(
        &View::new(&req, Some(&user)),
        &form.typed,
        result,
        (Flash::PasswordChanged, "/profile"),
        Again {
            template: "profile",
            title: "profile-title",
            data: async { Ok(data) },
        },
    )
    .await
}
