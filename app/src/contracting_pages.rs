//! The contracting pages: NGO registration, cooperation programs, running a
//! competition (organizer, NGOs, commission members on one page, each seeing
//! their part), agreements with reports, and printable documents. Same
//! service functions as the API; forms without JavaScript.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use contracting::agreements::{
    self, AgreementInput, AnnexInput, ReportInput, TerminateInput, Tranche,
};
use contracting::competitions::{self, CancelInput, CompetitionInput, CriterionInput};
use contracting::evaluation::{
    self, CommissionInput, DeclarationInput, FormalInput, ResolveInput, ScoreInput, ScoreItem,
};
use contracting::offers::{self, BudgetLine, OfferInput};
use contracting::organizations::{self, OrganizationInput, LEGAL_FORMS};
use contracting::programs::{self, CommentInput, ProgramInput, ProgramTransition, YearFunds};
use cus_db::error::Check;
use cus_db::{DomainError, Role};
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::auth::{self, NewUser};
use crate::error::{AppError, AppResult};
use crate::pages::{
    anon_csrf_pair, check_anon_csrf_form, field as f, opt, redirect, settle, values, View,
};
use crate::state::{AppState, PageUser};

type Data = web::Data<AppState>;
type Form = crate::state::PageForm;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/organizations/register", get().to(org_register_form))
        .route("/organizations/register", post().to(org_register))
        .route("/organization", get().to(my_organization))
        .route("/organization", post().to(my_organization_save))
        .route("/programs", get().to(programs_page))
        .route("/programs", post().to(program_create))
        .route("/programs/{id}", get().to(program_page))
        .route("/programs/{id}/comments", post().to(program_comment))
        .route("/programs/{id}/report", get().to(program_report))
        .route("/programs/{id}/transition", post().to(program_transition))
        .route("/competitions/manage", get().to(manage_page))
        .route("/competitions/manage", post().to(competition_create))
        .route("/competitions/{id}/act", post().to(competition_act))
        .route("/offers/{id}/document", get().to(offer_document))
        .route("/agreements", get().to(agreements_page))
        .route("/agreements/{id}", get().to(agreement_page))
        .route("/agreements/{id}/act", post().to(agreement_act))
        .route("/agreements/{id}/document", get().to(agreement_document));
}

/// "12 345,67" (złoty, comma or dot decimals) → grosze.
pub fn parse_pln(text: &str) -> Option<i64> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let t = t.trim_end_matches("zł").replace(',', ".");
    let (zl, gr) = match t.split_once('.') {
        Some((z, g)) if g.len() <= 2 && !g.is_empty() => (z.to_string(), format!("{g:0<2}")),
        Some(_) => return None,
        None => (t.clone(), "00".to_string()),
    };
    if zl.is_empty()
        || !zl.chars().all(|c| c.is_ascii_digit())
        || !gr.chars().all(|c| c.is_ascii_digit())
        || zl.len() > 12
    {
        return None;
    }
    Some(zl.parse::<i64>().ok()? * 100 + gr.parse::<i64>().ok()?)
}

/// Lines of "a | b | c" in a textarea.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').map(|p| p.trim().to_string()).collect())
        .collect()
}

fn money_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> i64 {
    match opt(form, name) {
        None => 0,
        Some(t) => parse_pln(&t).unwrap_or_else(|| {
            check.fail(name, "error-money-format");
            0
        }),
    }
}

/// A date, checked as the API checks it (`cus_db::bounds`); a refused one
/// is a field error and today's date stands in until `finish`.
fn date_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> NaiveDate {
    cus_db::bounds::parse_date(f(form, name)).unwrap_or_else(|why| {
        check.fail(name, why);
        cus_db::today()
    })
}

/// A whole number (0 when blank); a refused one is a field error.
fn int_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> i32 {
    match opt(form, name) {
        None => 0,
        Some(t) => cus_db::bounds::parse_int(&t).unwrap_or_else(|why| {
            check.fail(name, why);
            0
        }),
    }
}

fn lines_field(form: &HashMap<String, String>, name: &str) -> Vec<String> {
    f(form, name)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Year | amount rows (tranches, yearly funds).
fn year_amounts(check: &mut Check, form: &HashMap<String, String>, name: &str) -> Vec<(i32, i64)> {
    rows(f(form, name))
        .into_iter()
        .filter_map(|r| {
            match (
                r.first().and_then(|y| y.parse().ok()),
                r.get(1).and_then(|a| parse_pln(a)),
            ) {
                (Some(y), Some(a)) => Some((y, a)),
                _ => {
                    check.fail(name, "error-rows-format");
                    None
                }
            }
        })
        .collect()
}

fn finish(check: Check) -> AppResult<()> {
    check.finish().map_err(AppError::from)
}

// ---------------------------------------------------------------- NGO registration

async fn municipalities(st: &Data) -> AppResult<Vec<crate::api::Municipality>> {
    use cus_db::schema::municipalities as m;
    use diesel::prelude::*;
    st.db(|c| {
        Ok(m::table
            .select((m::teryt, m::name))
            .order(m::name)
            .load(c)?)
    })
    .await
}

async fn org_register_form(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    let (csrf, cookie) = anon_csrf_pair(&req);
    let view = View::new(&req, None);
    let data = json!({"form_csrf": csrf, "municipalities": municipalities(&st).await?, "legal_forms": LEGAL_FORMS});
    Ok(crate::pages::with_cookie(
        view.render("org_register", "org-register-title", data),
        cookie,
    ))
}

fn org_input(form: &HashMap<String, String>) -> OrganizationInput {
    OrganizationInput {
        name: f(form, "name").into(),
        legal_form: f(form, "legal_form").into(),
        krs: opt(form, "krs"),
        nip: f(form, "nip").into(),
        regon: f(form, "regon").into(),
        address: f(form, "address").into(),
        postal_code: f(form, "postal_code").into(),
        city: f(form, "city").into(),
        email: f(form, "email").into(),
        phone: opt(form, "phone"),
        iban: opt(form, "iban"),
        alerts: form.contains_key("alerts"),
    }
}

async fn org_register(req: HttpRequest, st: Data, form: Form) -> AppResult<HttpResponse> {
    check_anon_csrf_form(&req, &form)?;
    let view = View::new(&req, None);
    let input = org_input(&form);
    let municipality = f(&form, "municipality").to_string();
    let password = f(&form, "password").to_string();
    let contact = opt(&form, "contact_name");
    let lang = view.lang();
    let public_url = st.config.server.public_url.clone();
    let registration = crate::contracting_api::SelfRegistration {
        municipality,
        input,
        password,
        contact,
    };
    let hash = st.hash_password(registration.password.clone()).await?;
    let result = st
        .tx(move |c| {
            crate::contracting_api::self_register(c, registration, hash, lang, &public_url)
        })
        .await;
    match result {
        Ok(()) => Ok(view.render(
            "message",
            "org-register-title",
            json!({"message": view.t("register-done")}),
        )),
        Err(e) => {
            let data = json!({"form_csrf": f(&form, "csrf"), "municipalities": municipalities(&st).await?,
                              "legal_forms": LEGAL_FORMS, "values": values(&form)});
            view.form_error(e, "org_register", "org-register-title", data)
        }
    }
}

// ---------------------------------------------------------------- the NGO's own profile

async fn my_org_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    user.actor.require(&[Role::Ngo])?;
    let actor = user.actor.clone();
    let org_id = actor.organization_id.clone().ok_or(DomainError::NotFound)?;
    st.db(move |c| {
        use cus_db::schema::users;
        use diesel::prelude::*;
        let org = organizations::get(c, &actor, &org_id)?;
        let people: Vec<(String, String)> = users::table
            .filter(users::organization_id.eq(&org_id))
            .select((users::display_name, users::email))
            .order(users::display_name)
            .load(c)?;
        let people: Vec<Value> = people
            .into_iter()
            .map(|(n, e)| json!({"name": n, "email": e}))
            .collect();
        Ok(json!({"org": org, "people": people, "legal_forms": LEGAL_FORMS, "values": org}))
    })
    .await
}

async fn my_organization(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = my_org_data(&st, &user).await?;
    data["flash"] = json!(crate::pages::flash_of(&req, &view));
    Ok(view.render("organization", "org-profile-title", data))
}

async fn my_organization_save(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let actor = user.actor.clone();
    let org_id = actor.organization_id.clone().ok_or(DomainError::NotFound)?;
    let result: AppResult<()> = if f(&form, "action") == "user" {
        let (email, password, name) = (
            f(&form, "email").to_string(),
            f(&form, "password").to_string(),
            opt(&form, "name"),
        );
        st.tx(move |c| {
            let org = organizations::get(c, &actor, &org_id)?;
            let uid = auth::create_user(
                c,
                NewUser {
                    display_name: name.unwrap_or_else(|| email.clone()),
                    email,
                    password,
                    role: Role::Ngo,
                    municipality: Some(org.municipality.clone()),
                    organization_id: Some(org.id.clone()),
                    locale: "pl".into(),
                    confirmed: true,
                },
            )?;
            cus_db::audit::audit_in(
                c,
                &actor,
                &org.municipality,
                "organization.user.create",
                "user",
                &uid,
            )?;
            Ok(())
        })
        .await
    } else {
        let input = org_input(&form);
        st.tx(move |c| organizations::update(c, &actor, &org_id, &input).map(drop))
            .await
    };
    match result {
        Ok(()) => Ok(redirect("/organization?done=flash-saved")),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = my_org_data(&st, &user).await?;
            data["values"] = values(&form);
            view.form_error(e, "organization", "org-profile-title", data)
        }
    }
}

// ---------------------------------------------------------------- programs

async fn programs_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let list = st.db(move |c| programs::list(c, &actor)).await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "programs",
        "programs-title",
        json!({"programs": list, "can_create": user.actor.role == Role::Organizer}),
    ))
}

async fn program_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let view = View::new(&req, Some(&user));
    let mut check = Check::new();
    let funds = year_amounts(&mut check, &form, "yearly_funds");
    let input = ProgramInput {
        title: f(&form, "title").into(),
        year_from: f(&form, "year_from").trim().parse().unwrap_or(0),
        year_to: f(&form, "year_to").trim().parse().unwrap_or(0),
        goals: f(&form, "goals").into(),
        priorities: lines_field(&form, "priorities"),
        forms: f(&form, "forms").into(),
        yearly_funds: funds
            .into_iter()
            .map(|(year, amount_grosze)| YearFunds {
                year,
                amount_grosze,
            })
            .collect(),
        budget_grosze: None,
        competition_rules: f(&form, "competition_rules").into(),
        currency: None,
    };
    let actor = user.actor.clone();
    let result = match finish(check) {
        Ok(()) => st.tx(move |c| programs::create(c, &actor, input)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(redirect(&format!(
            "/programs/{}?done=flash-saved",
            p.row.id
        ))),
        Err(e) => {
            let actor = user.actor.clone();
            let list = st.db(move |c| programs::list(c, &actor)).await?;
            view.form_error(
                e,
                "programs",
                "programs-title",
                json!({"programs": list, "can_create": true, "values": values(&form)}),
            )
        }
    }
}

async fn program_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
    let actor = user.actor.clone();
    let p = st.db(move |c| programs::get(c, &actor, &id)).await?;
    let a = &user.actor;
    let status = p.row.status.as_str();
    Ok(json!({
        "p": p,
        "can_comment": status == "consultation" && a.is(&[Role::Ngo, Role::Organizer]),
        "organizer_moves": if a.role == Role::Organizer { match status { "draft" => vec!["consultation"], "consultation" => vec!["submitted"], "rejected" => vec!["draft"], _ => vec![] } } else { vec![] },
        "council_decides": a.role == Role::Council && status == "submitted",
    }))
}

async fn program_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = program_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(crate::pages::flash_of(&req, &view));
    Ok(view.render("program", "program-title", data))
}

/// The annual implementation report for the council (due 31 May).
async fn program_report(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let q = crate::pages::query_map(&req);
    let year: i32 = q
        .get("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| cus_db::today().year() - 1);
    let actor = user.actor.clone();
    let (program, report) = st
        .db(move |c| {
            let p = programs::get(c, &actor, &id)?;
            let r = programs::annual_report(c, &actor, &id, year)?;
            Ok((p, r))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "program_report",
        "program-report-title",
        json!({"p": program, "r": report}),
    ))
}

async fn program_comment(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let (actor, pid) = (user.actor.clone(), id.clone());
    let input = CommentInput {
        body: f(&form, "body").into(),
    };
    let result = st
        .tx(move |c| programs::comment(c, &actor, &pid, input))
        .await;
    let to = format!("/programs/{id}?done=flash-saved");
    settle(
        &req,
        &user,
        &form,
        result,
        &to,
        "program",
        "program-title",
        program_data(&st, &user, id),
    )
    .await
}

async fn program_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let mut check = Check::new();
    let resolution_date =
        opt(&form, "resolution_date").map(|_| date_field(&mut check, &form, "resolution_date"));
    let input = ProgramTransition {
        to: f(&form, "to").into(),
        resolution_number: opt(&form, "resolution_number"),
        resolution_date,
        consultation_until: None,
    };
    let (actor, pid) = (user.actor.clone(), id.clone());
    let result = match finish(check) {
        Ok(()) => {
            st.tx(move |c| programs::transition(c, &actor, &pid, input))
                .await
        }
        Err(e) => Err(e),
    };
    let to = format!("/programs/{id}?done=flash-saved");
    settle(
        &req,
        &user,
        &form,
        result,
        &to,
        "program",
        "program-title",
        program_data(&st, &user, id),
    )
    .await
}

// ---------------------------------------------------------------- competitions

async fn manage_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    user.actor.require(&[Role::Organizer])?;
    let actor = user.actor.clone();
    let list = st.db(move |c| competitions::list(c, &actor)).await?;
    Ok(json!({"competitions": list, "financing": competitions::FINANCING}))
}

async fn manage_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = manage_data(&st, &user).await?;
    data["values"] = json!({"criteria": "Możliwość realizacji zadania | 30 | 10\nKalkulacja kosztów | 30 | 10\nJakość i kwalifikacje | 40 | 10", "financing": "co_financing"});
    Ok(view.render("competitions_manage", "competitions-manage-title", data))
}

async fn competition_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let view = View::new(&req, Some(&user));
    let mut check = Check::new();
    let funds = money_field(&mut check, &form, "funds");
    let criteria: Vec<CriterionInput> = rows(f(&form, "criteria"))
        .into_iter()
        .filter_map(|r| {
            match (
                r.first(),
                r.get(1).and_then(|w| w.parse().ok()),
                r.get(2).and_then(|m| m.parse().ok()),
            ) {
                (Some(name), Some(weight), Some(max_points)) => Some(CriterionInput {
                    name: name.clone(),
                    weight,
                    max_points,
                }),
                _ => {
                    check.fail("criteria", "error-rows-format");
                    None
                }
            }
        })
        .collect();
    let input = CompetitionInput {
        title: f(&form, "title").into(),
        task: f(&form, "task").into(),
        service_code: opt(&form, "service_code"),
        program_id: opt(&form, "program_id"),
        financing: f(&form, "financing").into(),
        funds_grosze: funds,
        period_start: date_field(&mut check, &form, "period_start"),
        period_end: date_field(&mut check, &form, "period_end"),
        offer_deadline: date_field(&mut check, &form, "offer_deadline"),
        award_rules: f(&form, "award_rules").into(),
        conditions: f(&form, "conditions").into(),
        award_procedure: f(&form, "award_procedure").into(),
        prior_funding: f(&form, "prior_funding").into(),
        criteria,
        currency: None,
    };
    let actor = user.actor.clone();
    let result = match finish(check) {
        Ok(()) => st.tx(move |c| competitions::create(c, &actor, input)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(redirect(&format!(
            "/competitions/{}?done=flash-saved",
            c.row.id
        ))),
        Err(e) => {
            let mut data = manage_data(&st, &user).await?;
            data["values"] = values(&form);
            view.form_error(e, "competitions_manage", "competitions-manage-title", data)
        }
    }
}

/// Everything the competition page shows to this user: the public
/// announcement and results, plus the organizer's, the NGO's or the
/// commission member's part.
pub async fn competition_data(st: &Data, user: Option<&PageUser>, id: String) -> AppResult<Value> {
    let actor = user.map(|u| u.actor.clone());
    st.db(move |c| {
        let comp = competitions::get(c, actor.as_ref(), &id)?;
        let results = evaluation::results(c, &id).ok();
        let mut data = json!({"c": comp, "results": results});
        let Some(a) = actor else { return Ok(data) };
        if !a.sees_municipality(&comp.row.municipality) {
            return Ok(data);
        }
        let after = comp.row.status == "published" && comp.row.offer_deadline < cus_db::today();
        match a.role {
            Role::Organizer => {
                use cus_db::schema::users;
                use diesel::prelude::*;
                let candidates: Vec<(String, String)> = users::table
                    .filter(users::role.eq("commission"))
                    .filter(users::municipality.eq(&comp.row.municipality))
                    .select((users::id, users::display_name))
                    .order(users::display_name)
                    .load(c)?;
                data["organizer"] = json!({
                    "draft": comp.row.status == "draft",
                    "open": matches!(comp.row.status.as_str(), "draft" | "published"),
                    "after_deadline": after,
                    "offers": offers::list(c, &a, &id)?,
                    "members": evaluation::members(c, &id)?,
                    "candidates": candidates.into_iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
                    "ranking": evaluation::ranking(c, &id)?,
                });
            }
            Role::Ngo => {
                let mine = offers::list(c, &a, &id)?.into_iter().next();
                data["ngo"] = json!({"open": comp.offers_open, "offer": mine, "categories": offers::CATEGORIES});
            }
            Role::Commission if offers::is_member(c, &a, &id)? => {
                let me = evaluation::members(c, &id)?.into_iter().find(|m| m.user_id == a.user_id);
                let declared = me.as_ref().is_some_and(|m| m.declared_at.is_some());
                let may_score = me.as_ref().is_some_and(|m| m.no_conflict == Some(true)) && after;
                let to_score: Vec<_> = if may_score {
                    offers::list(c, &a, &id)?.into_iter().filter(|o| o.row.status == "formal_passed").collect()
                } else {
                    vec![]
                };
                data["member"] = json!({"declared": declared, "me": me, "may_score": may_score, "offers": to_score});
            }
            _ => {}
        }
        Ok(data)
    })
    .await
}

fn offer_input(check: &mut Check, form: &HashMap<String, String>) -> OfferInput {
    let lines: Vec<BudgetLine> = rows(f(form, "budget"))
        .into_iter()
        .filter_map(|r| {
            let year = r.first().and_then(|y| y.parse().ok());
            let amount = r.get(3).and_then(|a| parse_pln(a));
            match (year, r.get(1), r.get(2), amount) {
                (Some(year), Some(category), Some(name), Some(amount_grosze)) => Some(BudgetLine {
                    year,
                    category: category.clone(),
                    name: name.clone(),
                    amount_grosze,
                }),
                _ => {
                    check.fail("budget", "error-rows-format");
                    None
                }
            }
        })
        .collect();
    OfferInput {
        title: f(form, "title").into(),
        description: f(form, "description").into(),
        schedule: f(form, "schedule").into(),
        expected_results: f(form, "expected_results").into(),
        indicators: lines_field(form, "indicators"),
        bidder_profile: f(form, "bidder_profile").into(),
        budget_lines: lines,
        own_contribution_grosze: money_field(check, form, "own_contribution"),
        in_kind_grosze: money_field(check, form, "in_kind"),
        volunteer_hours: int_field(check, form, "volunteer_hours"),
        declarations: form.contains_key("declarations"),
        currency: None,
    }
}

/// One POST for every action on the competition page, named by `action`.
async fn competition_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let action = f(&form, "action").to_string();
    let mut check = Check::new();
    let public_url = st.config.server.public_url.clone();
    let (cid, form2) = (id.clone(), form.clone());
    let result: AppResult<()> = match action.as_str() {
        "publish" => {
            st.tx(move |c| competitions::publish(c, &actor, &cid, &public_url).map(drop))
                .await
        }
        "cancel" => {
            let input = CancelInput {
                reason: f(&form, "reason").into(),
            };
            st.tx(move |c| competitions::cancel(c, &actor, &cid, input).map(drop))
                .await
        }
        "offer" => {
            let input = offer_input(&mut check, &form);
            let existing = opt(&form, "offer_id");
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| match existing {
                        Some(oid) => offers::update(c, &actor, &oid, input).map(drop),
                        None => offers::submit(c, &actor, &cid, input).map(drop),
                    })
                    .await
                }
                Err(e) => Err(e),
            }
        }
        "formal" => {
            let oid = f(&form, "offer_id").to_string();
            let input = FormalInput {
                passed: f(&form, "passed") == "yes",
                note: f(&form, "note").into(),
            };
            st.tx(move |c| evaluation::formal(c, &actor, &oid, input).map(drop))
                .await
        }
        "commission" => {
            let ids: Vec<String> = form2
                .keys()
                .filter_map(|k| k.strip_prefix("member_").map(str::to_string))
                .collect();
            st.tx(move |c| {
                evaluation::appoint(c, &actor, &cid, CommissionInput { user_ids: ids }).map(drop)
            })
            .await
        }
        "declare" => {
            let input = DeclarationInput {
                no_conflict: f(&form, "no_conflict") == "yes",
                statement: opt(&form, "statement"),
            };
            st.tx(move |c| evaluation::declare(c, &actor, &cid, input).map(drop))
                .await
        }
        "score" => {
            let oid = f(&form, "offer_id").to_string();
            let scores: Vec<ScoreItem> = form2
                .iter()
                .filter_map(|(k, v)| {
                    let criterion = k.strip_prefix("points_")?.to_string();
                    Some(ScoreItem {
                        criterion,
                        points: v.trim().parse().unwrap_or(-1),
                    })
                })
                .collect();
            let input = ScoreInput {
                scores,
                note: f(&form, "note").into(),
            };
            st.tx(move |c| evaluation::score(c, &actor, &oid, input).map(drop))
                .await
        }
        "resolve" => {
            st.tx(move |c| evaluation::resolve(c, &actor, &cid, ResolveInput::default()).map(drop))
                .await
        }
        _ => Err(DomainError::field("action", "error-type").into()),
    };
    match result {
        Ok(()) => Ok(redirect(&format!("/competitions/{id}?done=flash-saved"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = competition_data(&st, Some(&user), id).await?;
            data["values"] = values(&form);
            data["failed_action"] = json!(action);
            view.form_error(e, "competition", "competition-title", data)
        }
    }
}

async fn offer_document(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let (offer, comp) = st
        .db(move |c| {
            let o = offers::get(c, &actor, &id)?;
            let comp = competitions::load(c, &o.row.competition_id)?;
            let org = organizations::load(c, &o.row.organization_id)?;
            Ok((json!({"o": o, "org": org}), comp))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "offer_document",
        "offer-document-title",
        json!({"d": offer, "c": comp, "printed": cus_db::today()}),
    ))
}

// ---------------------------------------------------------------- agreements

async fn agreements_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let (list, orgs) = st
        .db(move |c| {
            let list = agreements::list(c, &actor)?;
            let orgs = if actor.role == Role::Organizer {
                organizations::list(c, &actor)?
            } else {
                vec![]
            };
            Ok((list, orgs))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "agreements",
        "agreements-title",
        json!({"agreements": list, "organizations": orgs, "can_create": user.actor.role == Role::Organizer, "modes": agreements::MODES}),
    ))
}

async fn agreement_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
    let actor = user.actor.clone();
    let a = st.db(move |c| agreements::get(c, &actor, &id)).await?;
    let live = !matches!(a.row.status.as_str(), "terminated");
    Ok(json!({
        "a": a,
        "can_report": user.actor.role == Role::Ngo && live && !a.settlement.final_report_filed,
        "can_manage": user.actor.role == Role::Organizer && live,
    }))
}

async fn agreement_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = agreement_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(crate::pages::flash_of(&req, &view));
    Ok(view.render("agreement", "agreement-title", data))
}

async fn agreement_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let action = f(&form, "action").to_string();
    let mut check = Check::new();
    let aid = id.clone();
    let result: AppResult<String> = match action.as_str() {
        "create" => {
            let tranches = year_amounts(&mut check, &form, "tranches")
                .into_iter()
                .map(|(year, amount_grosze)| Tranche {
                    year,
                    amount_grosze,
                })
                .collect();
            let input = AgreementInput {
                organization_id: f(&form, "organization_id").into(),
                competition_id: None,
                title: opt(&form, "title"),
                mode: f(&form, "mode").into(),
                financing: f(&form, "financing").into(),
                start_date: date_field(&mut check, &form, "start_date"),
                end_date: date_field(&mut check, &form, "end_date"),
                tranches,
                indicators: lines_field(&form, "indicators"),
                capacity_unit: opt(&form, "capacity_unit"),
                capacity_per_year: opt(&form, "capacity_per_year")
                    .map(|_| int_field(&mut check, &form, "capacity_per_year")),
                currency: None,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::create(c, &actor, input).map(|a| a.row.id))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "report" => {
            let indicator_values = rows(f(&form, "indicator_values"))
                .into_iter()
                .filter_map(|r| Some((r.first()?.clone(), json!(r.get(1)?.clone()))))
                .collect();
            let input = ReportInput {
                period: f(&form, "period").into(),
                kind: f(&form, "kind").into(),
                text: f(&form, "text").into(),
                spent_grosze: money_field(&mut check, &form, "spent"),
                spent_own_grosze: money_field(&mut check, &form, "spent_own"),
                indicator_values,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::report(c, &actor, &aid, input).map(|_| aid))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "annex" => {
            let tranches: Vec<Tranche> = year_amounts(&mut check, &form, "tranches")
                .into_iter()
                .map(|(year, amount_grosze)| Tranche {
                    year,
                    amount_grosze,
                })
                .collect();
            let end_date =
                opt(&form, "end_date").map(|_| date_field(&mut check, &form, "end_date"));
            let input = AnnexInput {
                reason: f(&form, "reason").into(),
                changes: f(&form, "changes").into(),
                tranches: (!tranches.is_empty()).then_some(tranches),
                end_date,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::annex(c, &actor, &aid, input).map(|_| aid))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "terminate" => {
            let input = TerminateInput {
                reason: f(&form, "reason").into(),
            };
            st.tx(move |c| agreements::terminate(c, &actor, &aid, input).map(|_| aid))
                .await
        }
        _ => Err(DomainError::field("action", "error-type").into()),
    };
    match result {
        Ok(target) => Ok(redirect(&format!("/agreements/{target}?done=flash-saved"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            if action == "create" {
                let actor = user.actor.clone();
                let (list, orgs) = st
                    .db(move |c| {
                        Ok((
                            agreements::list(c, &actor)?,
                            organizations::list(c, &actor)?,
                        ))
                    })
                    .await?;
                let data = json!({"agreements": list, "organizations": orgs, "can_create": true, "modes": agreements::MODES, "values": values(&form)});
                return view.form_error(e, "agreements", "agreements-title", data);
            }
            let mut data = agreement_data(&st, &user, id).await?;
            data["values"] = values(&form);
            data["failed_action"] = json!(action);
            view.form_error(e, "agreement", "agreement-title", data)
        }
    }
}

async fn agreement_document(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let data = st
        .db(move |c| {
            let a = agreements::get(c, &actor, &id)?;
            let org = organizations::load(c, &a.row.organization_id)?;
            Ok(json!({"a": a, "org": org}))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let mut data = data;
    data["printed"] = json!(cus_db::today());
    Ok(view.render_status(
        StatusCode::OK,
        "agreement_document",
        "agreement-document-title",
        data,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn polish_amounts_parse_to_grosze() {
        assert_eq!(super::parse_pln("12 345,67"), Some(1_234_567));
        assert_eq!(super::parse_pln("100"), Some(10_000));
        assert_eq!(super::parse_pln("0.5"), Some(50));
        assert_eq!(super::parse_pln("1,234"), None);
        assert_eq!(super::parse_pln("-5"), None);
        assert_eq!(super::parse_pln("abc"), None);
        assert_eq!(super::parse_pln("9999999999999"), None);
    }
}
