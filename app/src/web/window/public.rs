//! The public catalogue of services: who provides what, for anyone.

use actix_web::{get, web, HttpRequest, HttpResponse};
use cus_db::DomainError;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::Data;
use crate::dashboard;
use crate::platform::admin;
use crate::platform::error::AppResult;
use crate::web::extract::MaybePageUser;
use crate::web::view::View;
use crate::window::{self, PublicCatalogue};

#[derive(Deserialize, IntoParams)]
pub(super) struct CatalogueQuery {
    /// The municipality's TERYT code (7 digits).
    #[param(
        required = true,
        value_type = String,
        pattern = "^(0[2468]|[12][02468]|3[02])[0-9]{4}[1-589]$"
    )]
    municipality: Option<String>,
}

/// A municipality's active services by area, each with the organizations
/// that have an agreement in force today for it.
#[utoipa::path(params(CatalogueQuery), responses((status = 200, body = PublicCatalogue), (status = 404), (status = 422)))]
#[get("/public/services")]
pub(super) async fn public_services(
    st: Data,
    q: web::Query<CatalogueQuery>,
) -> AppResult<HttpResponse> {
    let m = q.into_inner().municipality.unwrap_or_default();
    let catalogue = st
        .db(move |c| window::public_services(c, &m, dashboard::today()))
        .await?;
    Ok(HttpResponse::Ok().json(catalogue))
}

/// The page: a municipality chosen from the list (the only one when the
/// deployment has one), its services grouped by area.
pub(super) async fn public_page(
    st: Data,
    req: HttpRequest,
    user: MaybePageUser,
    q: web::Query<CatalogueQuery>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, user.0.as_ref());
    let home = user.0.as_ref().and_then(|u| u.actor.municipality.clone());
    let asked = q.into_inner().municipality.filter(|m| !m.trim().is_empty());
    let (list, catalogue) = st
        .db(move |c| {
            let list = admin::municipalities(c)?;
            let chosen = asked
                .or(home)
                .or_else(|| (list.len() == 1).then(|| list[0].teryt.clone()));
            // A code typed into the address that names no municipality
            // shows the list to choose from, not an error page.
            let catalogue = match chosen.map(|m| window::public_services(c, &m, dashboard::today()))
            {
                Some(Ok(catalogue)) => Some(catalogue),
                Some(Err(DomainError::NotFound | DomainError::Invalid(_))) | None => None,
                Some(Err(e)) => return Err(e),
            };
            Ok((list, catalogue))
        })
        .await?;
    let areas = catalogue.as_ref().map(by_area).unwrap_or_default();
    Ok(view.render(
        "public_services",
        "public-services-title",
        json!({
            "municipalities": list,
            "chosen": catalogue.as_ref().map(|c| c.municipality.clone()),
            "name": catalogue.as_ref().map(|c| c.name.clone()),
            "areas": areas,
        }),
    ))
}

/// The services grouped by area, in the catalogue's order.
fn by_area(c: &PublicCatalogue) -> Vec<serde_json::Value> {
    let mut out: Vec<(window::Area, Vec<&window::PublicService>)> = Vec::new();
    for s in &c.services {
        match out.last_mut() {
            Some((area, list)) if *area == s.area => list.push(s),
            _ => out.push((s.area, vec![s])),
        }
    }
    out.into_iter()
        .map(|(area, services)| json!({"area": area, "services": services}))
        .collect()
}
