//! Rendering pages: the view of one request (language, user, CSRF), flash
//! messages, redirects, error pages, static files, cookies.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use cus_db::DomainError;
use rust_embed::RustEmbed;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::platform::error::{translate_fields, AppError, AppResult};
use crate::platform::i18n::LANG_COOKIE;
use crate::platform::state::AppState;
use crate::platform::{auth, i18n, templates};
use crate::web::extract::{PageUser, ANON_CSRF_COOKIE};
use crate::web::menu;

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
        let sections = match &self.user {
            Some(u) => menu::sections(&u.actor),
            None => menu::public_sections(),
        };
        self.menu(&mut ctx, &sections);
        if let Some(u) = &self.user {
            let a = &u.actor;
            ctx["user"] =
                json!({"name": a.display_name, "role": a.role.as_str(), "email": a.email});
            ctx["csrf"] = json!(u.csrf);
        }
        ctx
    }

    /// The header's areas (`menu`), the current one marked, and the current
    /// area's pages (`submenu`) when it has more than one.
    fn menu(&self, ctx: &mut Value, sections: &[menu::Section]) {
        let current = menu::current(sections, &self.path);
        let entries: Vec<Value> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "label": self.t(s.key),
                    "href": s.links[0].href,
                    "current": current.is_some_and(|(c, _)| c == i),
                })
            })
            .collect();
        ctx["menu"] = json!(entries);
        ctx["submenu"] = match current {
            Some((i, here)) if sections[i].links.len() > 1 => json!({
                "label": self.t(sections[i].key),
                "links": sections[i].links.iter().map(|l| json!({
                    "label": self.t(l.key),
                    "href": l.href,
                    "current": l.href == here.href,
                })).collect::<Vec<_>>(),
            }),
            _ => Value::Null,
        };
        ctx["sections"] = json!(sections
            .iter()
            .map(|s| json!({
                "label": self.t(s.key),
                "links": s.links.iter().map(|l| json!({"label": self.t(l.key), "href": l.href})).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>());
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        title_key: &str,
        data: Value,
    ) -> HttpResponse {
        let mut ctx = self.base(title_key);
        // The layout names the template (`data-page`): the template test
        // knows which pages a crawl reached.
        ctx["page_template"] = json!(template);
        if let (Value::Object(c), Value::Object(d)) = (&mut ctx, data) {
            c.extend(d);
        }
        let html = match templates::render(template, &ctx) {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "page rendering failed");
                // A debug build (the tests) says which field, for the test's message.
                let body = if cfg!(debug_assertions) {
                    format!("template error: {e}")
                } else {
                    "template error".to_string()
                };
                return HttpResponse::InternalServerError().body(body);
            }
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("text/html; charset=utf-8");
        if self.set_lang {
            resp.cookie(
                // Read by the server only (the pages run no scripts).
                Cookie::build(LANG_COOKIE, self.lang)
                    .path("/")
                    .http_only(true)
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
            AppError::Domain(DomainError::Blocked(code)) => {
                data["alert"] = json!(self.t(&format!("error-{code}")));
                Ok(self.render_status(StatusCode::CONFLICT, template, title_key, data))
            }
            _ => Err(err),
        }
    }
}

/// The page a refused form is shown again on: its template, title and
/// data (rebuilt only on refusal).
pub struct Again<F> {
    pub template: &'static str,
    pub title: &'static str,
    pub data: F,
}

/// The end of a page form: on success go to `done.1` with the status box
/// saying `done.0` (303); on a refusal show the page again with the reasons
/// and what was typed.
pub async fn settle<T>(
    view: &View,
    typed: &HashMap<String, String>,
    result: AppResult<T>,
    done: (Flash, &str),
    again: Again<impl std::future::Future<Output = AppResult<Value>>>,
) -> AppResult<HttpResponse> {
    match result {
        Ok(_) => Ok(done.0.redirect(done.1)),
        Err(e) => {
            let mut data = again.data.await?;
            data["values"] = values(typed);
            view.form_error(e, again.template, again.title, data)
        }
    }
}

/// The page a form ends on: where a form that succeeds goes (the status box
/// saying "saved"), and what a refused one shows again — its template,
/// title, data (built only then) and, on a page of several forms, which
/// one failed (`failed_action` in the data, to open it beside the reasons).
pub struct RecordPage<F> {
    to: String,
    template: &'static str,
    title: &'static str,
    data: F,
    failed: Option<&'static str>,
}

impl<F: std::future::Future<Output = AppResult<Value>>> RecordPage<F> {
    pub fn new(to: String, template: &'static str, title: &'static str, data: F) -> Self {
        RecordPage {
            to,
            template,
            title,
            data,
            failed: None,
        }
    }

    /// Names the form that failed when the page shows again.
    pub fn failed(self, action: &'static str) -> Self {
        RecordPage {
            failed: Some(action),
            ..self
        }
    }

    /// The end of the page's form (`settle` on this page).
    pub async fn settle<T>(
        self,
        req: &HttpRequest,
        user: &PageUser,
        typed: &HashMap<String, String>,
        result: AppResult<T>,
    ) -> AppResult<HttpResponse> {
        let RecordPage {
            to,
            template,
            title,
            data,
            failed,
        } = self;
        let data = async move {
            let mut data = data.await?;
            if let Some(action) = failed {
                data["failed_action"] = json!(action);
            }
            Ok(data)
        };
        let again = Again {
            template,
            title,
            data,
        };
        let view = View::new(req, Some(user));
        settle(&view, typed, result, (Flash::Saved, &to), again).await
    }
}

/// Links to the pages before and after this one of a list of `total`
/// records, `per_page` each, keeping the rest of the query string.
pub fn pager(req: &HttpRequest, page: Option<i64>, per_page: i64, total: i64) -> Value {
    pager_at(req, req.path(), page, per_page, total)
}

/// [`pager`] for a list read with [`cus_db::bounds::Paging`], linking to the
/// list's page at `path` (a form posted elsewhere renders the list too).
pub fn pager_of(
    req: &HttpRequest,
    path: &str,
    paging: &cus_db::bounds::Paging,
    total: i64,
) -> Value {
    let per_page = paging.per_page.unwrap_or(cus_db::bounds::PER_PAGE);
    pager_at(req, path, paging.page, per_page, total)
}

fn pager_at(req: &HttpRequest, path: &str, page: Option<i64>, per_page: i64, total: i64) -> Value {
    let page = page.unwrap_or(1).max(1);
    let pages = ((total + per_page - 1) / per_page.max(1)).max(1);
    let href = |n: i64| {
        let mut pairs: Vec<(String, String)> = query_map(req)
            .into_iter()
            .filter(|(k, _)| k != "page")
            .collect();
        pairs.sort();
        pairs.push(("page".into(), n.to_string()));
        format!(
            "{}?{}",
            path,
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    json!({
        "page": page,
        "pages": pages,
        "prev": (page > 1).then(|| href(page - 1)),
        "next": (page < pages).then(|| href(page + 1)),
    })
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
    AccountCreated,
}

impl Flash {
    pub const ALL: [Flash; 8] = [
        Flash::Saved,
        Flash::Sent,
        Flash::RequestFiled,
        Flash::ResidentRegistered,
        Flash::ConsentRequested,
        Flash::ConsentNoEmail,
        Flash::PasswordChanged,
        Flash::AccountCreated,
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
            Flash::AccountCreated => "flash-account-created",
        }
    }

    pub fn parse(key: &str) -> Option<Flash> {
        Flash::ALL.into_iter().find(|f| f.key() == key)
    }
}

impl Flash {
    /// The redirect that ends a form: back to `to` (a path, with or without
    /// a query and a `#fragment`), the status box saying `self`.
    pub fn redirect(self, to: &str) -> HttpResponse {
        let (path, fragment) = to.split_once('#').map_or((to, ""), |(p, f)| (p, f));
        let join = if path.contains('?') { '&' } else { '?' };
        let hash = if fragment.is_empty() { "" } else { "#" };
        redirect(&format!("{path}{join}done={}{hash}{fragment}", self.key()))
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
    let title = crate::platform::i18n::t(lang, "error-title");
    let message = crate::platform::i18n::t(lang, "error-internal");
    let reference = crate::platform::i18n::t(lang, "error-correlation");
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
        err.json_response(crate::platform::i18n::api_lang(&req), None)
    } else {
        error_page(&req, &err, None)
    }
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
pub fn safe_next(next: &str) -> String {
    local_path(next).unwrap_or("/").to_string()
}

#[cfg(test)]
mod tests {
    use super::Flash;

    /// Every flash message a page redirects to is one of the set, and each
    /// of the set is translated.
    #[test]
    fn every_flash_message_is_translated() {
        for f in Flash::ALL {
            for lang in crate::platform::i18n::LANGS {
                assert_ne!(crate::platform::i18n::t(lang, f.key()), f.key(), "{lang}");
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

/// The static files (the style sheet).
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{file}", web::get().to(static_file));
}
