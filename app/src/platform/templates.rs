//! Handlebars templates (pages, printable documents and mail), embedded in
//! the binary, with the Fluent helper: `{{fluent "key"}}` in the context's
//! `lang`, `{{datetime value}}` / `{{date value}}` for dates and times in
//! the reader's language and the configured zone (`jobs.timezone`), and
//! `{{num value}}` for figures in the reader's language.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use fluent_templates::FluentLoader;
use handlebars::Handlebars;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use rust_embed::RustEmbed;
use serde::Serialize;
use std::sync::{LazyLock, RwLock};

use crate::platform::i18n::LOCALES;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Templates;

static REGISTRY: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut hb = Handlebars::new();
    // A field the data does not hold is an error, not an empty string.
    hb.set_strict_mode(true);
    hb.register_embed_templates_with_extension::<Templates>(".hbs")
        .expect("embedded templates compile");
    hb.register_helper("fluent", Box::new(FluentLoader::new(&*LOCALES)));
    hb.register_helper("t", Box::new(translate_dynamic));
    hb.register_helper("unit", Box::new(unit));
    hb.register_helper("contains", Box::new(contains));
    hb.register_helper("pln", Box::new(pln));
    hb.register_helper("num", Box::new(num));
    hb.register_helper("datetime", Box::new(datetime));
    hb.register_helper("date", Box::new(date));
    hb.register_helper("optional", Box::new(optional));
    hb.register_helper("eq", Box::new(OptionalEq));
    hb.register_helper("lookup", Box::new(OptionalLookup));
    hb.register_helper("field_errors", Box::new(field_errors));
    hb.register_helper("field_key", Box::new(FieldKey));
    hb
});

/// `(field_key "member_" 3)`: the name of a form's numbered field ("member_3"),
/// its parameters joined, for `lookup` of what a refused form had typed.
struct FieldKey;

impl handlebars::HelperDef for FieldKey {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let joined: String = h
            .params()
            .iter()
            .map(|p| match p.value() {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        Ok(handlebars::ScopedJson::Derived(serde_json::Value::String(
            joined,
        )))
    }
}

/// `(eq a b)`, where either side may be a field the data does not hold
/// (what a refused form had typed): absent compares as null.
struct OptionalEq;

impl handlebars::HelperDef for OptionalEq {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let null = serde_json::Value::Null;
        let value = |i: usize| h.param(i).map_or(&null, |p| p.value());
        Ok(handlebars::ScopedJson::Derived(serde_json::Value::Bool(
            value(0) == value(1),
        )))
    }
}

/// `(lookup map key)`: the entry, or null where the map has none (a
/// `{{#with}}` then takes its `{{else}}`).
struct OptionalLookup;

impl handlebars::HelperDef for OptionalLookup {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let (Some(map), Some(key)) = (h.param(0), h.param(1)) else {
            return Ok(handlebars::ScopedJson::Derived(serde_json::Value::Null));
        };
        let found = match (map.value(), key.value()) {
            (serde_json::Value::Object(m), serde_json::Value::String(k)) => m.get(k).cloned(),
            (serde_json::Value::Array(a), serde_json::Value::Number(i)) => {
                i.as_u64().and_then(|i| a.get(i as usize).cloned())
            }
            _ => None,
        };
        Ok(handlebars::ScopedJson::Derived(
            found.unwrap_or(serde_json::Value::Null),
        ))
    }
}

/// `{{field_errors errors.x}}`: the reasons a refused form gives for one
/// field, each followed by a space; nothing for a field without any.
fn field_errors(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    if let Some(serde_json::Value::Array(reasons)) = h.param(0).map(|p| p.value()) {
        for reason in reasons {
            let text = reason
                .as_str()
                .map_or_else(|| reason.to_string(), str::to_string);
            out.write(&handlebars::html_escape(&text))?;
            out.write(" ")?;
        }
    }
    Ok(())
}

/// `{{optional values.x}}`: a field the data may not hold (what a refused
/// form had typed), shown as nothing when absent. Strict mode refuses every
/// other missing field, so a misspelt name is an error, not a blank.
fn optional(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let shown = match h.param(0).map(|p| p.value()) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    out.write(&handlebars::html_escape(&shown))?;
    Ok(())
}

/// The language a template renders in: its data's `lang`, Polish by default.
fn page_lang(ctx: &handlebars::Context) -> &str {
    ctx.data()
        .get("lang")
        .and_then(|l| l.as_str())
        .unwrap_or("pl")
}

/// `{{t "prefix-" value}}`: the translation of a key built from parts, for
/// values such as statuses and roles.
fn translate_dynamic(
    h: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let key: String = h
        .params()
        .iter()
        .map(|p| match p.value() {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect();
    let lang = page_lang(ctx);
    out.write(&handlebars::html_escape(&crate::platform::i18n::t(
        lang, &key,
    )))?;
    Ok(())
}

/// `{{unit indicator.unit}}`: an indicator's unit in the page's language
/// (`%` and `PLN` as written, `days` as "dni").
fn unit(
    h: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let code = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .unwrap_or_default();
    let key = match code {
        "%" => "ind-unit-percent".to_string(),
        other => format!("ind-unit-{}", other.to_lowercase()),
    };
    let text = crate::platform::i18n::t(page_lang(ctx), &key);
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// `{{#if (contains list value)}}`.
fn contains(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let found = match (h.param(0).map(|p| p.value()), h.param(1).map(|p| p.value())) {
        (Some(serde_json::Value::Array(list)), Some(v)) => list.contains(v),
        _ => false,
    };
    if found {
        out.write("true")?;
    }
    Ok(())
}

/// `{{pln grosze}}`: "12 345,67 zł" from integer grosze.
fn pln(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let grosze = h.param(0).and_then(|p| p.value().as_i64()).unwrap_or(0);
    out.write(&format_pln(grosze))?;
    Ok(())
}

pub fn format_pln(grosze: i64) -> String {
    // The same CLDR grouping as `{{num}}` ("1234,50 zł", "12 345,67 zł"),
    // always with grosze.
    let mut decimal = Decimal::from(grosze);
    decimal.absolute.multiply_pow10(-2);
    let amount = NUMBER_FORMATS.with(|f| f[0].format(&decimal).to_string());
    format!("{amount}\u{a0}zł")
}

/// `{{num value}}`: a figure (an indicator's value, an average) in the
/// page's language; nothing for a value that is not a number.
fn num(
    h: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let lang = page_lang(ctx);
    if let Some(v) = h.param(0).and_then(|p| p.value().as_f64()) {
        out.write(&format_number(v, lang))?;
    }
    Ok(())
}

thread_local! {
    /// Decimal formatters by the locale data of CLDR (ICU4X): Polish
    /// "16 666,67" and "1234,5" (groups from five digits), English
    /// "16,666.67". Per thread: the formatter is not `Sync`.
    static NUMBER_FORMATS: [DecimalFormatter; 2] = {
        let make = |locale: icu_locale_core::Locale| {
            DecimalFormatter::try_new((&locale).into(), Default::default())
                .expect("compiled decimal data has pl and en")
        };
        [
            make(icu_locale_core::locale!("pl")),
            make(icu_locale_core::locale!("en")),
        ]
    };
}

/// A figure rounded to two decimals, trailing zeros dropped, in `lang`.
pub fn format_number(value: f64, lang: &str) -> String {
    let centi = (value * 100.0).round();
    if !centi.is_finite() || centi.abs() >= 1e17 {
        return value.to_string();
    }
    let mut decimal = Decimal::from(centi as i64);
    decimal.absolute.multiply_pow10(-2);
    decimal.absolute.trim_end();
    NUMBER_FORMATS.with(|f| f[usize::from(lang == "en")].format(&decimal).to_string())
}

// ---------------------------------------------------------------- dates and times

/// The zone pages, documents and mail show times in; stored timestamps are
/// UTC. Set from `jobs.timezone` when the application opens.
static ZONE: RwLock<Tz> = RwLock::new(chrono_tz::Europe::Warsaw);

/// Sets the display zone (an IANA name such as `Europe/Warsaw`).
pub fn set_timezone(name: &str) -> Result<(), String> {
    let tz: Tz = name
        .parse()
        .map_err(|_| format!("unknown time zone {name:?}"))?;
    *ZONE.write().unwrap_or_else(|e| e.into_inner()) = tz;
    Ok(())
}

pub fn timezone() -> Tz {
    *ZONE.read().unwrap_or_else(|e| e.into_inner())
}

/// A form's `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`, wall time in the
/// display zone) as RFC 3339 UTC; anything else is returned unchanged for
/// the service to judge. A wall time skipped by a DST change is read as the
/// instant after the gap; one that happens twice, as the first.
pub fn local_input_to_utc(text: &str, tz: Tz) -> String {
    let t = text.trim();
    let Some(naive) = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    else {
        return text.to_string();
    };
    let local = tz.from_local_datetime(&naive).earliest().or_else(|| {
        let later = naive.checked_add_signed(chrono::Duration::hours(1))?;
        tz.from_local_datetime(&later).earliest()
    });
    match local {
        Some(l) => l
            .with_timezone(&Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => text.to_string(),
    }
}

/// A value a template shows as a date or time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    /// An instant, stored in UTC: shown in the display zone.
    Instant(DateTime<Utc>),
    /// A calendar day (deadline, meeting day): never shifted.
    Day(NaiveDate),
    /// A calendar month, `YYYY-MM`.
    Month(NaiveDate),
}

fn parse_when(text: &str) -> Option<When> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(When::Instant(d.with_timezone(&Utc)));
    }
    // Stored timestamps serialized without a zone are UTC.
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(When::Instant(n.and_utc()));
        }
    }
    if t.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Some(When::Day(d));
        }
    }
    if t.len() == 7 && t.as_bytes()[4] == b'-' {
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
            return Some(When::Month(d));
        }
    }
    None
}

/// Day, month and time patterns of a language: Polish `24.11.2026, 16:52`,
/// British English `24 Nov 2026, 16:52` (chrono's month abbreviations).
fn patterns(lang: &str) -> (&'static str, &'static str, &'static str) {
    if lang.starts_with("en") {
        ("%-d %b %Y", "%b %Y", "%H:%M")
    } else {
        ("%d.%m.%Y", "%m.%Y", "%H:%M")
    }
}

/// The machine-readable value (for `<time datetime>`) and the reader's
/// text of `value`, or None when it is no date or time. `with_time` shows
/// an instant's local time too; a day or a month is shown as such either way.
pub fn localize(value: &str, lang: &str, tz: Tz, with_time: bool) -> Option<(String, String)> {
    let (day, month, time) = patterns(lang);
    Some(match parse_when(value)? {
        When::Instant(t) => {
            let local = t.with_timezone(&tz);
            let text = if with_time {
                format!("{}, {}", local.format(day), local.format(time))
            } else {
                local.format(day).to_string()
            };
            (t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), text)
        }
        When::Day(d) => (d.format("%Y-%m-%d").to_string(), d.format(day).to_string()),
        When::Month(d) => (d.format("%Y-%m").to_string(), d.format(month).to_string()),
    })
}

/// `{{datetime value}}` and `{{date value}}`: on pages
/// `<time datetime="ISO">localized</time>`; in mail (`email/*`) the
/// localized text alone, and in feeds (`*_atom`) the escaped text. Empty
/// values give nothing; values that are no date are shown as they are.
fn when_helper(
    with_time: bool,
    h: &handlebars::Helper,
    ctx: &handlebars::Context,
    rc: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let raw = match h.param(0).map(|p| p.value()) {
        None | Some(serde_json::Value::Null) => return Ok(()),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let root = rc
        .get_root_template_name()
        .map(String::as_str)
        .unwrap_or("");
    let mail = root.starts_with("email/");
    let markup = !mail && !root.ends_with("_atom");
    let lang = page_lang(ctx);
    let escape = |s: &str| {
        if mail {
            s.to_string()
        } else {
            handlebars::html_escape(s)
        }
    };
    match localize(&raw, lang, timezone(), with_time) {
        Some((iso, text)) if markup => out.write(&format!(
            "<time datetime=\"{iso}\">{}</time>",
            escape(&text)
        ))?,
        Some((_, text)) => out.write(&escape(&text))?,
        None => out.write(&escape(&raw))?,
    }
    Ok(())
}

fn datetime(
    h: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    rc: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    when_helper(true, h, ctx, rc, out)
}

fn date(
    h: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    rc: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    when_helper(false, h, ctx, rc, out)
}

pub fn render<T: Serialize>(name: &str, data: &T) -> Result<String, String> {
    REGISTRY.render(name, data).or_else(|e| {
        let fault = format!("template {name}: {e}");
        // Tests (debug builds) fail on a field the data does not hold; a
        // deployment logs it and shows the page with the field empty, so a
        // form's typed values are never lost to a 500.
        if cfg!(debug_assertions) {
            return Err(fault);
        }
        tracing::error!(error = %fault, "template read a field its data does not hold");
        LENIENT
            .render(name, data)
            .map_err(|e| format!("template {name}: {e}"))
    })
}

/// The templates without strict mode: the fallback of a deployment.
static LENIENT: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut hb = REGISTRY.clone();
    hb.set_strict_mode(false);
    hb
});

pub fn has(name: &str) -> bool {
    REGISTRY.has_template(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const WARSAW: Tz = chrono_tz::Europe::Warsaw;

    fn text(value: &str, lang: &str, with_time: bool) -> Option<String> {
        localize(value, lang, WARSAW, with_time).map(|(_, t)| t)
    }

    #[test]
    fn figures_are_shown_in_the_readers_language() {
        let nbsp = '\u{a0}';
        assert_eq!(format_number(16666.666, "pl"), format!("16{nbsp}666,67"));
        assert_eq!(format_number(16666.666, "en"), "16,666.67");
        assert_eq!(format_number(80.0, "pl"), "80");
        assert_eq!(format_number(3.5, "pl"), "3,5");
        assert_eq!(format_number(1234.5, "pl"), "1234,5");
        assert_eq!(format_number(1234.5, "en"), "1,234.5");
        assert_eq!(format_number(-0.25, "en"), "-0.25");
        assert_eq!(format_number(0.0, "pl"), "0");
        // Inside a block too: the language is the page's.
        let t = "{{#each xs}}[{{num v}}]{{/each}}{{num s}}";
        let data = json!({"lang": "pl", "xs": [{"v": 166.67}, {"v": 12000}], "s": "x"});
        assert_eq!(hb(t, data, "page"), "[166,67][12\u{a0}000]");
    }

    #[test]
    fn instants_are_shown_in_warsaw_time_with_dst() {
        // Summer (CEST, UTC+2) and winter (CET, UTC+1).
        assert_eq!(
            localize("2026-07-01T10:00:00Z", "pl", WARSAW, true),
            Some(("2026-07-01T10:00:00Z".into(), "01.07.2026, 12:00".into()))
        );
        assert_eq!(
            text("2026-12-01T10:00:00Z", "pl", true).as_deref(),
            Some("01.12.2026, 11:00")
        );
        assert_eq!(
            text("2026-07-01T10:00:00Z", "en", true).as_deref(),
            Some("1 Jul 2026, 12:00")
        );
        assert_eq!(
            text("2026-12-01T10:00:00Z", "en", true).as_deref(),
            Some("1 Dec 2026, 11:00")
        );
        assert_eq!(
            text("2026-11-24T15:52:23Z", "pl", true).as_deref(),
            Some("24.11.2026, 16:52")
        );
        // Late in the evening UTC is the next day in Warsaw.
        assert_eq!(
            text("2026-12-31T23:30:00Z", "pl", false).as_deref(),
            Some("01.01.2027")
        );
        // Naive stored timestamps are UTC; offsets are honoured.
        assert_eq!(
            localize("2026-07-01T10:00:00.123456", "pl", WARSAW, true),
            Some(("2026-07-01T10:00:00Z".into(), "01.07.2026, 12:00".into()))
        );
        assert_eq!(
            text("2026-07-01T12:00:00+02:00", "en", true).as_deref(),
            Some("1 Jul 2026, 12:00")
        );
    }

    #[test]
    fn dates_are_not_shifted() {
        assert_eq!(
            localize("2026-11-24", "pl", WARSAW, false),
            Some(("2026-11-24".into(), "24.11.2026".into()))
        );
        assert_eq!(
            text("2026-11-24", "en", false).as_deref(),
            Some("24 Nov 2026")
        );
        // {{datetime}} of a day is still the day.
        assert_eq!(
            text("2026-01-05", "pl", true).as_deref(),
            Some("05.01.2026")
        );
        assert_eq!(
            localize("2026-03", "pl", WARSAW, false),
            Some(("2026-03".into(), "03.2026".into()))
        );
        assert_eq!(text("2026-03", "en", false).as_deref(), Some("Mar 2026"));
    }

    #[test]
    fn garbage_is_no_date() {
        for v in [
            "",
            "soon",
            "2026-13-01",
            "2026-02-30",
            "24.11.2026",
            "2026",
            "2026-1",
        ] {
            assert_eq!(localize(v, "pl", WARSAW, true), None, "{v}");
        }
        // The ends of chrono's range do not panic, whatever they show.
        for v in [
            "+262142-12-31T23:59:59",
            "-262143-01-01T00:00:00",
            "9999-12-31T23:59:59Z",
        ] {
            let _ = localize(v, "en", WARSAW, true);
        }
    }

    fn hb(template: &str, data: serde_json::Value, name: &str) -> String {
        let mut hb = Handlebars::new();
        hb.register_helper("datetime", Box::new(datetime));
        hb.register_helper("date", Box::new(date));
        hb.register_helper("num", Box::new(num));
        hb.register_template_string(name, template).unwrap();
        hb.render(name, &data).unwrap()
    }

    #[test]
    fn a_field_the_data_does_not_hold_is_an_error() {
        // `lang` alone: every other field the home page reads is missing.
        let missing = super::render("home", &json!({"lang": "pl"}));
        assert!(missing.unwrap_err().contains("strict mode"));
        // Fields a form may not have sent are marked so, and render empty.
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_helper("optional", Box::new(super::optional));
        hb.register_helper("field_errors", Box::new(super::field_errors));
        hb.register_helper("eq", Box::new(super::OptionalEq));
        let t =
            "[{{optional values.x}}|{{field_errors errors.x}}|{{#if (eq values.x \"a\")}}a{{/if}}]";
        hb.register_template_string("t", t).unwrap();
        assert_eq!(hb.render("t", &json!({})).unwrap(), "[||]");
        let data = json!({"values": {"x": "a<"}, "errors": {"x": ["za długie"]}});
        assert_eq!(hb.render("t", &data).unwrap(), "[a&lt;|za długie |]");
    }

    #[test]
    fn helpers_write_time_elements_on_pages_and_text_in_mail() {
        let t = "{{#each xs}}[{{datetime at}}|{{date day}}]{{/each}}";
        let data = |lang: &str| json!({"lang": lang, "xs": [{"at": "2026-07-01T10:00:00Z", "day": "2026-11-24"}]});
        assert_eq!(
            hb(t, data("pl"), "page"),
            "[<time datetime=\"2026-07-01T10:00:00Z\">01.07.2026, 12:00</time>|\
             <time datetime=\"2026-11-24\">24.11.2026</time>]"
        );
        assert_eq!(
            hb(t, data("en"), "page"),
            "[<time datetime=\"2026-07-01T10:00:00Z\">1 Jul 2026, 12:00</time>|\
             <time datetime=\"2026-11-24\">24 Nov 2026</time>]"
        );
        assert_eq!(
            hb(t, data("pl"), "email/x"),
            "[01.07.2026, 12:00|24.11.2026]"
        );
        assert_eq!(
            hb(t, data("en"), "email/x"),
            "[1 Jul 2026, 12:00|24 Nov 2026]"
        );
        assert_eq!(
            hb("{{date d}}", json!({"d": "2026-11-24"}), "x_atom"),
            "24.11.2026"
        );
    }

    #[test]
    fn helpers_show_other_values_as_they_are() {
        let t = "[{{datetime a}}|{{date b}}|{{date missing}}|{{datetime n}}]";
        let data = json!({"a": "<b>soon</b>", "b": "", "n": null});
        assert_eq!(hb(t, data.clone(), "page"), "[&lt;b&gt;soon&lt;/b&gt;|||]");
        assert_eq!(hb(t, data, "email/x"), "[<b>soon</b>|||]");
        assert_eq!(hb("{{date y}}", json!({"y": 2026}), "page"), "2026");
    }

    #[test]
    fn form_wall_times_are_read_in_the_zone() {
        assert_eq!(
            local_input_to_utc("2026-07-01T12:00", WARSAW),
            "2026-07-01T10:00:00Z"
        );
        assert_eq!(
            local_input_to_utc("2026-12-01T11:00", WARSAW),
            "2026-12-01T10:00:00Z"
        );
        // 02:30 on 29 March 2026 does not exist in Warsaw: after the gap.
        assert_eq!(
            local_input_to_utc("2026-03-29T02:30", WARSAW),
            "2026-03-29T01:30:00Z"
        );
        // 02:30 on 25 October 2026 happens twice: the first (summer time).
        assert_eq!(
            local_input_to_utc("2026-10-25T02:30", WARSAW),
            "2026-10-25T00:30:00Z"
        );
        assert_eq!(local_input_to_utc("tomorrow", WARSAW), "tomorrow");
        let _ = local_input_to_utc("+262143-12-31T23:59", WARSAW);
        assert_eq!(
            local_input_to_utc("2026-07-01T10:00:00Z", WARSAW),
            "2026-07-01T10:00:00Z"
        );
    }

    #[test]
    fn polish_money() {
        assert_eq!(
            super::format_pln(123_456_789),
            "1\u{a0}234\u{a0}567,89\u{a0}zł"
        );
        assert_eq!(super::format_pln(5), "0,05\u{a0}zł");
        assert_eq!(super::format_pln(-150), "-1,50\u{a0}zł");
        // Grouped as `{{num}}` groups: from five digits in Polish.
        assert_eq!(super::format_pln(123_450), "1234,50\u{a0}zł");
        assert_eq!(
            super::format_pln(1_234_500),
            format!("{},00\u{a0}zł", super::format_number(12_345.0, "pl"))
        );
    }
}
