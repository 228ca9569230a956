//! What every handler gets: the shared state, the authenticated user (bearer
//! token for the API, cookie session for pages), and a strict JSON body.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use cus_db::{Actor, Backend, DbConn, DomainError, DomainResult, Pool, WriteError, Writer};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::auth::{self, KIND_BEARER, KIND_COOKIE, SESSION_COOKIE};
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;

/// JSON bodies larger than this answer 413 (API.md).
pub const JSON_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    /// Readers (and, on PostgreSQL, writers too).
    pub pool: Pool,
    /// SQLite's group-commit writer; `None` on PostgreSQL, whose pooled
    /// transactions commit in groups on the server's side.
    pub writer: Option<Arc<Writer>>,
    pub config: Arc<Config>,
    pub backend: Backend,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || -> AppResult<T> {
            let mut conn = pool.get()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// Runs `f` as one unit of work: the change, its audit rows and its
    /// outbox messages commit together or not at all, and this returns only
    /// once they are durable. On SQLite the unit queues to the group-commit
    /// writer; on PostgreSQL it is a pooled transaction.
    pub async fn tx<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return self.db(move |conn| cus_db::transaction(conn, f)).await;
        };
        let (answer, outcome) = tokio::sync::oneshot::channel();
        writer.submit(f, move |result| {
            let _ = answer.send(result);
        });
        match outcome.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(WriteError::Unit(e))) => Err(e.into()),
            Ok(Err(WriteError::Panicked(why))) => Err(AppError::Internal(format!(
                "the unit of work panicked: {why}"
            ))),
            Ok(Err(WriteError::Commit(why))) => Err(AppError::Internal(format!(
                "the batch did not commit: {why}"
            ))),
            Ok(Err(WriteError::Stopped)) | Err(_) => Err(AppError::Internal(
                "the write was not made (the writer stopped or failed)".into(),
            )),
        }
    }

    /// Runs the read `f` on a reader connection; the audit rows it records
    /// are committed through [`AppState::tx`] before this returns, so the
    /// answer waits until the log of the read is durable.
    pub async fn audited<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (value, rows) = self
            .db(move |conn| {
                let capture = cus_db::audit::capture();
                let value = cus_db::read_transaction(conn, f)?;
                Ok((value, capture.finish()))
            })
            .await?;
        if !rows.is_empty() {
            self.tx(move |conn| Ok(cus_db::audit::write_rows(conn, &rows)?))
                .await?;
        }
        Ok(value)
    }

    pub fn mailer(&self) -> Result<Mailer, String> {
        Mailer::from_config(&self.config)
    }
}

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

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let inner = e.inner();
            if inner.is_data() {
                let mut path = e.path().to_string();
                let text = inner.to_string();
                // serde names an unknown or missing field in the message.
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
                } else if let Some(key) = cus_db::bounds::serde_refusal(&text) {
                    // Out-of-range dates and numbers say so (cus_db::bounds).
                    key
                } else {
                    "error-type"
                };
                Err(DomainError::field(&path, key).into())
            } else {
                Err(AppError::BadRequest(inner.to_string()))
            }
        }
    }
}

/// The client's address, for the login throttle. Behind a proxy this is the
/// proxy: put the throttle there too.
pub fn peer(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}
