//! `cus synth` fills an empty database with a small synthetic deployment,
//! refuses one that has data, and `cus assess` runs over it.

use chrono::Datelike;
use cus_db::schema::{
    agreements, assessment_runs, municipalities, organizations, plans, residents, users,
};
use cus_tests::*;
use diesel::prelude::*;

#[test]
fn synth_fills_an_empty_database_once_and_assess_runs_over_it() {
    let dir = temp_dir();
    let Some(bin) = cus_binary(&dir, &["synth", "--help"], "--organizations") else {
        eprintln!(
            "skipping: target/debug/cus is missing or not this tree's build (cargo build --bins)"
        );
        return;
    };
    let url = fresh_database(&dir);
    assert!(run_cus(&bin, &url, &["migrate"]).status.success());
    let small = [
        "synth",
        "--municipalities",
        "2",
        "--residents",
        "50",
        "--plans",
        "50",
        "--organizations",
        "5",
        "--agreements",
        "10",
    ];
    let first = run_cus(&bin, &url, &small);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("synth-password-2026"), "{stdout}");
    assert!(stdout.contains("@synth.example"), "{stdout}");

    let mut conn = cus_db::connect(&url, 1).unwrap().get().unwrap();
    let count = |conn: &mut cus_db::DbConn, table: &str| -> i64 {
        match table {
            "municipalities" => municipalities::table.count().get_result(conn),
            "users" => users::table.count().get_result(conn),
            "residents" => residents::table.count().get_result(conn),
            "plans" => plans::table.count().get_result(conn),
            "organizations" => organizations::table.count().get_result(conn),
            _ => agreements::table.count().get_result(conn),
        }
        .unwrap()
    };
    for (table, n) in [
        ("municipalities", 2),
        // An organizer and two social workers in each.
        ("users", 6),
        ("residents", 50),
        ("plans", 50),
        ("organizations", 5),
        ("agreements", 10),
    ] {
        assert_eq!(count(&mut conn, table), n, "{table}");
    }

    // Social work in proportion: households, referrals, contracts whose
    // commitments all fall within them.
    let households: i64 = cus_db::schema::households::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    let members: i64 = cus_db::schema::household_members::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(
        households > 0 && members >= 2 * households,
        "{households} {members}"
    );
    let heads: i64 = cus_db::schema::household_members::table
        .filter(cus_db::schema::household_members::relation.eq("head"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(heads, households);
    let districts: i64 = cus_db::schema::districts::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(districts, 8);

    let second = run_cus(&bin, &url, &small);
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(count(&mut conn, "residents"), 50, "nothing added");

    let year = (cus_db::today().year() - 1).to_string();
    let assess = run_cus(&bin, &url, &["assess", "--period", &year]);
    let stdout = String::from_utf8_lossy(&assess.stdout);
    assert!(
        assess.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&assess.stderr)
    );
    assert!(stdout.contains("2 runs"), "{stdout}");
    let done: i64 = assessment_runs::table
        .filter(assessment_runs::status.eq("done"))
        .filter(assessment_runs::period.eq(&year))
        .filter(assessment_runs::results.gt(0))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(done, 2);
}
