//! The single window: the public front page, the service catalogue,
//! residents, requests with routing and messages, the resident's cases and
//! the staff's work list.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::state::AppState;
use crate::web::extract::MaybePageUser;
use crate::web::view::View;

type Data = web::Data<AppState>;
mod services;
use services::*;
mod residents;
pub(crate) use residents::resident_data;
use residents::*;
mod requests;
use requests::*;
mod public;
use public::*;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(list_services)
        .service(create_service)
        .service(update_service)
        .service(create_resident)
        .service(search_residents)
        .service(get_resident)
        .service(create_request)
        .service(list_requests)
        .service(get_request)
        .service(route_request)
        .service(send_message)
        .service(public_services);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/accessibility", get().to(accessibility))
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
        .route("/public/services", get().to(public_page));
}

async fn accessibility(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    View::new(&req, user.0.as_ref()).render("accessibility", "a11y-title", json!({}))
}
