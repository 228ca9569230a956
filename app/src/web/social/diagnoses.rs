//! The diagnosis of social needs: its API and the staff pages.

use super::*;
use crate::platform::error::AppResult;
use crate::social::diagnosis::{self, DiagnosisId, DiagnosisInput, DiagnosisPatch};
use crate::web::api::{created, list};
use crate::web::extract::{ApiJson, ApiUser, Form, NoFields, PageUser};
use crate::web::view::{flash_of, values, Flash, RecordPage, View};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde_json::{json, Value};
use std::collections::HashMap;

#[utoipa::path(request_body = DiagnosisInput, responses((status = 201, body = diagnosis::Diagnosis), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/diagnoses")]
pub(super) async fn create_diagnosis(
    st: Data,
    user: ApiUser,
    body: ApiJson<DiagnosisInput>,
) -> AppResult<HttpResponse> {
    let min = st.min_group();
    Ok(created(
        &st.tx(move |c| {
            diagnosis::create(c, &user.0, body.0, min).map(|d| labelled(d, &user.0.locale))
        })
        .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<diagnosis::DiagnosisRow>), (status = 403)), security(("bearer" = [])))]
#[get("/diagnoses")]
pub(super) async fn list_diagnoses(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| diagnosis::list(c, &user.0)).await?))
}

/// A diagnosis; its figures recomputed while a draft, frozen once published.
#[utoipa::path(params(("id" = DiagnosisId, Path)), responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/diagnoses/{id}")]
pub(super) async fn get_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<DiagnosisId>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(
        st.db(move |c| diagnosis::get(c, &user.0, &id, min).map(|d| labelled(d, &user.0.locale)))
            .await?,
    ))
}

#[utoipa::path(params(("id" = DiagnosisId, Path)), request_body = DiagnosisPatch, responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[patch("/diagnoses/{id}")]
pub(super) async fn patch_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<DiagnosisId>,
    body: ApiJson<DiagnosisPatch>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| {
            diagnosis::patch(c, &user.0, &id, body.0, min).map(|d| labelled(d, &user.0.locale))
        })
        .await?,
    ))
}

/// Freezes the figures (409 when already published).
#[utoipa::path(params(("id" = DiagnosisId, Path)), responses((status = 200, body = diagnosis::Diagnosis), (status = 404), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/diagnoses/{id}/publish")]
pub(super) async fn publish_diagnosis(
    st: Data,
    user: ApiUser,
    path: web::Path<DiagnosisId>,
) -> AppResult<HttpResponse> {
    let (id, min) = (path.into_inner(), st.min_group());
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| {
            diagnosis::publish(c, &user.0, &id, min).map(|d| labelled(d, &user.0.locale))
        })
        .await?,
    ))
}

pub(super) async fn diagnoses_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let list = st.db(move |c| diagnosis::list(c, &actor)).await?;
    Ok(json!({"diagnoses": list, "can_create": can_edit(&user.actor)}))
}

pub(super) async fn diagnoses_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = diagnoses_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    let year = cus_db::today().year() - 1;
    data["values"] =
        json!({"period_from": format!("{year}-01-01"), "period_to": format!("{year}-12-31")});
    Ok(view.render("diagnoses", "diagnoses-title", data))
}

pub(super) async fn diagnosis_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<DiagnosisInput>,
) -> AppResult<HttpResponse> {
    let (actor, min) = (user.actor.clone(), st.min_group());
    let Form { input, typed } = form;
    let result = st
        .tx_input(input, move |c, input| {
            diagnosis::create(c, &actor, input, min).map(|d| labelled(d, &actor.locale))
        })
        .await;
    match result {
        Ok(d) => Ok(Flash::Saved.redirect(&format!("/diagnoses/{}", d.row.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = diagnoses_data(&st, &user).await?;
            data["values"] = values(&typed);
            view.form_error(e, "diagnoses", "diagnoses-title", data)
        }
    }
}

pub(super) async fn diagnosis_data(
    st: &Data,
    view: &View,
    user: &PageUser,
    id: DiagnosisId,
) -> AppResult<Value> {
    let (actor, min) = (user.actor.clone(), st.min_group());
    let (d, names) = st
        .db(move |c| {
            let d = diagnosis::get(c, &actor, &id, min).map(|d| labelled(d, &actor.locale))?;
            Ok((d, crate::assessment::indicators::names(c)?))
        })
        .await?;
    let editable = can_edit(&user.actor) && !d.frozen;
    let tables: Vec<Value> = d
        .figures
        .iter()
        .map(|f| figure_table(view, f, &names))
        .collect();
    Ok(json!({
        "d": d, "tables": tables, "can_edit": editable,
        "values": {"title": d.row.title, "period_from": d.row.period_from, "period_to": d.row.period_to,
                   "needs": d.row.needs, "potential": d.row.potential},
    }))
}

/// A figure as rows for a page table: `(name, value)` pairs for a map (the
/// names in the reader's language), the objects' fields for a list.
pub(super) fn figure_table(
    view: &View,
    f: &diagnosis::Figure,
    indicator_names: &std::collections::HashMap<String, String>,
) -> Value {
    let name = |k: &str| -> String {
        let key = match (f.key.as_str(), k) {
            (_, "unspecified") => "figure-key-unspecified".to_string(),
            ("requests_by_area", k) => format!("area-{k}"),
            ("plans_closed_by_outcome", k) => format!("outcome-{k}"),
            ("requests_by_month", k) => return k.to_string(),
            (_, k) => format!("figure-key-{k}"),
        };
        view.t(&key)
    };
    // Codes in a list's cells by what they mean: a unit, an indicator.
    let shown = |m: &serde_json::Map<String, Value>| -> Vec<String> {
        m.iter()
            .filter(|(k, _)| !k.ends_with("_id"))
            .map(|(k, v)| match (k.as_str(), v.as_str()) {
                ("capacity_unit", Some(unit)) => view.t(&format!("unit-{unit}")),
                ("code", Some(code)) => indicator_names
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| code.to_string()),
                _ => cell(v),
            })
            .collect()
    };
    let (head, rows): (Vec<String>, Vec<Value>) = match &f.data {
        Value::Object(m) => (
            vec![],
            m.iter()
                .map(|(k, v)| json!({"cells": [name(k), cell(v)]}))
                .collect(),
        ),
        Value::Array(list) => (
            list.first()
                .and_then(Value::as_object)
                .map(|m| m.keys().filter(|k| !k.ends_with("_id")).cloned().collect())
                .unwrap_or_default(),
            list.iter()
                .map(|item| match item {
                    Value::Object(m) => json!({"cells": shown(m)}),
                    other => json!({"cells": [cell(other)]}),
                })
                .collect(),
        ),
        other => (vec![], vec![json!({"cells": [cell(other)]})]),
    };
    let suppressed: Vec<String> = if f.data.is_object() {
        f.suppressed.iter().map(|k| name(k)).collect()
    } else {
        f.suppressed.clone()
    };
    // Labelled in the page's language, which `?lang=` may have changed.
    json!({"f": f, "label": view.t(&diagnosis::label_key(&f.key)), "rows": rows, "head": head,
           "suppressed": suppressed.join(", ")})
}

pub(super) fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) async fn diagnosis_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<DiagnosisId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = diagnosis_data(&st, &view, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("diagnosis", "diagnosis-title", data))
}

/// The end of a diagnosis page's form: back to the diagnosis, or its page
/// again with the reasons.
async fn diagnosis_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    id: DiagnosisId,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let view = View::new(req, Some(user));
    let to = format!("/diagnoses/{id}");
    let data = diagnosis_data(st, &view, user, id);
    RecordPage::new(to, "diagnosis", "diagnosis-title", data)
        .settle(req, user, typed, result)
        .await
}

/// The diagnosis's fields (`POST /diagnoses/{id}`, the API's `PATCH`).
pub(super) async fn diagnosis_edit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<DiagnosisId>,
    form: Form<DiagnosisInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i, min) = (user.actor.clone(), id.clone(), st.min_group());
    let result = st
        .tx_input(form.input, move |c, input| {
            let patch = DiagnosisPatch {
                title: Some(input.title),
                period_from: Some(input.period_from),
                period_to: Some(input.period_to),
                needs: Some(input.needs),
                potential: Some(input.potential),
            };
            diagnosis::patch(c, &actor, &i, patch, min).map(drop)
        })
        .await;
    diagnosis_done(&req, &st, &user, &form.typed, id, result).await
}

/// `POST /diagnoses/{id}/publish`: its figures frozen as they stand.
pub(super) async fn diagnosis_publish(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<DiagnosisId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i, min) = (user.actor.clone(), id.clone(), st.min_group());
    let result = st
        .tx(move |c| diagnosis::publish(c, &actor, &i, min).map(drop))
        .await;
    diagnosis_done(&req, &st, &user, &form.typed, id, result).await
}

/// A diagnosis with its figures' labels in the reader's language (the
/// domain names them by key).
fn labelled(mut d: diagnosis::Diagnosis, lang: &str) -> diagnosis::Diagnosis {
    for f in &mut d.figures {
        f.label = crate::platform::i18n::t(lang, &diagnosis::label_key(&f.key));
    }
    d
}
