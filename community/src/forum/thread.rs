//! Threads: discussions, consultations with a closing date and summary,
//! meetings with their agenda and minutes.

use super::*;
use crate::markdown;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{post_revisions, posts, threads, users};
use cus_db::{now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use cus_db::ids::{PostId, ThreadId};

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = threads)]
pub struct ThreadRow {
    pub id: ThreadId,
    pub municipality: String,
    pub kind: String,
    pub title: String,
    pub author_id: String,
    pub document: Option<String>,
    pub closes_on: Option<NaiveDate>,
    pub summary: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub meeting_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    #[serde(skip)]
    pub participants: String,
    pub linked_type: Option<String>,
    pub linked_id: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub last_post_at: NaiveDateTime,
}

impl ThreadRow {
    /// A consultation takes comments until its closing day, and not after
    /// its summary is written.
    pub fn open_for_comments(&self) -> bool {
        self.kind != "consultation"
            || (self.summary.is_none() && self.closes_on.is_none_or(|d| d >= today()))
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostView {
    pub id: PostId,
    pub author_id: String,
    pub author: String,
    /// The source (text or Markdown); absent when hidden from the reader.
    pub body: Option<String>,
    /// Safe HTML of the body.
    pub html: Option<String>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub revisions: i64,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub edited_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Thread {
    #[serde(flatten)]
    pub row: ThreadRow,
    pub participants: Vec<String>,
    pub document_html: Option<String>,
    pub summary_html: Option<String>,
    pub minutes_html: Option<String>,
    pub open_for_comments: bool,
    pub posts: Vec<PostView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// Text or Markdown; raw HTML is shown as text.
    #[schema(min_length = 1, max_length = 20_000)]
    pub body: String,
    #[schema(value_type = ThreadKind)]
    pub kind: String,
    /// Meetings (required): when (RFC 3339 or `YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    #[schema(schema_with = cus_db::openapi::optional_datetime)]
    pub meeting_at: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub place: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub agenda: Option<String>,
    /// Consultations: the draft under consultation, and the last day for
    /// comments (not in the past; default in 14 days).
    #[serde(default)]
    #[schema(max_length = 100_000)]
    pub document: Option<String>,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub closes_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_items = 100, max_length = 300)]
    pub participants: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<LinkKind>)]
    pub linked_type: Option<String>,
    /// Required (1 to 100 characters) with `linked_type`.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub linked_id: Option<String>,
}

/// The organizations or people named as a meeting's participants.
pub(super) fn check_participants(check: &mut Check, participants: &[String]) {
    check.require(participants.len() <= 100, "participants", "error-too-many");
    for (i, p) in participants.iter().enumerate() {
        check.text(&format!("participants[{i}]"), p, 0, 300);
    }
}

pub fn create_thread(
    conn: &mut DbConn,
    actor: &Actor,
    input: ThreadInput,
    public_url: &str,
) -> DomainResult<Thread> {
    let member = membership(conn, actor)?;
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check_body(&mut check, &input.body);
    check.require(
        ThreadKind::parse(&input.kind).is_some(),
        "kind",
        "error-thread-kind",
    );
    let meeting_at = match input.meeting_at.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(t) => cus_db::bounds::parse_datetime(t)
            .map_err(|why| check.fail("meeting_at", why))
            .ok(),
        None => None,
    };
    if input.kind == "meeting" {
        check.require(
            // A time that did not parse is refused above already; a blank
            // one is no time.
            meeting_at.is_some()
                || input
                    .meeting_at
                    .as_deref()
                    .is_some_and(|m| !m.trim().is_empty()),
            "meeting_at",
            "error-required",
        );
    }
    check.text("place", input.place.as_deref().unwrap_or(""), 0, 300);
    // A consultation without a closing day runs for the usual 14 days.
    let closes_on = input
        .closes_on
        .unwrap_or_else(|| today() + Duration::days(14));
    if input.kind == "consultation" {
        check.require(closes_on >= today(), "closes_on", "error-date-past");
    }
    check.text("agenda", input.agenda.as_deref().unwrap_or(""), 0, 20_000);
    check.text(
        "document",
        input.document.as_deref().unwrap_or(""),
        0,
        100_000,
    );
    check_participants(&mut check, &input.participants);
    if let Some(t) = input.linked_type.as_deref().filter(|t| !t.is_empty()) {
        check.require(
            LinkKind::parse(t).is_some(),
            "linked_type",
            "error-link-kind",
        );
        check.text(
            "linked_id",
            input.linked_id.as_deref().unwrap_or(""),
            1,
            100,
        );
    } else {
        // Kept with the thread even without a kind: bounded all the same.
        check.text(
            "linked_id",
            input.linked_id.as_deref().unwrap_or(""),
            0,
            100,
        );
    }
    check.finish()?;
    throttle(conn, actor)?;
    let id = ThreadId::new();
    let participants: Vec<String> = input
        .participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    diesel::insert_into(threads::table)
        .values((
            threads::id.eq(&id),
            threads::municipality.eq(&member.municipality),
            threads::kind.eq(&input.kind),
            threads::title.eq(input.title.trim()),
            threads::author_id.eq(&actor.user_id),
            threads::document.eq(input
                .document
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())),
            threads::closes_on.eq((input.kind == "consultation").then_some(closes_on)),
            threads::meeting_at.eq(meeting_at.filter(|_| input.kind == "meeting")),
            threads::place.eq(input
                .place
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())),
            threads::agenda.eq(input
                .agenda
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())),
            threads::participants
                .eq(serde_json::to_string(&participants).unwrap_or_else(|_| "[]".into())),
            threads::linked_type.eq(input.linked_type.as_deref().filter(|t| !t.is_empty())),
            threads::linked_id.eq(input.linked_id.as_deref().filter(|t| !t.is_empty())),
            threads::created_at.eq(now()),
            threads::last_post_at.eq(now()),
        ))
        .execute(conn)?;
    index_text(conn, "", &id, input.title.trim())?;
    insert_post(conn, actor, &id, input.body.trim())?;
    notify(
        conn,
        actor,
        &member.municipality,
        &id,
        input.title.trim(),
        &format!("new_{}", input.kind),
        public_url,
    )?;
    get_thread(conn, actor, &id)
}

pub(super) fn thread_row(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ThreadId,
) -> DomainResult<ThreadRow> {
    let row: ThreadRow = threads::table
        .find(id)
        .select(ThreadRow::as_select())
        .get_result(conn)
        .found()?;
    if actor.municipality.as_deref() != Some(row.municipality.as_str()) {
        return Err(DomainError::NotFound);
    }
    membership(conn, actor)?;
    Ok(row)
}

pub(super) fn moderator(actor: &Actor) -> bool {
    actor.is(&[Role::Organizer, Role::Admin])
}

pub fn get_thread(conn: &mut DbConn, actor: &Actor, id: &ThreadId) -> DomainResult<Thread> {
    let row = thread_row(conn, actor, id)?;
    type Row = (
        PostId,
        String,
        String,
        String,
        bool,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = posts::table
        .inner_join(users::table)
        .filter(posts::thread_id.eq(id))
        .order(posts::created_at)
        .select((
            posts::id,
            posts::author_id,
            users::display_name,
            posts::body,
            posts::hidden,
            posts::hidden_reason,
            posts::created_at,
            posts::edited_at,
        ))
        .load(conn)?;
    let ids: Vec<PostId> = rows.iter().map(|r| r.0.clone()).collect();
    let revs: Vec<PostId> = post_revisions::table
        .filter(post_revisions::post_id.eq_any(&ids))
        .select(post_revisions::post_id)
        .load(conn)?;
    let see_hidden = moderator(actor);
    let posts = rows
        .into_iter()
        .map(
            |(pid, author_id, author, body, hidden, reason, created_at, edited_at)| {
                let shown = !hidden || see_hidden || author_id == actor.user_id;
                PostView {
                    revisions: revs.iter().filter(|r| **r == pid).count() as i64,
                    id: pid,
                    author_id,
                    author,
                    html: shown.then(|| markdown::render(&body)),
                    body: shown.then_some(body),
                    hidden,
                    hidden_reason: reason,
                    created_at,
                    edited_at,
                }
            },
        )
        .collect();
    Ok(Thread {
        participants: serde_json::from_str(&row.participants).unwrap_or_default(),
        document_html: row.document.as_deref().map(markdown::render),
        summary_html: row.summary.as_deref().map(markdown::render),
        minutes_html: row.minutes.as_deref().map(markdown::render),
        open_for_comments: row.open_for_comments(),
        posts,
        row,
    })
}

cus_db::text_enum! {
    /// How a list of threads is sorted (`?sort=`).
    pub enum ThreadSort {
        /// The latest post first.
        Active = "active",
        /// The latest started first.
        Newest = "newest",
    }
}

/// A list of threads as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ThreadFilter {
    #[param(required = false, value_type = ThreadKind)]
    pub kind: Option<String>,
    #[param(required = false, value_type = ThreadSort, inline)]
    pub sort: Option<String>,
}

/// One page of the threads of the member's municipality that `filter` asks
/// for, and how many in all.
pub fn find_threads(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ThreadFilter,
    paging: &cus_db::bounds::Paging,
) -> DomainResult<(Vec<ThreadRow>, i64)> {
    let member = membership(conn, actor)?;
    let kind: Option<ThreadKind> = cus_db::todo::choice(&filter.kind, "kind")?;
    let sort = cus_db::todo::choice(&filter.sort, "sort")?.unwrap_or(ThreadSort::Active);
    let window = paging.window()?;
    let scope = || {
        let mut q = threads::table
            .filter(threads::municipality.eq(member.municipality.clone()))
            .into_boxed();
        if let Some(k) = kind {
            q = q.filter(threads::kind.eq(k));
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    let q = scope().select(ThreadRow::as_select());
    let q = match sort {
        ThreadSort::Active => q.order((threads::last_post_at.desc(), threads::id)),
        ThreadSort::Newest => q.order((threads::created_at.desc(), threads::id)),
    };
    Ok((window.of(q).load(conn)?, total))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadUpdate {
    /// Consultations: how the comments were answered (closes it).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 50_000)]
    pub summary: Option<String>,
    /// Meetings: the minutes and the organizations that took part.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 50_000)]
    pub minutes: Option<String>,
    #[serde(default)]
    #[schema(max_items = 100, max_length = 300)]
    pub participants: Option<Vec<String>>,
}

/// The thread's author or the organizer closes a consultation with its
/// summary, or records a meeting's minutes and participants.
pub fn update_thread(
    conn: &mut DbConn,
    actor: &Actor,
    thread_id: &ThreadId,
    input: ThreadUpdate,
) -> DomainResult<Thread> {
    let row = thread_row(conn, actor, thread_id)?;
    if row.author_id != actor.user_id && !moderator(actor) {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    if let Some(s) = &input.summary {
        check.require(
            row.kind == "consultation",
            "summary",
            "error-not-consultation",
        );
        check.text("summary", s, 1, 50_000);
    }
    if let Some(m) = &input.minutes {
        check.require(row.kind == "meeting", "minutes", "error-not-meeting");
        check.text("minutes", m, 1, 50_000);
    }
    if let Some(p) = &input.participants {
        check.require(row.kind == "meeting", "participants", "error-not-meeting");
        check_participants(&mut check, p);
    }
    check.finish()?;
    let target = threads::table.find(thread_id);
    if let Some(s) = &input.summary {
        diesel::update(target)
            .set(threads::summary.eq(s.trim()))
            .execute(conn)?;
    }
    if let Some(m) = &input.minutes {
        diesel::update(target)
            .set(threads::minutes.eq(m.trim()))
            .execute(conn)?;
    }
    if let Some(p) = &input.participants {
        let list: Vec<&str> = p
            .iter()
            .map(|x| x.trim())
            .filter(|x| !x.is_empty())
            .collect();
        diesel::update(target)
            .set(
                threads::participants
                    .eq(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())),
            )
            .execute(conn)?;
    }
    get_thread(conn, actor, thread_id)
}
