//! Evaluating offers: the formal check, the commission (UDPP art. 15 ust.
//! 2a-2f) whose members declare no conflict of interest before scoring,
//! scores per criterion up to its maximum, the ranking of averaged scores,
//! and the resolution within the funds — or cancellation when no offer
//! qualifies (art. 18a). Every step is audited.

use chrono::NaiveDateTime;
use cus_db::audit::audit_in;
use cus_db::error::Check;
use cus_db::schema::{commission_members, competitions, offers, organizations, scores, users};
use cus_db::{new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::agreements;
use crate::agreements::AgreementId;
use crate::competitions::{self as comp, Competition, CompetitionId, CompetitionStatus};
use crate::offers::{self as off, is_member};
use crate::offers::{OfferId, OfferStatus};
use crate::organizations::OrganizationId;
use cus_db::Lifecycle;

fn after_deadline(c: &Competition) -> DomainResult<()> {
    if c.row.status != CompetitionStatus::Published {
        return Err(DomainError::conflict("error-competition-not-open"));
    }
    if c.row.offer_deadline >= today() {
        return Err(DomainError::conflict("error-before-deadline"));
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormalInput {
    pub passed: bool,
    /// Required (not blank) when the offer fails.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// The organizer's formal check of one offer, after the deadline; the NGO is
/// told the outcome by mail.
pub fn formal(
    conn: &mut DbConn,
    actor: &Actor,
    offer_id: &OfferId,
    input: FormalInput,
) -> DomainResult<off::Offer> {
    let offer = off::get(conn, actor, offer_id)?;
    let c = comp::managed(conn, actor, &offer.row.competition_id)?;
    after_deadline(&c)?;
    let mut check = Check::new();
    check.text("note", &input.note, usize::from(!input.passed), 2000);
    check.finish()?;
    let status = if input.passed {
        OfferStatus::FormalPassed
    } else {
        OfferStatus::FormalFailed
    };
    if !OfferStatus::can_move(offer.row.status, status) {
        return Err(DomainError::conflict("error-competition-not-open"));
    }
    diesel::update(offers::table.find(offer_id))
        .set((
            offers::status.eq(status),
            offers::formal_note.eq(input.note.trim()),
            offers::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        &format!("offer.{status}"),
        "offer",
        offer_id,
    )?;
    let email: String = organizations::table
        .find(&offer.row.organization_id)
        .select(organizations::email)
        .get_result(conn)?;
    outbox::enqueue(
        conn,
        "offer_formal",
        "pl",
        &email,
        &serde_json::json!({"competition": c.row.title, "offer": offer.row.title, "passed": input.passed, "note": input.note.trim()}),
    )?;
    off::load(conn, offer_id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionInput {
    /// Users with the commission role in the competition's municipality.
    #[schema(min_items = 1, max_items = 30)]
    pub user_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Member {
    pub user_id: String,
    pub name: String,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub declared_at: Option<NaiveDateTime>,
    pub no_conflict: Option<bool>,
}

/// The organizer appoints the commission: users with the commission role in
/// the municipality.
pub fn appoint(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
    input: CommissionInput,
) -> DomainResult<Vec<Member>> {
    let c = comp::managed(conn, actor, competition_id)?;
    if c.row.status != CompetitionStatus::Published {
        return Err(DomainError::conflict("error-competition-not-open"));
    }
    let mut check = Check::new();
    check.require(
        !input.user_ids.is_empty() && input.user_ids.len() <= 30,
        "user_ids",
        "error-commission-size",
    );
    for (i, uid) in input.user_ids.iter().enumerate() {
        let ok: i64 = users::table
            .find(uid)
            .filter(users::role.eq("commission"))
            .filter(users::municipality.eq(&c.row.municipality))
            .count()
            .get_result(conn)?;
        check.require(ok > 0, &format!("user_ids[{i}]"), "error-commission-member");
    }
    check.finish()?;
    for uid in &input.user_ids {
        let exists: i64 = commission_members::table
            .find((competition_id, uid))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(commission_members::table)
                .values((
                    commission_members::competition_id.eq(competition_id),
                    commission_members::user_id.eq(uid),
                ))
                .execute(conn)?;
        }
    }
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "commission.appoint",
        "competition",
        competition_id,
    )?;
    members(conn, competition_id)
}

pub fn members(conn: &mut DbConn, competition_id: &CompetitionId) -> DomainResult<Vec<Member>> {
    Ok(commission_members::table
        .inner_join(users::table)
        .filter(commission_members::competition_id.eq(competition_id))
        .select((
            users::id,
            users::display_name,
            commission_members::declared_at,
            commission_members::no_conflict,
        ))
        .order(users::display_name)
        .load(conn)?)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationInput {
    pub no_conflict: bool,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub statement: Option<String>,
}

/// A member declares, once, that no link to any bidder exists (KPA art. 24).
/// A member whose account belongs to a bidding organization cannot declare
/// no conflict; `false` records the conflict and excludes the member.
pub fn declare(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
    input: DeclarationInput,
) -> DomainResult<Member> {
    actor.require(&[Role::Commission])?;
    let c = comp::get(conn, Some(actor), competition_id)?;
    if !is_member(conn, actor, competition_id)? || !actor.sees_municipality(&c.row.municipality) {
        return Err(DomainError::NotFound);
    }
    let declared: Option<NaiveDateTime> = commission_members::table
        .find((competition_id, &actor.user_id))
        .select(commission_members::declared_at)
        .get_result(conn)?;
    if declared.is_some() {
        return Err(DomainError::conflict("error-declaration-duplicate"));
    }
    let mut check = Check::new();
    check.text(
        "statement",
        input.statement.as_deref().unwrap_or(""),
        0,
        5000,
    );
    if let Some(org) = &actor.organization_id {
        let bids: i64 = offers::table
            .filter(offers::competition_id.eq(competition_id))
            .filter(offers::organization_id.eq(org))
            .count()
            .get_result(conn)?;
        check.require(
            !(input.no_conflict && bids > 0),
            "no_conflict",
            "error-member-linked-to-bidder",
        );
    }
    check.finish()?;
    diesel::update(commission_members::table.find((competition_id, &actor.user_id)))
        .set((
            commission_members::declared_at.eq(now()),
            commission_members::no_conflict.eq(input.no_conflict),
            commission_members::statement.eq(input.statement.as_deref().map(str::trim)),
        ))
        .execute(conn)?;
    let action = if input.no_conflict {
        "commission.declare_no_conflict"
    } else {
        "commission.declare_conflict"
    };
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        action,
        "competition",
        competition_id,
    )?;
    members(conn, competition_id)?
        .into_iter()
        .find(|m| m.user_id == actor.user_id)
        .ok_or(DomainError::NotFound)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    /// The criterion's name (or id).
    pub criterion: String,
    /// From 0 to the criterion's `max_points` (at most 100).
    #[schema(minimum = 0, maximum = 100)]
    pub points: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub scores: Vec<ScoreItem>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// A member scores every criterion of a formally passed offer. Scores can be
/// revised until the competition is resolved.
pub fn score(
    conn: &mut DbConn,
    actor: &Actor,
    offer_id: &OfferId,
    input: ScoreInput,
) -> DomainResult<f64> {
    actor.require(&[Role::Commission])?;
    let offer = off::get(conn, actor, offer_id)?;
    let c = comp::load(conn, &offer.row.competition_id)?;
    after_deadline(&c)?;
    let (declared, no_conflict): (Option<NaiveDateTime>, Option<bool>) = commission_members::table
        .find((&c.row.id, &actor.user_id))
        .select((
            commission_members::declared_at,
            commission_members::no_conflict,
        ))
        .get_result(conn)?;
    if declared.is_none() {
        return Err(DomainError::conflict("error-declare-first"));
    }
    if no_conflict != Some(true) {
        return Err(DomainError::Forbidden);
    }
    if offer.row.status != OfferStatus::FormalPassed {
        return Err(DomainError::conflict("error-offer-not-passed"));
    }
    let mut check = Check::new();
    check.text("note", &input.note, 0, 5000);
    let mut given = BTreeMap::new();
    for (i, s) in input.scores.iter().enumerate() {
        match c
            .criteria
            .iter()
            .find(|k| k.name == s.criterion || k.id == s.criterion)
        {
            Some(k) => {
                check.require(
                    (0..=k.max_points).contains(&s.points),
                    &format!("scores[{i}].points"),
                    "error-points-range",
                );
                check.require(
                    given.insert(k.id.clone(), s.points).is_none(),
                    &format!("scores[{i}].criterion"),
                    "error-duplicate",
                );
            }
            None => check.fail(&format!("scores[{i}].criterion"), "error-criterion-unknown"),
        }
    }
    check.require(
        given.len() == c.criteria.len(),
        "scores",
        "error-scores-incomplete",
    );
    check.finish()?;
    diesel::delete(
        scores::table
            .filter(scores::offer_id.eq(offer_id))
            .filter(scores::member_id.eq(&actor.user_id)),
    )
    .execute(conn)?;
    for (criterion_id, points) in &given {
        diesel::insert_into(scores::table)
            .values((
                scores::id.eq(new_id()),
                scores::offer_id.eq(offer_id),
                scores::member_id.eq(&actor.user_id),
                scores::criterion_id.eq(criterion_id),
                scores::points.eq(points),
                scores::note.eq(input.note.trim()),
                scores::at.eq(now()),
            ))
            .execute(conn)?;
    }
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "offer.score",
        "offer",
        offer_id,
    )?;
    Ok(weighted(&c, &given))
}

/// A member's weighted score as a percentage of the maximum.
fn weighted(c: &Competition, points: &BTreeMap<String, i32>) -> f64 {
    let max: i64 = c
        .criteria
        .iter()
        .map(|k| i64::from(k.max_points) * i64::from(k.weight))
        .sum();
    let got: i64 = c
        .criteria
        .iter()
        .map(|k| i64::from(*points.get(&k.id).unwrap_or(&0)) * i64::from(k.weight))
        .sum();
    if max == 0 {
        0.0
    } else {
        (got as f64 * 10_000.0 / max as f64).round() / 100.0
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedOffer {
    pub offer_id: OfferId,
    pub organization_id: OrganizationId,
    pub organization: String,
    pub title: String,
    pub status: OfferStatus,
    pub requested_grosze: i64,
    pub awarded_grosze: Option<i64>,
    /// The members' weighted scores averaged, in percent of the maximum.
    pub average_score: Option<f64>,
    pub members_scored: usize,
}

/// Offers ranked by their averaged score (formally failed ones last).
pub fn ranking(
    conn: &mut DbConn,
    competition_id: &CompetitionId,
) -> DomainResult<Vec<RankedOffer>> {
    let c = comp::load(conn, competition_id)?;
    type Row = (
        OfferId,
        OrganizationId,
        String,
        String,
        OfferStatus,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = offers::table
        .inner_join(organizations::table)
        .filter(offers::competition_id.eq(competition_id))
        .select((
            offers::id,
            offers::organization_id,
            organizations::name,
            offers::title,
            offers::status,
            offers::requested_grosze,
            offers::awarded_grosze,
        ))
        .load(conn)?;
    let all_scores: Vec<(OfferId, String, String, i32)> = scores::table
        .inner_join(offers::table)
        .filter(offers::competition_id.eq(competition_id))
        .select((
            scores::offer_id,
            scores::member_id,
            scores::criterion_id,
            scores::points,
        ))
        .load(conn)?;
    let mut per_member: BTreeMap<(OfferId, String), BTreeMap<String, i32>> = BTreeMap::new();
    for (offer, member, criterion, points) in all_scores {
        per_member
            .entry((offer, member))
            .or_default()
            .insert(criterion, points);
    }
    let mut ranked: Vec<RankedOffer> = rows
        .into_iter()
        .map(|(id, org_id, org, title, status, requested, awarded)| {
            let totals: Vec<f64> = per_member
                .iter()
                .filter(|((o, _), _)| *o == id)
                .map(|(_, p)| weighted(&c, p))
                .collect();
            let average = (!totals.is_empty()).then(|| {
                (totals.iter().sum::<f64>() / totals.len() as f64 * 100.0).round() / 100.0
            });
            RankedOffer {
                offer_id: id,
                organization_id: org_id,
                organization: org,
                title,
                status,
                requested_grosze: requested,
                awarded_grosze: awarded,
                average_score: average,
                members_scored: totals.len(),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.average_score
            .unwrap_or(-1.0)
            .total_cmp(&a.average_score.unwrap_or(-1.0))
            .then(a.title.cmp(&b.title))
    });
    Ok(ranked)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    pub competition_id: CompetitionId,
    pub title: String,
    pub status: CompetitionStatus,
    pub funds_grosze: i64,
    pub awarded_total_grosze: i64,
    pub cancel_reason: Option<String>,
    pub ranking: Vec<RankedOffer>,
    pub agreement_ids: Vec<AgreementId>,
    pub currency: &'static str,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    /// Minimum averaged score (percent) an offer needs; default 50.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub threshold: Option<f64>,
}

/// Resolves the competition: offers that passed the formal check and reach
/// the threshold are awarded in ranking order while the funds last (the
/// last may get less than it asked); each winner gets an agreement with a
/// tranche per year. With no qualifying offer the competition is cancelled.
pub fn resolve(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
    input: ResolveInput,
) -> DomainResult<Results> {
    let c = comp::managed(conn, actor, competition_id)?;
    after_deadline(&c)?;
    let threshold = input.threshold.unwrap_or(50.0);
    if !(0.0..=100.0).contains(&threshold) {
        return Err(DomainError::field("threshold", "error-threshold"));
    }
    let pending: i64 = offers::table
        .filter(offers::competition_id.eq(competition_id))
        .filter(offers::status.eq(OfferStatus::Submitted))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(DomainError::conflict("error-formal-check-pending"));
    }
    let ranked = ranking(conn, competition_id)?;
    if ranked
        .iter()
        .any(|r| r.status == OfferStatus::FormalPassed && r.members_scored == 0)
    {
        return Err(DomainError::conflict("error-scores-missing"));
    }
    let mut left = c.row.funds_grosze;
    let mut winners = vec![];
    for r in &ranked {
        let qualifies = r.status == OfferStatus::FormalPassed
            && r.average_score.is_some_and(|s| s >= threshold);
        let award = if qualifies {
            r.requested_grosze.min(left)
        } else {
            0
        };
        let status = if award > 0 {
            OfferStatus::Awarded
        } else if r.status == OfferStatus::FormalPassed {
            OfferStatus::NotAwarded
        } else {
            r.status
        };
        diesel::update(offers::table.find(&r.offer_id))
            .set((
                offers::status.eq(status),
                offers::awarded_grosze.eq((award > 0).then_some(award)),
            ))
            .execute(conn)?;
        if award > 0 {
            left -= award;
            winners.push((r.offer_id.clone(), award));
        }
    }
    if winners.is_empty() {
        comp::set_cancelled(conn, competition_id, "no_qualifying_offer")?;
        audit_in(
            conn,
            actor,
            &c.row.municipality,
            "competition.cancel",
            "competition",
            competition_id,
        )?;
        return results(conn, competition_id);
    }
    for (offer_id, award) in winners {
        agreements::from_award(conn, actor, &c, &offer_id, award)?;
    }
    diesel::update(competitions::table.find(competition_id))
        .set((
            competitions::status.eq(CompetitionStatus::Resolved),
            competitions::resolved_at.eq(now()),
            competitions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &c.row.municipality,
        "competition.resolve",
        "competition",
        competition_id,
    )?;
    results(conn, competition_id)
}

/// Public once the competition is resolved or cancelled (art. 15 ust. 2h).
pub fn results(conn: &mut DbConn, competition_id: &CompetitionId) -> DomainResult<Results> {
    let c = comp::load(conn, competition_id)?;
    if !c.row.status.is_final() {
        return Err(DomainError::NotFound);
    }
    let ranking = ranking(conn, competition_id)?;
    use cus_db::schema::agreements as ag;
    let agreement_ids = ag::table
        .filter(ag::competition_id.eq(competition_id))
        .select(ag::id)
        .load(conn)?;
    Ok(Results {
        competition_id: c.row.id.clone(),
        title: c.row.title.clone(),
        status: c.row.status,
        funds_grosze: c.row.funds_grosze,
        awarded_total_grosze: ranking.iter().filter_map(|r| r.awarded_grosze).sum(),
        cancel_reason: c.row.cancel_reason.clone(),
        ranking,
        agreement_ids,
        currency: "PLN",
    })
}

/// Who reads a competition's commission and ranking: its members, and the
/// organizer (or administrator) of its municipality; anyone else gets 404.
fn insider(conn: &mut DbConn, actor: &Actor, competition_id: &CompetitionId) -> DomainResult<()> {
    let c = comp::get(conn, Some(actor), competition_id)?;
    let member = is_member(conn, actor, competition_id)?;
    let staff =
        actor.is(&[Role::Organizer, Role::Admin]) && actor.sees_municipality(&c.row.municipality);
    if member || staff {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// The commission, for those who may read it.
pub fn commission(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
) -> DomainResult<Vec<Member>> {
    insider(conn, actor, competition_id)?;
    members(conn, competition_id)
}

/// The ranking, for those who may read it.
pub fn ranking_for(
    conn: &mut DbConn,
    actor: &Actor,
    competition_id: &CompetitionId,
) -> DomainResult<Vec<RankedOffer>> {
    insider(conn, actor, competition_id)?;
    ranking(conn, competition_id)
}
