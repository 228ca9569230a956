//! Handlebars templates (pages, printable documents and mail), embedded in
//! the binary, with the Fluent helper: `{{fluent "key"}}` in the context's
//! `lang`.

use fluent_templates::FluentLoader;
use handlebars::Handlebars;
use rust_embed::RustEmbed;
use serde::Serialize;
use std::sync::LazyLock;

use crate::platform::i18n::LOCALES;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Templates;

static REGISTRY: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(false);
    hb.register_embed_templates_with_extension::<Templates>(".hbs")
        .expect("embedded templates compile");
    hb.register_helper("fluent", Box::new(FluentLoader::new(&*LOCALES)));
    hb.register_helper("t", Box::new(translate_dynamic));
    hb.register_helper("contains", Box::new(contains));
    hb.register_helper("pln", Box::new(pln));
    hb
});

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
    let lang = ctx
        .data()
        .get("lang")
        .and_then(|l| l.as_str())
        .unwrap_or("pl");
    out.write(&handlebars::html_escape(&crate::platform::i18n::t(
        lang, &key,
    )))?;
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
    let sign = if grosze < 0 { "-" } else { "" };
    let g = grosze.unsigned_abs();
    let zl = (g / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in zl.chars().enumerate() {
        if i > 0 && (zl.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}\u{a0}zł", g % 100)
}

pub fn render<T: Serialize>(name: &str, data: &T) -> Result<String, String> {
    REGISTRY
        .render(name, data)
        .map_err(|e| format!("template {name}: {e}"))
}

pub fn has(name: &str) -> bool {
    REGISTRY.has_template(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn polish_money() {
        assert_eq!(
            super::format_pln(123_456_789),
            "1\u{a0}234\u{a0}567,89\u{a0}zł"
        );
        assert_eq!(super::format_pln(5), "0,05\u{a0}zł");
    }
}
