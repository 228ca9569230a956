//! Community work and the partner forum, over the `community` crate; each
//! part's API handlers and pages side by side.

pub mod forum;
pub mod work;

use utoipa_actix_web::service_config::ServiceConfig;

/// Community's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    work::api(cfg);
    forum::api(cfg);
}

/// Community's pages.
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    work::pages(cfg);
    forum::pages(cfg);
}
