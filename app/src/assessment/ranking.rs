//! Ranking an indicator's values: average, median, positions in the
//! indicator's direction, and who is below the average or the target. Both
//! scopes of a benchmark use it, and so do a group's rounds and the
//! corrective actions' suggestions.

use serde::Serialize;
use utoipa::ToSchema;

use super::indicators::Indicator;
use super::*;

/// One subject's row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Row {
    /// TERYT code of a municipality, or an agreement's id.
    pub subject_id: String,
    pub name: String,
    pub value: Option<f64>,
    pub suppressed: bool,
    /// 1 is the best in the indicator's direction; ties share a position;
    /// none without a value.
    pub position: Option<u32>,
    pub below_average: bool,
    pub below_target: bool,
}

/// Unranked input: `(subject_id, name, value, suppressed)`.
pub type Entry = (String, String, Option<f64>, bool);

/// Ranks the entries: average and median of the values shown, positions in
/// the indicator's direction, below-average and below-target flags.
/// Suppressed and empty rows have no position and are not counted.
pub fn rank(indicator: &Indicator, entries: Vec<Entry>) -> (Option<f64>, Option<f64>, Vec<Row>) {
    let values: Vec<f64> = entries
        .iter()
        .filter(|e| !e.3)
        .filter_map(|e| e.2)
        .collect();
    let average = mean(&values).map(round2);
    let mut sorted = values.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = median(&values).map(round2);
    let mut rows: Vec<Row> = entries
        .into_iter()
        .map(|(subject_id, name, value, suppressed)| {
            let value = if suppressed { None } else { value };
            // 1 + how many values are strictly better, by binary search.
            let position = value.map(|v| {
                let better = if indicator.higher_is_better {
                    sorted.len() - sorted.partition_point(|o| *o <= v)
                } else {
                    sorted.partition_point(|o| *o < v)
                };
                1 + better as u32
            });
            Row {
                below_average: value
                    .zip(average)
                    .is_some_and(|(v, a)| indicator.worse(v, a)),
                below_target: value
                    .zip(indicator.target)
                    .is_some_and(|(v, t)| indicator.worse(v, t)),
                subject_id,
                name,
                value,
                suppressed,
                position,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.position
            .unwrap_or(u32::MAX)
            .cmp(&b.position.unwrap_or(u32::MAX))
            .then_with(|| a.name.cmp(&b.name))
    });
    (average, median, rows)
}
