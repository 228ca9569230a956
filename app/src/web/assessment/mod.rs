//! Assessment and benchmarking over `crate::assessment`: the dictionary,
//! runs and results, benchmarks with their exports and chart, surveys,
//! benchmarking groups and corrective actions; API and pages side by side.

pub mod corrective;
pub mod groups;
pub mod results;
pub mod surveys;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::assessment::runs::Settings;
use crate::platform::state::AppState;

/// Assessment's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    results::api(cfg);
    surveys::api(cfg);
    groups::api(cfg);
    corrective::api(cfg);
}

/// Assessment's pages.
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    results::pages(cfg);
    surveys::pages(cfg);
    groups::pages(cfg);
    corrective::pages(cfg);
}

impl AppState {
    /// What assessment computations read from the configuration.
    pub fn assessment(&self) -> Settings {
        Settings {
            min_group: self.config.assessment.min_group,
            plan_deadline_days: self.config.rules.plan_deadline_days,
            stale_run_minutes: self.config.assessment.stale_run_minutes,
        }
    }
}
