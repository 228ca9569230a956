//! The browser face: handlebars pages over the same service functions as
//! the API. Polish by default, English by `?lang=en` (remembered in a
//! cookie); forms carry the session's CSRF token; no JavaScript.

use actix_web::{web, HttpRequest, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    let _ = cfg;
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let _ = req;
    HttpResponse::NotFound().finish()
}
