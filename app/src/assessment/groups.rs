//! Benchmarking groups (grupy wymiany doświadczeń, GWD; seeds 000 and 001).

use cus_db::{Actor, DbConn, DomainError, DomainResult};

use super::benchmarks::Entry;

/// The rows of `/benchmarks?group=ID`: the group's members and their values
/// of the indicator in the group's closed round for `period`. 404 unless
/// the caller's municipality is a member.
pub fn benchmark_entries(
    _conn: &mut DbConn,
    _actor: &Actor,
    _group: &str,
    _period: &str,
    _indicator: &str,
) -> DomainResult<Vec<Entry>> {
    Err(DomainError::NotFound)
}

/// The groups `municipality` belongs to: `(id, name)`.
pub fn groups_of(_conn: &mut DbConn, _municipality: &str) -> DomainResult<Vec<(String, String)>> {
    Ok(vec![])
}

/// The group of meeting `meeting` when `municipality` is a member of it.
pub fn meeting_in_group(
    _conn: &mut DbConn,
    _meeting: &str,
    _municipality: &str,
) -> DomainResult<Option<String>> {
    Ok(None)
}
