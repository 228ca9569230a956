//! Translations (Fluent): Polish by default, English by a switch. Every text a
//! user reads comes from `locales/{pl,en}/*.ftl` (one file per area).

use actix_web::HttpRequest;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};

static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "pl",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub const LANGS: [&str; 2] = ["pl", "en"];
pub const LANG_COOKIE: &str = "lang";

/// A supported language code, or Polish.
pub fn normalize(lang: &str) -> &'static str {
    let lang = lang.trim().to_ascii_lowercase();
    LANGS
        .into_iter()
        .find(|l| lang.starts_with(l))
        .unwrap_or("pl")
}

fn langid(lang: &str) -> LanguageIdentifier {
    normalize(lang)
        .parse()
        .expect("supported language ids parse")
}

/// The translation of `key`, or the key itself when it is missing (a test
/// checks that both files define the same keys).
pub fn t(lang: &str, key: &str) -> String {
    LOCALES
        .try_lookup(&langid(lang), key)
        .unwrap_or_else(|| key.to_string())
}

/// `t` with Fluent arguments (`{ $numerator }` in the message).
pub fn t_args(
    lang: &str,
    key: &str,
    args: &[(&str, fluent_templates::fluent_bundle::FluentValue)],
) -> String {
    let map: std::collections::HashMap<std::borrow::Cow<'static, str>, _> = args
        .iter()
        .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), v.clone()))
        .collect();
    LOCALES
        .try_lookup_with_args(&langid(lang), key, &map)
        .unwrap_or_else(|| key.to_string())
}

/// The platform's Fluent bundles in one language, as the domain's
/// [`cus_db::text::Translate`].
#[derive(Debug, Clone, Copy)]
pub struct Fluent<'a>(pub &'a str);

impl cus_db::text::Translate for Fluent<'_> {
    fn lang(&self) -> &str {
        self.0
    }

    fn say(&self, key: &str, args: &[(&str, cus_db::text::Arg)]) -> String {
        use fluent_templates::fluent_bundle::FluentValue;
        let args: Vec<(&str, FluentValue)> = args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    cus_db::text::Arg::Number(n) => FluentValue::from(*n),
                    cus_db::text::Arg::Text(t) => FluentValue::from(t.clone()),
                };
                (*k, v)
            })
            .collect();
        t_args(self.0, key, &args)
    }
}

/// The page language: `?lang=` first, then the cookie, then Polish.
pub fn page_lang(req: &HttpRequest) -> &'static str {
    if let Some(l) = query_lang(req) {
        return l;
    }
    req.cookie(LANG_COOKIE)
        .map(|c| normalize(c.value()))
        .unwrap_or("pl")
}

pub fn query_lang(req: &HttpRequest) -> Option<&'static str> {
    req.query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .map(normalize)
}

/// API messages: English unless the client asks for Polish.
pub fn api_lang(req: &HttpRequest) -> &'static str {
    if let Some(l) = query_lang(req) {
        return l;
    }
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("pl") {
        "pl"
    } else {
        "en"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rust_embed::RustEmbed;

    #[derive(RustEmbed)]
    #[folder = "locales/"]
    struct Locales;

    /// The keys every `.ftl` file of `lang` defines.
    fn keys(lang: &str) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for name in Locales::iter().filter(|n| n.starts_with(&format!("{lang}/"))) {
            let file = Locales::get(&name).unwrap();
            let text = std::str::from_utf8(&file.data).unwrap();
            for key in text
                .lines()
                .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap().trim().to_string())
            {
                assert!(keys.insert(key.clone()), "{name}: {key} defined twice");
            }
        }
        keys
    }

    #[test]
    fn polish_and_english_define_the_same_keys() {
        let pl = keys("pl");
        let en = keys("en");
        let missing_en: Vec<_> = pl.difference(&en).collect();
        let missing_pl: Vec<_> = en.difference(&pl).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_pl.is_empty(), "missing in pl: {missing_pl:?}");
    }

    /// Every `{{fluent "key"}}` in the templates has a translation.
    #[test]
    fn templates_use_defined_keys() {
        #[derive(RustEmbed)]
        #[folder = "templates/"]
        struct All;
        let pl = keys("pl");
        let mut missing = vec![];
        for name in All::iter() {
            let text = String::from_utf8(All::get(&name).unwrap().data.into_owned()).unwrap();
            for part in text.split("{{fluent \"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !pl.contains(key) {
                    missing.push(format!("{name}: {key}"));
                }
            }
        }
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }

    #[test]
    fn lookups_fall_back_to_polish() {
        assert_eq!(super::t("pl", "app-name"), "Centrum Usług Społecznych");
        assert_eq!(super::t("en", "app-name"), "Social Services Center");
        assert_eq!(super::t("de", "app-name"), "Centrum Usług Społecznych");
    }
}
