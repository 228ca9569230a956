//! Contracting services to NGOs: organizations, cooperation programs, open
//! competitions with offers and their evaluation, agreements; each part's
//! API handlers and pages side by side, over the `contracting` crate.

pub mod agreements;
mod competition_forms;
pub mod competitions;
pub mod forms;
pub mod organizations;
pub mod programs;

use utoipa_actix_web::service_config::ServiceConfig;

/// Contracting's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    organizations::api(cfg);
    programs::api(cfg);
    competitions::api(cfg);
    agreements::api(cfg);
}

/// Contracting's pages.
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    organizations::pages(cfg);
    programs::pages(cfg);
    competitions::pages(cfg);
    agreements::pages(cfg);
}
