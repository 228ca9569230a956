use utoipa_actix_web::service_config::ServiceConfig;

/// This part's routes of `/api/v1`.
pub fn api(_cfg: &mut ServiceConfig) {}

/// This part's pages.
pub fn pages(_cfg: &mut actix_web::web::ServiceConfig) {}
