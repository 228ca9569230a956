use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use cus_db::{Actor, DomainError};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use crate::platform::auth;
use crate::platform::auth::{KIND_BEARER, KIND_COOKIE, SESSION_COOKIE};
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;

/// JSON bodies larger than this answer 413 (API.md).
pub const JSON_LIMIT: usize = 1024 * 1024;

fn state(req: &HttpRequest) -> AppState {
    req.app_data::<web::Data<AppState>>()
        .expect("state is registered")
        .get_ref()
        .clone()
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// The API caller, from `Authorization: Bearer TOKEN`.
pub struct ApiUser(pub Actor);

pub fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = LocalFuture<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let st = state(req);
        Box::pin(async move {
            let token = token.ok_or(DomainError::Unauthorized)?;
            let found = st
                .db(move |c| Ok(auth::session_actor(c, &token, KIND_BEARER)?))
                .await?;
            found
                .map(|(a, _)| ApiUser(a))
                .ok_or(DomainError::Unauthorized.into())
        })
    }
}

/// An API caller who may be anonymous (public routes that do more for a
/// signed-in user). A bad token is still refused.
pub struct MaybeApiUser(pub Option<Actor>);

impl FromRequest for MaybeApiUser {
    type Error = AppError;
    type Future = LocalFuture<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let anonymous = bearer(req).is_none();
        let fut = ApiUser::from_request(req, payload);
        Box::pin(async move {
            if anonymous {
                Ok(MaybeApiUser(None))
            } else {
                fut.await.map(|u| MaybeApiUser(Some(u.0)))
            }
        })
    }
}

/// 415 unless the body is declared as JSON.
pub fn require_json(req: &HttpRequest) -> AppResult<()> {
    let is_json = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "application/json");
    if is_json {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType)
    }
}

/// The signed-in browser user, from the session cookie, with the session's
/// CSRF token that every form must carry.
#[derive(Clone)]
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
}

impl PageUser {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> AppResult<()> {
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(DomainError::Forbidden.into())
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A browser user who may or may not be signed in.
pub struct MaybePageUser(pub Option<PageUser>);

fn page_user(req: &HttpRequest) -> LocalFuture<AppResult<Option<PageUser>>> {
    let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let st = state(req);
    let cached = req.extensions().get::<PageUser>().cloned();
    let req = req.clone();
    Box::pin(async move {
        if let Some(u) = cached {
            return Ok(Some(u));
        }
        let Some(token) = token else { return Ok(None) };
        let found = st
            .db(move |c| Ok(auth::session_actor(c, &token, KIND_COOKIE)?))
            .await?;
        let user = found.map(|(actor, csrf)| PageUser { actor, csrf });
        if let Some(u) = &user {
            req.extensions_mut().insert(u.clone());
        }
        Ok(user)
    })
}

impl FromRequest for MaybePageUser {
    type Error = AppError;
    type Future = LocalFuture<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = page_user(req);
        Box::pin(async move { fut.await.map(MaybePageUser) })
    }
}

impl FromRequest for PageUser {
    type Error = actix_web::Error;
    type Future = LocalFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = page_user(req);
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        Box::pin(async move {
            match fut.await? {
                Some(u) => Ok(u),
                None => {
                    let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
                    let to_login = HttpResponse::SeeOther()
                        .insert_header((header::LOCATION, format!("/login?{next}")))
                        .finish();
                    Err(actix_web::error::InternalError::from_response("sign in", to_login).into())
                }
            }
        })
    }
}

/// A JSON body: `application/json` only (415), at most 1 MiB (413), syntax
/// errors 400, and wrong, missing or unknown fields 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalFuture<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = require_json(req).is_ok();
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType);
            }
            if declared_len.is_some_and(|n| n > JSON_LIMIT) {
                return Err(AppError::TooLarge);
            }
            let mut body = web::BytesMut::new();
            use futures_util::StreamExt;
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(AppError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

/// A body that did not fit its input struct, as a 422 naming the field
/// (serde names an unknown or a missing field only in its message).
fn field_refusal(mut path: String, text: String) -> AppError {
    if let Some(name) = text.split('`').nth(1) {
        if text.starts_with("unknown field") || text.starts_with("missing field") {
            if path == "." {
                path = name.to_string();
            } else if !path.ends_with(name) {
                path = format!("{path}.{name}");
            }
        }
    }
    let key = if text.starts_with("unknown field") {
        "error-unknown-field"
    } else if text.starts_with("missing field") {
        "error-required"
    } else {
        // Out-of-range dates and numbers say so, and the pages' own field
        // types (money in złoty, rows) give their keys (cus_db::bounds).
        cus_db::bounds::serde_refusal(&text).unwrap_or("error-type")
    };
    DomainError::field(&path, key).into()
}

/// An optional JSON body: none at all (an empty body) is `None`; anything sent is read as [`ApiJson`] reads it, so a body that
/// is malformed, too large or not JSON is refused, never taken for "no
/// body" (`Option<ApiJson<T>>` would swallow the refusal and run the action
/// with defaults).
pub struct MaybeJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for MaybeJson<T> {
    type Error = AppError;
    type Future = LocalFuture<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let declared_len = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<usize>().ok());
        // HTTP/1.1: without a length or chunked encoding there is no body.
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        if !chunked && declared_len.unwrap_or(0) == 0 {
            return Box::pin(async { Ok(MaybeJson(None)) });
        }
        let fut = ApiJson::<T>::from_request(req, payload);
        Box::pin(async move { fut.await.map(|j| MaybeJson(Some(j.0))) })
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    // A body that is not JSON at all is 400 (API.md), even when the typed
    // reading below would first meet a field it refuses (422): a truncated
    // `{"title": "x", ` is malformed, not an unknown field.
    // Duplicated keys are refused here (400): were the last copy to win,
    // a proxy or log reading the first would see another request than the
    // one served.
    let mut value = serde_json::from_slice::<UniqueKeys>(body)
        .map_err(|e| AppError::BadRequest(e.to_string()))?
        .0;
    // Every body is an object (serde would also read a struct from an array
    // of its fields' values).
    if !value.is_object() {
        return Err(DomainError::field(".", "error-type").into());
    }
    // Control characters are refused in every string, naming the field,
    // before any service sees the text (long text keeps tabs and breaks;
    // the services' text checks refuse those in lines).
    let mut fields = cus_db::FieldErrors::new();
    control_characters_in(&value, &mut String::new(), &mut fields);
    if !fields.is_empty() {
        return Err(DomainError::Invalid(fields).into());
    }
    // A number with no fraction is an integer, as JSON Schema says (`789.0`
    // for an integer field), whichever way the client wrote it.
    integral_floats_to_integers(&mut value);
    // The typed reading runs on the value already parsed: one parse a body.
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        if e.inner().is_data() {
            field_refusal(e.path().to_string(), e.inner().to_string())
        } else {
            AppError::BadRequest(e.inner().to_string())
        }
    })
}

/// A JSON value read like `serde_json::Value`, but an object that names a
/// key twice, at any depth, is an error.
struct UniqueKeys(serde_json::Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    key.replace(char::is_control, "?")
                )));
            }
            let UniqueKeys(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(object.into())
    }
}

/// Turns every float in `value` that has no fraction and fits an `i64`
/// into an integer.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// Field paths (as serde_path_to_error writes them: `a.b[0].c`) of the
/// strings in `value` that hold a control character other than a tab or a
/// line break.
fn control_characters_in(
    value: &serde_json::Value,
    path: &mut String,
    fields: &mut cus_db::FieldErrors,
) {
    use serde_json::Value;
    fn refuse(fields: &mut cus_db::FieldErrors, path: &str) {
        let name = if path.is_empty() { "." } else { path };
        fields.insert(
            name.to_string(),
            vec![cus_db::error::CONTROL_CHARACTER.to_string()],
        );
    }
    match value {
        Value::String(s) if cus_db::error::control_refusal(s, true).is_some() => {
            refuse(fields, path);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                control_characters_in(item, path, fields);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if cus_db::error::control_refusal(key, false).is_some() {
                    path.push_str(&key.replace(char::is_control, "?"));
                    refuse(fields, path);
                } else {
                    path.push_str(key);
                    control_characters_in(item, path, fields);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// A page form, typed: its fields read into `T`, the same input struct the
/// API takes (or, where a page asks in its own terms, such as złoty instead
/// of grosze, a page struct that converts into it), and what was typed, to
/// show again beside the reasons on refusal. Empty fields count as absent,
/// so a required one that is left empty is `error-required` and an optional
/// one is `None`. A field that does not fit its type is refused naming it;
/// the handler renders that refusal on the form as it does the service's.
pub struct Form<T> {
    pub input: AppResult<T>,
    pub typed: HashMap<String, String>,
}

/// A form that carries nothing but its CSRF token (a sign-out button).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

impl<T> Form<T> {
    /// The same fields read into another input struct.
    pub fn parse<U: DeserializeOwned>(&self) -> AppResult<U> {
        read_form(&self.typed, &["csrf"])
    }
}

/// `typed`, but for the `skipped` fields, into `U` (serde_html_form: an
/// empty field is `None` for an `Option`, "" for a `String`, so the services
/// still report every missing field at once); serde's refusals name the
/// field. The CSRF token is the extractor's, not the input's.
fn read_form<U: DeserializeOwned>(
    typed: &HashMap<String, String>,
    skipped: &[&str],
) -> AppResult<U> {
    let fields = typed.iter().filter(|(k, _)| !skipped.contains(&k.as_str()));
    let encoded = serde_urlencoded::to_string(fields.collect::<Vec<_>>())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let de = serde_html_form::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize::<_, U>(de)
        .map_err(|e| field_refusal(e.path().to_string(), e.inner().to_string()))
}

/// A checkbox: checked when sent at all (browsers send "on"), else false.
/// `#[serde(default, deserialize_with = "checkbox")]`.
pub fn checkbox<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let _ = <String as serde::Deserialize>::deserialize(d)?;
    Ok(true)
}

/// The double-submit cookie of anonymous forms (sign-in, registration).
pub const ANON_CSRF_COOKIE: &str = "cus_csrf";

fn check_anon_csrf_form(req: &HttpRequest, form: &HashMap<String, String>) -> AppResult<()> {
    let cookie = req
        .cookie(ANON_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    if !cookie.is_empty() && constant_time_eq(cookie.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

/// Whose CSRF token a page form must carry: the signed-in session's
/// ([`Form`]), or the double-submit cookie of an anonymous page ([`AnonForm`]).
enum Csrf {
    Session,
    Anonymous,
}

/// A form of an anonymous page (sign-in, registration, a survey's answer):
/// [`Form`], but the CSRF token is the double-submit cookie's.
pub struct AnonForm<T> {
    pub input: AppResult<T>,
    pub typed: HashMap<String, String>,
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = LocalFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_page_form::<T>(req, payload, Csrf::Session);
        Box::pin(async move {
            let (input, typed) = read.await?;
            Ok(Form { input, typed })
        })
    }
}

impl<T> AnonForm<T> {
    /// The token the form carried (its cookie's), to render the form again.
    pub fn csrf(&self) -> &str {
        self.typed.get("csrf").map(String::as_str).unwrap_or("")
    }

    /// The same fields read into another input struct, as [`Form::parse`].
    pub fn parse<U: DeserializeOwned>(&self) -> AppResult<U> {
        read_form(&self.typed, &["csrf"])
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for AnonForm<T> {
    type Error = actix_web::Error;
    type Future = LocalFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_page_form::<T>(req, payload, Csrf::Anonymous);
        Box::pin(async move {
            let (input, typed) = read.await?;
            Ok(AnonForm { input, typed })
        })
    }
}

type PageForm<T> = (AppResult<T>, HashMap<String, String>);

/// The one path of a page form: the sender (signed in, for a session's
/// form: otherwise to the sign-in page), the fields, control characters
/// refused, the CSRF token checked, then the typed input. A handler that
/// takes a form cannot skip the token.
fn read_page_form<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    csrf: Csrf,
) -> LocalFuture<Result<PageForm<T>, actix_web::Error>> {
    let user = match csrf {
        Csrf::Session => Some(PageUser::from_request(req, &mut Payload::None)),
        Csrf::Anonymous => None,
    };
    let form = web::Form::<HashMap<String, String>>::from_request(req, payload);
    let req = req.clone();
    Box::pin(async move {
        let user = match user {
            Some(u) => Some(u.await?),
            None => None,
        };
        let typed = form.await?.into_inner();
        // Control characters are refused before anything reads the
        // fields (long text keeps tabs and line breaks).
        let mut fields = cus_db::FieldErrors::new();
        for (name, value) in &typed {
            if cus_db::error::control_refusal(name, false).is_some()
                || cus_db::error::control_refusal(value, true).is_some()
            {
                fields.insert(
                    name.replace(char::is_control, "?"),
                    vec![cus_db::error::CONTROL_CHARACTER.to_string()],
                );
            }
        }
        if !fields.is_empty() {
            return Err(AppError::from(DomainError::Invalid(fields)).into());
        }
        match user {
            Some(user) => user.check_csrf(typed.get("csrf").map_or("", String::as_str))?,
            None => check_anon_csrf_form(&req, &typed)?,
        }
        let input = read_form(&typed, &["csrf"]);
        Ok((input, typed))
    })
}

/// The refusal of a request whose query string (any parameter, name or
/// value, decoded) holds a control character: 422 naming the parameter. A
/// path that does when decoded names nothing here: 404.
pub fn control_characters_in_request(req: &HttpRequest) -> Option<AppError> {
    if cus_db::error::control_refusal(&percent_decoded(req.path()), false).is_some() {
        return Some(DomainError::NotFound.into());
    }
    let query = req.query_string();
    if query.is_empty() {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut fields = cus_db::FieldErrors::new();
    for (name, value) in pairs {
        if cus_db::error::control_refusal(&name, false).is_some()
            || cus_db::error::control_refusal(&value, false).is_some()
        {
            fields.insert(
                name.replace(char::is_control, "?"),
                vec![cus_db::error::CONTROL_CHARACTER.to_string()],
            );
        }
    }
    (!fields.is_empty()).then(|| DomainError::Invalid(fields).into())
}

/// `%XX` escapes decoded (as the router decodes path segments).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client's address, for the login throttle. Behind a proxy this is the
/// proxy: put the throttle there too.
pub fn peer(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}
