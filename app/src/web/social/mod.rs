//! The social services program and its diagnosis (`crate::social`): the
//! API of API.md "The social services program", the staff pages, the
//! printable consultation report and evaluation, and the public page with
//! its Atom feed.

use crate::social::programs::ProgramId;
use actix_web::web;
use cus_db::{Actor, Role};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;

type Data = web::Data<AppState>;
mod diagnoses;
use diagnoses::*;
mod public;
use public::*;
mod program;
use program::*;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_diagnosis)
        .service(list_diagnoses)
        .service(get_diagnosis)
        .service(patch_diagnosis)
        .service(publish_diagnosis)
        .service(create_program)
        .service(list_programs)
        .service(public_programs)
        .service(get_program)
        .service(patch_program)
        .service(transition_program)
        .service(comment_program)
        .service(answer_comment)
        .service(consultation_report)
        .service(amend_program)
        .service(program_progress)
        .service(program_evaluation)
        .service(publish_evaluation);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/diagnoses", get().to(diagnoses_page))
        .route("/diagnoses", post().to(diagnosis_create))
        .route("/diagnoses/{id}", get().to(diagnosis_page))
        .route("/diagnoses/{id}", post().to(diagnosis_edit))
        .route("/diagnoses/{id}/publish", post().to(diagnosis_publish))
        .route("/social-programs", get().to(programs_page))
        .route("/social-programs", post().to(program_create))
        .route("/social-programs.atom", get().to(programs_atom))
        .route("/public/social-programs", get().to(public_page))
        .route("/social-programs/{id}", get().to(program_page))
        .route("/social-programs/{id}", post().to(program_edit))
        .route("/social-programs/{id}/services", post().to(service_add))
        .route(
            "/social-programs/{id}/services/{service_id}/remove",
            post().to(service_remove),
        )
        .route(
            "/social-programs/{id}/transition",
            post().to(program_transition),
        )
        .route("/social-programs/{id}/comments", post().to(program_comment))
        .route(
            "/social-programs/{id}/comments/{comment_id}/answer",
            post().to(comment_answer),
        )
        .route("/social-programs/{id}/amendments", post().to(program_amend))
        .route(
            "/social-programs/{id}/consultation-report",
            get().to(report_page),
        )
        .route(
            "/social-programs/{id}/evaluations/{year}",
            get().to(evaluation_page),
        )
        .route(
            "/social-programs/{id}/evaluations/{year}",
            post().to(evaluation_publish),
        );
}

impl AppState {
    fn min_group(&self) -> i64 {
        self.config.assessment.min_group
    }
}

// --- the API ------------------------------------------------------------

/// A program's id and a year from the path; a year that is no number names
/// no evaluation (404).
fn path_year(path: web::Path<(ProgramId, String)>) -> AppResult<(ProgramId, i32)> {
    let (id, year) = path.into_inner();
    let year = year
        .parse()
        .map_err(|_| AppError::from(cus_db::DomainError::NotFound))?;
    Ok((id, year))
}

// --- the pages ----------------------------------------------------------

fn can_edit(a: &Actor) -> bool {
    a.role == Role::Organizer
}
