//! The two migration trees produce the same tables and columns, and every
//! foreign key has an index whose first column is the key's first column.

use cus_tests::*;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use std::collections::BTreeSet;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn sqlite_columns(conn: &mut SqliteConnection) -> BTreeSet<(String, String)> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'forum_search%' AND name NOT LIKE 'search_terms%' AND name != '__diesel_schema_migrations'",
    )
    .load(conn)
    .unwrap();
    let mut out = BTreeSet::new();
    for t in tables {
        let cols: Vec<Name> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                .load(conn)
                .unwrap();
        out.extend(cols.into_iter().map(|c| (t.name.clone(), c.name)));
    }
    out
}

fn postgres_columns(conn: &mut PgConnection) -> BTreeSet<(String, String)> {
    let cols: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name != '__diesel_schema_migrations'",
    )
    .load(conn)
    .unwrap();
    cols.into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect()
}

fn migrated_sqlite() -> SqliteConnection {
    let path = temp_dir().join("schema.db");
    let pool = cus_db::connect(path.to_str().unwrap(), 1).unwrap();
    cus_db::migrate(&mut pool.get().unwrap()).unwrap();
    drop(pool);
    SqliteConnection::establish(path.to_str().unwrap()).unwrap()
}

#[test]
fn both_trees_have_the_same_tables_and_columns() {
    let sqlite = sqlite_columns(&mut migrated_sqlite());
    assert!(sqlite.contains(&("plans".to_string(), "deadline".to_string())));
    if backend() != "postgres" {
        eprintln!("PostgreSQL side checked in the postgres run (CUS_TEST_DB=postgres)");
        return;
    }
    let url = fresh_database(&temp_dir());
    let pool = cus_db::connect(&url, 1).unwrap();
    cus_db::migrate(&mut pool.get().unwrap()).unwrap();
    let pg = postgres_columns(&mut PgConnection::establish(&url).unwrap());
    let only_sqlite: Vec<_> = sqlite.difference(&pg).collect();
    let only_pg: Vec<_> = pg.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_pg:?}"
    );
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct IndexColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    seqno: i32,
}

#[test]
fn every_foreign_key_is_indexed() {
    let mut conn = migrated_sqlite();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'forum_search%' AND name NOT LIKE 'search_terms%'",
    )
    .load(&mut conn)
    .unwrap();
    let mut missing = vec![];
    for t in tables {
        let fks: Vec<ForeignKey> = diesel::sql_query(format!(
            "SELECT '{0}' AS table_name, \"from\" AS column_name FROM pragma_foreign_key_list('{0}') WHERE seq = 0",
            t.name
        ))
        .load(&mut conn)
        .unwrap();
        // First columns of every index, the primary key's included.
        let mut leading = BTreeSet::new();
        let indexes: Vec<Name> =
            diesel::sql_query(format!("SELECT name FROM pragma_index_list('{}')", t.name))
                .load(&mut conn)
                .unwrap();
        for i in indexes {
            let cols: Vec<IndexColumn> = diesel::sql_query(format!(
                "SELECT name, seqno FROM pragma_index_info('{}')",
                i.name
            ))
            .load(&mut conn)
            .unwrap();
            leading.extend(cols.into_iter().filter(|c| c.seqno == 0).map(|c| c.name));
        }
        let pk: Vec<Name> = diesel::sql_query(format!(
            "SELECT name FROM pragma_table_info('{}') WHERE pk = 1",
            t.name
        ))
        .load(&mut conn)
        .unwrap();
        leading.extend(pk.into_iter().map(|c| c.name));
        for fk in fks {
            if !leading.contains(&fk.column_name) {
                missing.push(format!("{}.{}", fk.table_name, fk.column_name));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "foreign keys without an index: {missing:?}"
    );
}

#[derive(QueryableByName)]
struct Unindexed {
    #[diesel(sql_type = Text)]
    fk: String,
}

/// The same check on PostgreSQL's catalog: every foreign key's first column
/// leads some index.
#[test]
fn every_foreign_key_is_indexed_on_postgres() {
    if backend() != "postgres" {
        eprintln!("checked in the postgres run (CUS_TEST_DB=postgres)");
        return;
    }
    let url = fresh_database(&temp_dir());
    let pool = cus_db::connect(&url, 1).unwrap();
    cus_db::migrate(&mut pool.get().unwrap()).unwrap();
    let mut conn = PgConnection::establish(&url).unwrap();
    let missing: Vec<Unindexed> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text || '.' || a.attname AS fk \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.contype = 'f' AND NOT EXISTS ( \
           SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
    )
    .load(&mut conn)
    .unwrap();
    let names: Vec<String> = missing.into_iter().map(|m| m.fk).collect();
    assert!(names.is_empty(), "foreign keys without an index: {names:?}");
}
