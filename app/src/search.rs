//! One search box for staff (API.md `GET /api/v1/search`): case and
//! agreement numbers, competition and program titles, organizations, and
//! residents for the roles that may search them. Full text on both
//! backends: SQLite's FTS5 index `search_terms` (kept by triggers, accents
//! folded), PostgreSQL's text search (the Polish configuration when the
//! server has one, else `simple`). Never another municipality's record.

use cus_db::schema::{
    agreements, competitions, organizations, programs, requests, social_programs,
};
use cus_db::{Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use utoipa::ToSchema;

use crate::window;

/// The query's length, in characters, once trimmed.
pub const MIN_CHARS: usize = 2;
pub const MAX_CHARS: usize = 100;
/// Hits of one kind shown at most.
const PER_KIND: usize = 20;

/// Who may search: staff, the commission and the council; not residents or
/// organizations, whose pages show only their own records.
pub fn allowed(actor: &Actor) -> bool {
    !matches!(actor.role, Role::Resident | Role::Ngo)
}

/// One record found: what it is, what people call it, its page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// `request`, `agreement`, `competition`, `program`, `social_program`,
    /// `organization` or `resident`.
    pub kind: &'static str,
    pub title: String,
    pub link: String,
}

/// The words of a query: letters and digits only, so user text is never
/// query syntax on either backend (`CUS/1428011/2026/00001` is four words).
fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(10)
        .map(str::to_lowercase)
        .collect()
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    ref_id: String,
}

/// What each kind is looked up by on PostgreSQL (the same text the SQLite
/// index holds, and the expression of the GIN index).
const PG_BODIES: [(&str, &str, &str); 6] = [
    ("request", "requests", "case_number"),
    ("agreement", "agreements", "number || ' ' || title"),
    ("competition", "competitions", "title"),
    ("program", "programs", "title"),
    ("social_program", "social_programs", "title"),
    (
        "organization",
        "organizations",
        "name || ' ' || coalesce(krs, '') || ' ' || nip",
    ),
];

fn matches(conn: &mut DbConn, municipality: &str, words: &[String]) -> DomainResult<Vec<Found>> {
    Ok(match conn {
        DbConn::Sqlite(c) => {
            // Every word as a quoted prefix: all must occur.
            let fts = words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            diesel::sql_query(
                "SELECT kind, ref_id FROM search_terms WHERE search_terms MATCH ? AND municipality = ? LIMIT 500",
            )
            .bind::<Text, _>(fts)
            .bind::<Text, _>(municipality)
            .load(c)?
        }
        DbConn::Pg(c) => {
            #[derive(QueryableByName)]
            struct Config {
                #[diesel(sql_type = Text)]
                name: String,
            }
            let config = diesel::sql_query(
                "SELECT coalesce((SELECT cfgname::text FROM pg_ts_config WHERE cfgname = 'polish'), 'simple') AS name",
            )
            .get_result::<Config>(c)?
            .name;
            let query = words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            let union = PG_BODIES
                .iter()
                .map(|(kind, table, body)| {
                    format!(
                        "SELECT '{kind}' AS kind, id AS ref_id FROM {table} WHERE municipality = $1 AND \
                         to_tsvector('{config}', regexp_replace({body}, '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('{config}', $2)"
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            diesel::sql_query(format!("{union} LIMIT 500"))
                .bind::<Text, _>(municipality)
                .bind::<Text, _>(query)
                .load(c)?
        }
    })
}

fn ids<'a>(found: &'a [Found], kind: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.ref_id.as_str())
        .take(PER_KIND)
        .collect()
}

/// `kowalska` as names are written, `Kowalska` (words are lowercased for
/// the index; last names are stored as typed).
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The records `q` finds that `actor` may open, by kind.
pub fn search(conn: &mut DbConn, actor: &Actor, q: &str) -> DomainResult<Vec<Hit>> {
    if !allowed(actor) {
        return Err(DomainError::Forbidden);
    }
    let q = q.trim();
    let chars = q.chars().count();
    if chars < MIN_CHARS {
        return Err(DomainError::field("q", "error-search-q-short"));
    }
    if chars > MAX_CHARS {
        return Err(DomainError::field("q", "error-search-q-long"));
    }
    if q.chars().any(char::is_control) {
        return Err(DomainError::field("q", "error-control-character"));
    }
    let words = words(q);
    let mut hits = Vec::new();
    // A global administrator has no municipality to search in.
    let Some(home) = actor.municipality.clone() else {
        return Ok(hits);
    };
    if words.is_empty() {
        return Ok(hits);
    }
    let found = matches(conn, &home, &words)?;
    let role = actor.role;
    if role.is_staff() {
        let rows: Vec<(String, String)> = requests::table
            .filter(requests::id.eq_any(ids(&found, "request")))
            .filter(requests::municipality.eq(&home))
            .order(requests::case_number)
            .select((requests::id, requests::case_number))
            .load(conn)?;
        hits.extend(rows.into_iter().map(|(id, case)| Hit {
            kind: "request",
            title: case,
            link: format!("/requests/{id}"),
        }));
    }
    if actor.is(&[Role::Organizer, Role::Coordinator, Role::Admin]) {
        let rows: Vec<(String, String, String)> = agreements::table
            .inner_join(organizations::table)
            .filter(agreements::id.eq_any(ids(&found, "agreement")))
            .filter(agreements::municipality.eq(&home))
            .order(agreements::number)
            .select((agreements::id, agreements::number, organizations::name))
            .load(conn)?;
        hits.extend(rows.into_iter().map(|(id, number, org)| Hit {
            kind: "agreement",
            title: format!("{number} — {org}"),
            link: format!("/agreements/{id}"),
        }));
    }
    let mut competitions_q = competitions::table
        .filter(competitions::id.eq_any(ids(&found, "competition")))
        .filter(competitions::municipality.eq(&home))
        .order(competitions::title)
        .select((competitions::id, competitions::title))
        .into_boxed();
    if !actor.is(&[Role::Organizer, Role::Admin]) {
        // Drafts are the organizer's until published.
        competitions_q = competitions_q
            .filter(competitions::status.ne(contracting::competitions::CompetitionStatus::Draft));
    }
    let rows: Vec<(String, String)> = competitions_q.load(conn)?;
    hits.extend(rows.into_iter().map(|(id, title)| Hit {
        kind: "competition",
        title,
        link: format!("/competitions/{id}"),
    }));
    if role.is_staff() || role == Role::Council {
        let rows: Vec<(String, String)> = programs::table
            .filter(programs::id.eq_any(ids(&found, "program")))
            .filter(programs::municipality.eq(&home))
            .order(programs::title)
            .select((programs::id, programs::title))
            .load(conn)?;
        hits.extend(rows.into_iter().map(|(id, title)| Hit {
            kind: "program",
            title,
            link: format!("/programs/{id}"),
        }));
    }
    if role != Role::Commission {
        let rows: Vec<(String, String, i32)> = social_programs::table
            .filter(social_programs::id.eq_any(ids(&found, "social_program")))
            .filter(social_programs::municipality.eq(&home))
            .order((social_programs::title, social_programs::version))
            .select((
                social_programs::id,
                social_programs::title,
                social_programs::version,
            ))
            .load(conn)?;
        hits.extend(rows.into_iter().map(|(id, title, version)| Hit {
            kind: "social_program",
            title: format!("{title} (v{version})"),
            link: format!("/social-programs/{id}"),
        }));
    }
    if role.is_staff() {
        let rows: Vec<(String, String, String)> = organizations::table
            .filter(organizations::id.eq_any(ids(&found, "organization")))
            .filter(organizations::municipality.eq(&home))
            .order(organizations::name)
            .select((organizations::id, organizations::name, organizations::city))
            .load(conn)?;
        hits.extend(rows.into_iter().map(|(id, name, city)| Hit {
            kind: "organization",
            title: format!("{name}, {city}"),
            link: format!("/organizations/{id}"),
        }));
    }
    if actor.is(window::SEARCHING_RESIDENTS) {
        // By PESEL or last name, audited per resident shown (as
        // `GET /api/v1/residents?q=`); a query of numbers only is not a name.
        // The longest word of letters is taken as the last name.
        let pesel = q.len() == 11 && q.chars().all(|c| c.is_ascii_digit());
        let name = words
            .iter()
            .filter(|w| w.chars().count() >= MIN_CHARS && w.chars().all(char::is_alphabetic))
            .max_by_key(|w| w.chars().count());
        let by = if pesel {
            Some(q.to_string())
        } else {
            name.map(|n| capitalized(n))
        };
        if let Some(by) = by {
            for r in window::search_residents(conn, actor, &by)? {
                let born = r.birth_year.map(|y| format!(" ({y})")).unwrap_or_default();
                hits.push(Hit {
                    kind: "resident",
                    title: format!("{} {}{born}", r.first_name, r.last_name),
                    link: format!("/residents/{}", r.id),
                });
            }
        }
    }
    Ok(hits)
}
