//! The open-contracting export: an OCDS 1.1 release package of the
//! municipality's competitions (tender), results (awards), agreements
//! (contracts) with their tranches and reports (implementation). Only the
//! center's and the organizations' data appear — never a resident's.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::schema::{
    agreements, competitions, municipalities, offers, organizations, reports, tranches,
};
use cus_db::{now, DbConn, DomainResult};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::agreements::{AgreementStatus, ReportKind};
use crate::competitions::{CompetitionRow, CompetitionStatus};
use cus_db::Lifecycle;

/// Every ocid starts with this, then the municipality's TERYT code: stable
/// per municipality. (A registered OCDS prefix replaces "cus" in production.)
pub const OCID_PREFIX: &str = "ocds-cus";

fn ts(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn day(d: NaiveDate) -> String {
    ts(d.and_hms_opt(0, 0, 0).expect("midnight"))
}

fn money(grosze: i64) -> Value {
    json!({"amount": grosze as f64 / 100.0, "currency": "PLN"})
}

fn ocid(municipality: &str, id: &str) -> String {
    format!("{OCID_PREFIX}-{municipality}-{id}")
}

type OrgRow = (String, String, Option<String>, String);

fn party(org: &OrgRow, roles: &[&str]) -> Value {
    let (id, name, krs, nip) = org;
    let identifier = match krs {
        Some(k) => json!({"scheme": "PL-KRS", "id": k, "legalName": name}),
        None => json!({"scheme": "PL-NIP", "id": nip, "legalName": name}),
    };
    json!({"id": id, "name": name, "identifier": identifier, "roles": roles})
}

fn org_rows(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<OrgRow>> {
    organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((
            organizations::id,
            organizations::name,
            organizations::krs,
            organizations::nip,
        ))
        .load(conn)
}

/// Contracts (agreements) with their implementation, for a release.
fn contracts(conn: &mut DbConn, agreement_ids: &[String]) -> QueryResult<Vec<Value>> {
    type Row = (
        String,
        Option<String>,
        String,
        AgreementStatus,
        NaiveDate,
        NaiveDate,
        NaiveDateTime,
    );
    let rows: Vec<Row> = agreements::table
        .filter(agreements::id.eq_any(agreement_ids))
        .select((
            agreements::id,
            agreements::offer_id,
            agreements::title,
            agreements::status,
            agreements::start_date,
            agreements::end_date,
            agreements::created_at,
        ))
        .order(agreements::created_at)
        .load(conn)?;
    let mut out = vec![];
    for (id, offer_id, title, status, start, end, created) in rows {
        let tr: Vec<(String, i32, i64)> = tranches::table
            .filter(tranches::agreement_id.eq(&id))
            .order(tranches::year)
            .select((tranches::id, tranches::year, tranches::amount_grosze))
            .load(conn)?;
        let total: i64 = tr.iter().map(|t| t.2).sum();
        let reps: Vec<(String, ReportKind, String, NaiveDateTime)> = reports::table
            .filter(reports::agreement_id.eq(&id))
            .select((
                reports::id,
                reports::kind,
                reports::period,
                reports::submitted_at,
            ))
            .load(conn)?;
        let ocds_status = match status {
            AgreementStatus::Terminated => "cancelled",
            AgreementStatus::Reported => "terminated",
            AgreementStatus::PublicComment => "pending",
            AgreementStatus::Active => "active",
        };
        let award_id = offer_id.clone().unwrap_or_else(|| format!("direct-{id}"));
        out.push(json!({
            "id": id,
            "awardID": award_id,
            "title": title,
            "status": ocds_status,
            "period": {"startDate": day(start), "endDate": day(end)},
            "value": money(total),
            "dateSigned": ts(created),
            "implementation": {
                "milestones": tr.iter().map(|(tid, year, amount)| json!({
                    "id": tid,
                    "title": format!("Tranche {year}"),
                    "type": "financing",
                    "dueDate": day(NaiveDate::from_ymd_opt(*year, 1, 1).expect("date")),
                    "value": money(*amount),
                })).collect::<Vec<_>>(),
                "documents": reps.iter().map(|(rid, kind, period, at)| json!({
                    "id": rid,
                    "documentType": match kind {
                        ReportKind::Final => "completionCertificate",
                        ReportKind::Partial => "physicalProgressReport",
                    },
                    "title": format!("Report ({kind}) {period}"),
                    "datePublished": ts(*at),
                })).collect::<Vec<_>>(),
            },
        }));
    }
    Ok(out)
}

/// The release package of one municipality, or of all when `None`.
pub fn release_package(
    conn: &mut DbConn,
    municipality: Option<&str>,
    uri: &str,
) -> DomainResult<Value> {
    let mut q = competitions::table
        .filter(competitions::status.ne(CompetitionStatus::Draft))
        .select(CompetitionRow::as_select())
        .order(competitions::published_at)
        .into_boxed();
    if let Some(m) = municipality {
        q = q.filter(competitions::municipality.eq(m.to_string()));
    }
    let comps: Vec<CompetitionRow> = q.load(conn)?;
    let names: Vec<(String, String)> = municipalities::table
        .select((municipalities::teryt, municipalities::name))
        .load(conn)?;
    let buyer_of = |m: &str| {
        let name = names
            .iter()
            .find(|(t, _)| t == m)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        (format!("PL-TERYT-{m}"), name)
    };
    let mut releases = vec![];
    for c in &comps {
        let (buyer_id, buyer_name) = buyer_of(&c.municipality);
        let bids: Vec<(String, String, Option<i64>)> = offers::table
            .filter(offers::competition_id.eq(&c.id))
            .select((offers::id, offers::organization_id, offers::awarded_grosze))
            .load(conn)?;
        let org_ids: Vec<String> = bids.iter().map(|b| b.1.clone()).collect();
        let orgs = org_rows(conn, &org_ids)?;
        let mut parties = vec![
            json!({"id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity"]}),
        ];
        for o in &orgs {
            let awarded = bids.iter().any(|b| b.1 == o.0 && b.2.is_some());
            parties.push(party(
                o,
                if awarded {
                    &["tenderer", "supplier"]
                } else {
                    &["tenderer"]
                },
            ));
        }
        let resolved = c.status.is_final();
        let tender_status = match c.status {
            CompetitionStatus::Cancelled => "cancelled",
            CompetitionStatus::Resolved => "complete",
            CompetitionStatus::Draft | CompetitionStatus::Published => "active",
        };
        let mut tags = vec!["tender"];
        let mut release = json!({
            "ocid": ocid(&c.municipality, c.id.as_str()),
            "id": format!("{}-{}", c.id, c.status),
            "date": ts(c.resolved_at.or(c.published_at).unwrap_or_else(now)),
            "language": "pl",
            "initiationType": "tender",
            "parties": parties,
            "buyer": {"id": buyer_id, "name": buyer_name},
            "tender": {
                "id": c.id,
                "title": c.title,
                "description": c.task,
                "status": tender_status,
                "value": money(c.funds_grosze),
                "procurementMethod": "open",
                "procurementMethodDetails": "Otwarty konkurs ofert (ustawa o działalności pożytku publicznego i o wolontariacie, art. 13)",
                "awardCriteria": "ratedCriteria",
                "tenderPeriod": {
                    "startDate": ts(c.published_at.unwrap_or_else(now)),
                    "endDate": day(c.offer_deadline),
                },
                "contractPeriod": {"startDate": day(c.period_start), "endDate": day(c.period_end)},
                "numberOfTenderers": orgs.len(),
                "tenderers": orgs.iter().map(|o| json!({"id": o.0, "name": o.1})).collect::<Vec<_>>(),
            },
        });
        if resolved {
            let awards: Vec<Value> = bids
                .iter()
                .filter_map(|(offer_id, org_id, awarded)| {
                    let amount = (*awarded)?;
                    let o = orgs.iter().find(|o| &o.0 == org_id)?;
                    Some(json!({
                        "id": offer_id,
                        "title": c.title,
                        "status": "active",
                        "date": ts(c.resolved_at.unwrap_or_else(now)),
                        "value": money(amount),
                        "suppliers": [{"id": o.0, "name": o.1}],
                    }))
                })
                .collect();
            if !awards.is_empty() {
                tags.push("award");
                release["awards"] = json!(awards);
            }
            let ids: Vec<String> = agreements::table
                .filter(agreements::competition_id.eq(&c.id))
                .select(agreements::id)
                .load(conn)?;
            if !ids.is_empty() {
                tags.push("contract");
                release["contracts"] = json!(contracts(conn, &ids)?);
            }
            if c.status == CompetitionStatus::Cancelled {
                tags = vec!["tenderCancellation"];
            }
        }
        release["tag"] = json!(tags);
        releases.push(release);
    }
    // Agreements outside competitions (small grants, partnerships, ...).
    let mut q = agreements::table
        .filter(agreements::competition_id.is_null())
        .select((
            agreements::id,
            agreements::municipality,
            agreements::organization_id,
            agreements::mode,
            agreements::title,
            agreements::created_at,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        q = q.filter(agreements::municipality.eq(m.to_string()));
    }
    let direct: Vec<(String, String, String, String, String, NaiveDateTime)> = q.load(conn)?;
    for (id, m, org_id, mode, title, created) in direct {
        let (buyer_id, buyer_name) = buyer_of(&m);
        let orgs = org_rows(conn, std::slice::from_ref(&org_id))?;
        let contract = contracts(conn, std::slice::from_ref(&id))?;
        let value = contract
            .first()
            .map(|c| c["value"].clone())
            .unwrap_or(money(0));
        let mut parties = vec![
            json!({"id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity"]}),
        ];
        parties.extend(orgs.iter().map(|o| party(o, &["supplier"])));
        releases.push(json!({
            "ocid": ocid(&m, &id),
            "id": format!("{id}-contract"),
            "date": ts(created),
            "language": "pl",
            "tag": ["award", "contract"],
            "initiationType": "tender",
            "parties": parties,
            "buyer": {"id": buyer_id, "name": buyer_name},
            "tender": {"id": format!("direct-{id}"), "title": title, "status": "complete",
                       "procurementMethod": if mode == "procurement" { "selective" } else { "direct" },
                       "procurementMethodDetails": mode},
            "awards": [{"id": format!("direct-{id}"), "title": title, "status": "active", "date": ts(created), "value": value,
                        "suppliers": orgs.iter().map(|o| json!({"id": o.0, "name": o.1})).collect::<Vec<_>>()}],
            "contracts": contract,
        }));
    }
    Ok(json!({
        "uri": uri,
        "version": "1.1",
        "publishedDate": ts(now()),
        "publisher": {"name": "Centrum Usług Społecznych"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://cus.example/ocds-policy",
        "releases": releases,
    }))
}
