//! Benchmarks (benchmarking): an indicator's latest values across the
//! municipalities of the deployment or of a group, or across the providers
//! (agreements) of one municipality; the average, the median, positions and
//! who is below the average or the target; CSV, XLSX and an SVG chart.

use cus_db::schema::{agreements, municipalities, organizations};
use cus_db::{Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

use super::indicators::READERS;
use super::ranking::{rank, Entry, Row};
use super::*;
use cus_db::text::Translate;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorHead {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub higher_is_better: bool,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Benchmark {
    pub indicator: IndicatorHead,
    #[schema(value_type = String)]
    pub period: String,
    /// `municipalities` or `agreements`.
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub average: Option<f64>,
    pub median: Option<f64>,
    /// Rows with a value.
    pub count: usize,
    pub values: Vec<Row>,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct BenchmarkQuery {
    pub indicator: String,
    #[param(
        example = "2026",
        pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
    )]
    pub period: String,
    /// `municipalities` (default) or `agreements`.
    pub scope: Option<String>,
    /// A benchmarking group: its members' values of its closed rounds.
    pub group: Option<String>,
    /// `csv` or `xlsx` for a file.
    pub format: Option<String>,
}

impl BenchmarkQuery {
    /// An empty `scope`, `group` or `format` (a form left blank) is none.
    pub fn blank_is_default(mut self) -> BenchmarkQuery {
        for f in [&mut self.scope, &mut self.group, &mut self.format] {
            if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *f = None;
            }
        }
        self
    }
}

pub fn benchmark(conn: &mut DbConn, actor: &Actor, q: &BenchmarkQuery) -> DomainResult<Benchmark> {
    actor.require(&READERS)?;
    let home = actor.home()?.to_string();
    let scope = q.scope.clone().unwrap_or_else(|| "municipalities".into());
    if !["municipalities", "agreements"].contains(&scope.as_str()) {
        return Err(DomainError::field("scope", "error-benchmark-scope"));
    }
    let period = Period::from_field(&q.period, "period")?.to_string();
    let indicator = super::indicators::get(conn, &q.indicator)?;
    let entries: Vec<Entry> = match (scope.as_str(), &q.group) {
        ("agreements", Some(_)) => {
            return Err(DomainError::field("group", "error-benchmark-group-scope"))
        }
        ("agreements", None) => {
            let names: HashMap<String, String> = agreements::table
                .inner_join(organizations::table)
                .filter(agreements::municipality.eq(&home))
                .select((agreements::id, agreements::number, organizations::name))
                .load::<(String, String, String)>(conn)?
                .into_iter()
                .map(|(id, number, org)| (id, format!("{org} ({number})")))
                .collect();
            super::runs::latest_values(
                conn,
                &indicator.code,
                &period,
                "agreement",
                Some(&[home.clone()]),
            )?
            .into_iter()
            .map(|(_, id, v, s)| {
                let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                (id, name, v, s)
            })
            .collect()
        }
        (_, Some(group)) => {
            // A group that is no id names none (404, as another's group).
            let group = super::groups::GroupId::parse(group).ok_or(DomainError::NotFound)?;
            super::groups::benchmark_entries(conn, actor, &group, &period, &indicator.code)?
        }
        _ => {
            let all: Vec<(String, String)> = municipalities::table
                .order(municipalities::name)
                .select((municipalities::teryt, municipalities::name))
                .load(conn)?;
            let values: HashMap<String, (Option<f64>, bool)> =
                super::runs::latest_values(conn, &indicator.code, &period, "municipality", None)?
                    .into_iter()
                    .map(|(_, id, v, s)| (id, (v, s)))
                    .collect();
            all.into_iter()
                .map(|(teryt, name)| {
                    let (v, s) = values.get(&teryt).copied().unwrap_or((None, false));
                    (teryt, name, v, s)
                })
                .collect()
        }
    };
    let (average, median, values) = rank(&indicator, entries);
    Ok(Benchmark {
        count: values.iter().filter(|r| r.value.is_some()).count(),
        indicator: IndicatorHead {
            code: indicator.code.clone(),
            name: indicator.name.clone(),
            unit: indicator.unit.clone(),
            higher_is_better: indicator.higher_is_better,
            target: indicator.target,
        },
        period,
        scope,
        group: q.group.clone(),
        average,
        median,
        values,
    })
}

fn yes_no(tr: &dyn Translate, b: bool) -> String {
    tr.t(if b { "word-yes" } else { "word-no" })
}

fn headers(tr: &dyn Translate) -> Vec<String> {
    [
        "bench-position",
        "bench-subject-id",
        "bench-name",
        "bench-value",
        "bench-suppressed",
        "bench-below-average",
        "bench-below-target",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect()
}

pub fn to_csv(b: &Benchmark, tr: &dyn Translate) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    let num = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    w.write_record(headers(tr)).expect("in memory");
    for r in &b.values {
        w.write_record([
            r.position.map(|p| p.to_string()).unwrap_or_default(),
            r.subject_id.clone(),
            r.name.clone(),
            num(r.value),
            yes_no(tr, r.suppressed),
            yes_no(tr, r.below_average),
            yes_no(tr, r.below_target),
        ])
        .expect("in memory");
    }
    w.write_record([
        "".into(),
        "".into(),
        tr.t("bench-average"),
        num(b.average),
        "".into(),
        "".into(),
        "".into(),
    ])
    .expect("in memory");
    w.write_record([
        "".into(),
        "".into(),
        tr.t("bench-median"),
        num(b.median),
        "".into(),
        "".into(),
        "".into(),
    ])
    .expect("in memory");
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

pub fn to_xlsx(b: &Benchmark, tr: &dyn Translate) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    sheet
        .write_string_with_format(
            0,
            0,
            format!("{} ({}), {}", b.indicator.name, b.indicator.unit, b.period),
            &bold,
        )
        .map_err(e)?;
    for (c, h) in headers(tr).iter().enumerate() {
        sheet
            .write_string_with_format(2, c as u16, h, &bold)
            .map_err(e)?;
    }
    let mut row = 3;
    for r in &b.values {
        if let Some(p) = r.position {
            sheet.write_number(row, 0, p).map_err(e)?;
        }
        sheet.write_string(row, 1, &r.subject_id).map_err(e)?;
        sheet.write_string(row, 2, &r.name).map_err(e)?;
        if let Some(v) = r.value {
            sheet.write_number(row, 3, v).map_err(e)?;
        }
        sheet
            .write_string(row, 4, yes_no(tr, r.suppressed))
            .map_err(e)?;
        sheet
            .write_string(row, 5, yes_no(tr, r.below_average))
            .map_err(e)?;
        sheet
            .write_string(row, 6, yes_no(tr, r.below_target))
            .map_err(e)?;
        row += 1;
    }
    for (label, v) in [("bench-average", b.average), ("bench-median", b.median)] {
        sheet
            .write_string_with_format(row, 2, tr.t(label), &bold)
            .map_err(e)?;
        if let Some(v) = v {
            sheet.write_number(row, 3, v).map_err(e)?;
        }
        row += 1;
    }
    sheet.set_column_width(2, 40).map_err(e)?;
    book.save_to_buffer().map_err(e)
}

/// A horizontal bar chart of the rows with a value, with the average and
/// the target drawn as lines; a `<title>` and `<desc>` for screen readers.
pub fn to_svg(b: &Benchmark, tr: &dyn Translate) -> Result<String, String> {
    use plotters::prelude::*;
    let shown: Vec<&Row> = b.values.iter().filter(|r| r.value.is_some()).collect();
    let height = 90 + 28 * shown.len().max(1) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = shown
            .iter()
            .filter_map(|r| r.value)
            .chain(b.indicator.target)
            .chain(b.average)
            .fold(0.0f64, f64::max);
        let max = if max <= 0.0 { 1.0 } else { max * 1.1 };
        let n = shown.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{} — {}", b.indicator.name, b.period),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(230)
            .build_cartesian_2d(0.0..max, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        let names: Vec<String> = shown.iter().map(|r| truncate(&r.name, 34)).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(shown.len().max(1))
            .y_label_formatter(&|v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    names.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .x_desc(b.indicator.unit.clone())
            .draw()
            .map_err(|e| e.to_string())?;
        let below = RGBColor(178, 34, 34);
        let fine = RGBColor(31, 94, 150);
        chart
            .draw_series(shown.iter().enumerate().map(|(i, r)| {
                let v = r.value.unwrap_or(0.0);
                let color = if r.below_average || r.below_target {
                    below
                } else {
                    fine
                };
                Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i as i32)),
                        (v, SegmentValue::Exact(i as i32 + 1)),
                    ],
                    color.filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        // The lines are named in the page's caption and the SVG's <desc>.
        for (value, color) in [
            (b.average, BLACK),
            (b.indicator.target, RGBColor(0, 128, 0)),
        ] {
            if let Some(v) = value {
                chart
                    .draw_series(LineSeries::new(
                        vec![(v, SegmentValue::Exact(0)), (v, SegmentValue::Last)],
                        color.stroke_width(2),
                    ))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    let mut parts: Vec<String> = shown
        .iter()
        .map(|r| format!("{}: {:.2}", r.name, r.value.unwrap_or(0.0)))
        .collect();
    for (key, v) in [
        ("bench-average", b.average),
        ("bench-target", b.indicator.target),
    ] {
        if let Some(v) = v {
            parts.push(format!("{}: {v:.2}", tr.t(key)));
        }
    }
    let describe = parts.join("; ");
    let title = format!("{} — {}", b.indicator.name, b.period);
    let a11y = format!(
        "<title>{}</title><desc>{}</desc>",
        xml_escape(&title),
        xml_escape(&describe)
    );
    Ok(match svg.find('>') {
        Some(i) => {
            let (head, tail) = svg.split_at(i + 1);
            let head = head.replacen("<svg ", "<svg role=\"img\" ", 1);
            format!("{head}{a11y}{tail}")
        }
        None => svg,
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::indicators::Indicator;

    fn indicator(higher: bool, target: Option<f64>) -> Indicator {
        Indicator {
            code: "x".into(),
            name: "X".into(),
            kind: "quality".into(),
            unit: "%".into(),
            higher_is_better: higher,
            subject: "municipality".into(),
            subjects: vec!["municipality".into()],
            source: "computed".into(),
            formula: None,
            target,
            description: String::new(),
        }
    }

    fn e(id: &str, v: Option<f64>, s: bool) -> Entry {
        (id.into(), id.into(), v, s)
    }

    #[test]
    fn ranks_ties_direction_and_flags() {
        let (avg, med, rows) = rank(
            &indicator(true, Some(50.0)),
            vec![
                e("a", Some(40.0), false),
                e("b", Some(60.0), false),
                e("c", Some(60.0), false),
                e("d", None, true),
                e("e", None, false),
            ],
        );
        assert_eq!(avg, Some(53.33));
        assert_eq!(med, Some(60.0));
        let pos: Vec<_> = rows
            .iter()
            .map(|r| (r.subject_id.as_str(), r.position))
            .collect();
        assert_eq!(
            pos,
            [
                ("b", Some(1)),
                ("c", Some(1)),
                ("a", Some(3)),
                ("d", None),
                ("e", None)
            ]
        );
        assert!(rows[2].below_average && rows[2].below_target);
        assert!(!rows[0].below_average && !rows[3].below_average);
        let (_, _, rows) = rank(
            &indicator(false, None),
            vec![e("a", Some(2.0), false), e("b", Some(5.0), false)],
        );
        assert_eq!(rows[0].subject_id, "a");
        assert!(rows[1].below_average && !rows[1].below_target);
    }
}
