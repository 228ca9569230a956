//! What community work's tables hold about people (the register of
//! processing, `cus_db::privacy`): the forum's members and their posts; the
//! activity log counts people, it does not name them.

use cus_db::privacy::TableUse;

pub const TABLES: &[TableUse] = &[
    TableUse::plain("communities"),
    TableUse::plain("activities"),
    TableUse::personal("forum_members", &["forum"]),
    TableUse::personal("threads", &["forum"]),
    TableUse::personal("posts", &["forum"]),
    TableUse::personal("post_revisions", &["forum"]),
    TableUse::personal("forum_notifications", &["forum"]),
    // The search index of thread titles and post bodies.
    TableUse::personal("forum_search", &["forum"]),
];
