//! Full-text search over the posts a member may read.

use super::*;
use cus_db::schema::{posts, threads};
use cus_db::{Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub thread_id: ThreadId,
    pub title: String,
    pub post_id: Option<PostId>,
    /// The matching post's text, shortened; hidden posts never match.
    pub excerpt: String,
}

#[derive(QueryableByName)]
pub(super) struct Match {
    /// Empty for a thread's title.
    #[diesel(sql_type = Text)]
    post_id: String,
    #[diesel(sql_type = Text)]
    thread_id: ThreadId,
}

/// Full-text search over thread titles and posts of the member's forum
/// (SQLite FTS5 / PostgreSQL full text, 'simple' configuration).
pub fn search(conn: &mut DbConn, actor: &Actor, q: &str) -> DomainResult<Vec<SearchHit>> {
    let member = membership(conn, actor)?;
    let words: Vec<String> = q
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(10)
        .collect();
    if words.is_empty() {
        return Err(DomainError::field("q", "error-required"));
    }
    let matches: Vec<Match> = match conn {
        cus_db::DbConn::Sqlite(c) => {
            // Each word quoted: user text is never FTS syntax.
            let fts = words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ");
            diesel::sql_query(
                "SELECT post_id, thread_id FROM forum_search WHERE forum_search MATCH ? LIMIT 200",
            )
            .bind::<Text, _>(fts)
            .load(c)?
        }
        cus_db::DbConn::Pg(c) => {
            let text = words.join(" ");
            diesel::sql_query(
                "SELECT id AS post_id, thread_id FROM posts WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', $1) \
                 UNION ALL SELECT '' AS post_id, id AS thread_id FROM threads WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', $1) \
                 LIMIT 200",
            )
            .bind::<Text, _>(text)
            .load(c)?
        }
    };
    // Two queries for all matches: the member's threads, the visible posts.
    let thread_ids: Vec<&ThreadId> = matches.iter().map(|m| &m.thread_id).collect();
    let titles: std::collections::HashMap<ThreadId, String> = threads::table
        .filter(threads::id.eq_any(&thread_ids))
        .filter(threads::municipality.eq(&member.municipality))
        .select((threads::id, threads::title))
        .load::<(ThreadId, String)>(conn)?
        .into_iter()
        .collect();
    let post_ids: Vec<PostId> = matches
        .iter()
        .filter_map(|m| PostId::parse(&m.post_id))
        .collect();
    let bodies: std::collections::HashMap<PostId, String> = posts::table
        .filter(posts::id.eq_any(&post_ids))
        .filter(posts::hidden.eq(false))
        .select((posts::id, posts::body))
        .load::<(PostId, String)>(conn)?
        .into_iter()
        .collect();
    let mut hits = vec![];
    for m in matches {
        let Some(title) = titles.get(&m.thread_id) else {
            continue;
        };
        if m.post_id.is_empty() {
            hits.push(SearchHit {
                thread_id: m.thread_id.clone(),
                excerpt: title.clone(),
                title: title.clone(),
                post_id: None,
            });
        } else if let Some((post, body)) =
            PostId::parse(&m.post_id).and_then(|p| bodies.get_key_value(&p))
        {
            hits.push(SearchHit {
                thread_id: m.thread_id.clone(),
                title: title.clone(),
                post_id: Some(post.clone()),
                excerpt: body.chars().take(200).collect(),
            });
        }
    }
    Ok(hits)
}
