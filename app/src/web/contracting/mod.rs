//! Contracting services to NGOs: organizations, cooperation programs, open
//! competitions with offers and their evaluation, agreements; each part's
//! API handlers and pages side by side, over the `contracting` crate.

pub mod agreements;
mod competition_forms;
pub mod competitions;
pub mod forms;
pub mod organizations;
pub mod programs;

use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;
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

/// `?municipality=`: one municipality's public records; all when absent.
#[derive(Deserialize, IntoParams)]
pub struct MunicipalityQuery {
    pub municipality: Option<String>,
}

/// The social services program's services an agreement or competition may
/// name, for the forms' choice: `[{id, label}]`.
pub fn program_services(
    c: &mut cus_db::DbConn,
    actor: &cus_db::Actor,
) -> cus_db::DomainResult<Vec<Value>> {
    Ok(crate::social::programs::service_choices(c, actor.home()?)?
        .into_iter()
        .map(|(id, label)| json!({"id": id, "label": label}))
        .collect())
}
