//! Every page template rendered with the data its handler builds: the demo
//! deployment, signed in as each of its roles (and signed out), every page a
//! link reaches, in both languages. Templates run in strict mode, so a field
//! the data does not hold is a 500 here, not an empty string on a page.

use cus::platform::demo;
use cus_tests::*;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{BTreeSet, VecDeque};

/// Pages no link reaches: each is drawn by the test named beside it.
const NOT_LINKED: &[(&str, &str)] = &[
    // After a form: registration, a reset link asked for or used.
    (
        "message",
        "accounts::, password::reset_and_change_through_the_pages",
    ),
    // A reset link from a mail.
    (
        "password_reset_new",
        "password::reset_and_change_through_the_pages",
    ),
    // The demo's competition still takes offers: no offer to print yet.
    (
        "offer_document",
        "contracting_pages::a_competition_runs_through_the_pages",
    ),
];

/// Links that change something or leave the site's pages (downloads, feeds).
fn worth_following(path: &str) -> bool {
    let skip = [
        "/static/", "/api/", ".csv", ".xlsx", ".ics", ".svg", "/metrics", "format=",
    ];
    path.starts_with('/') && !path.starts_with("//") && !skip.iter().any(|s| path.contains(s))
}

/// The same-site links of a page, without their fragments, and its GET
/// forms sent as they stand (their fields' initial values).
fn links(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .collect();
    for form in page.split("<form method=\"get\" action=\"").skip(1) {
        let Some((action, body)) = form.split_once('"') else {
            continue;
        };
        let body = body.split("</form>").next().unwrap_or_default();
        let mut query = vec![];
        for input in body.split("<input").skip(1) {
            let attr = |name: &str| {
                input
                    .split(&format!(" {name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .map(|v| v.replace("&amp;", "&"))
            };
            if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
                query.push((name, value));
            }
        }
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        out.push(format!("{action}?{query}"));
    }
    out.into_iter()
        .filter(|href| worth_following(href))
        .collect()
}

/// The template that drew a page (the layout names it).
fn template_of(page: &str) -> Option<String> {
    let rest = page.split("data-page=\"").nth(1)?;
    rest.split('"').next().map(str::to_string)
}

/// Crawls from `/` as `browser` (at most `limit` pages); returns the
/// templates seen. Fails on any 5xx.
async fn crawl(
    browser: &Browser,
    who: &str,
    limit: usize,
    seen: &mut BTreeSet<String>,
    faults: &mut Vec<String>,
) {
    // In Polish, the default: the language switch is not followed (the
    // cookie it sets would turn the rest of the crawl English).
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
    let mut visited = BTreeSet::new();
    // One page of a kind is enough: ids differ, templates do not.
    let mut shapes = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        if shapes.len() >= limit || !visited.insert(path.clone()) {
            continue;
        }
        // The path with its ids (and years) as `{id}`, and the names of its
        // query's parameters.
        let (route, query) = path.split_once('?').unwrap_or((&path, ""));
        let mut shape: String = route
            .split('/')
            .map(|part| {
                if part.len() >= 20 || part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty()
                {
                    "{id}"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            shape.push_str(&format!("&{}", pair.split('=').next().unwrap_or_default()));
        }
        if !shapes.insert(shape) {
            continue;
        }
        let (status, page) = browser.get(&path).await;
        if status.is_server_error() {
            faults.push(format!("{who}: GET {path} answered {status}"));
        }
        if let Some(t) = template_of(&page) {
            seen.insert(t);
        }
        if status != StatusCode::OK || !page.contains("<html") {
            continue;
        }
        let text = visible_text(&page);
        if let Some(id) = internal_id(&text) {
            faults.push(format!("{who}: {path} shows the internal id {id}"));
        }
        // Codes (`<code>`) are identifiers, not words; addresses are typed.
        let english = english_words(&visible_text(&without_code(&page)));
        if page.contains("<html lang=\"pl\">") && !english.is_empty() {
            faults.push(format!("{who}: {path} is Polish but says {english:?}"));
        }
        for link in links(&page).into_iter().filter(|l| !l.contains("lang=")) {
            if !visited.contains(&link) {
                queue.push_back(link);
            }
        }
    }
}

/// The templates page handlers render: each template file whose name the
/// web layer's source quotes (partials, mail and feeds are drawn otherwise).
/// What a reader sees of a page: the body's text, without tags, entities
/// decoded (`&amp;` → `&`).
fn visible_text(page: &str) -> String {
    let body = page.split("<body").nth(1).unwrap_or(page);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn without_code(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(start) = rest.find("<code>") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("</code>")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

/// A UUID in the text: a record shown by its internal id.
fn internal_id(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find(|w| {
            let parts: Vec<usize> = w.split('-').map(str::len).collect();
            parts == [8, 4, 4, 4, 12]
        })
        .map(str::to_string)
}

/// The words of the platform's own English messages that none of its
/// Polish messages uses (read from the translations, so the list grows with
/// them): one of them on a Polish page is text the platform forgot to
/// translate. Words of four letters or more, to skip "OK", "PDF" and such.
fn english_vocabulary() -> &'static BTreeSet<String> {
    static WORDS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let words = |lang: &str| {
            let mut out = BTreeSet::new();
            for entry in std::fs::read_dir(root.join("app/locales").join(lang)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
                    // The value, without its placeables (`{ $name }`).
                    let value = line.split_once(" = ").map_or(line, |(_, v)| v);
                    let mut plain = String::new();
                    let mut depth = 0;
                    for c in value.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            c if depth == 0 => plain.push(c),
                            _ => {}
                        }
                    }
                    out.extend(
                        plain
                            .split(|c: char| !c.is_alphabetic())
                            .filter(|w| w.chars().count() >= 4)
                            .map(str::to_lowercase),
                    );
                }
            }
            out
        };
        let polish = words("pl");
        words("en").difference(&polish).cloned().collect()
    })
}

fn english_words(text: &str) -> Vec<String> {
    let vocabulary = english_vocabulary();
    let mut found: Vec<String> = text
        .split_whitespace()
        .filter(|w| !w.contains('@'))
        .flat_map(|w| w.split(|c: char| !c.is_alphabetic()))
        .map(str::to_lowercase)
        .filter(|w| vocabulary.contains(w))
        .collect();
    found.sort();
    found.dedup();
    found
}

fn page_templates() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut source = String::new();
    let mut dirs = vec![root.join("app/src/web")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                source.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    std::fs::read_dir(root.join("app/templates"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".hbs").map(str::to_string)
        })
        .filter(|name| !name.ends_with("_atom") && name != "layout")
        .filter(|name| source.contains(&format!("\"{name}\"")))
        .collect()
}

#[tokio::test]
async fn every_page_template_renders_with_its_handlers_data() {
    let app = spawn_demo().await;
    // What the demo does not hold yet: a survey with a printed code, and a
    // corrective action.
    let organizer = User {
        id: String::new(),
        email: "organizer@sochaczew.example".into(),
        token: app
            .login("organizer@sochaczew.example", demo::PASSWORD)
            .await,
    };
    let year = base_year() - 1;
    let (status, survey) = app
        .post(
            "/api/v1/surveys",
            &organizer,
            json!({"title": "Ankieta", "period": year.to_string(), "questions": [
                {"key": "ogolna", "text": "Zadowolenie?", "kind": "likert", "satisfaction": true}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{survey}");
    let (status, invited) = app
        .post(
            &format!(
                "/api/v1/surveys/{}/invitations",
                survey["id"].as_str().unwrap()
            ),
            &organizer,
            json!({"count": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let code = invited["codes"][0].as_str().unwrap().to_string();
    let due = (cus_db::today() + chrono::Duration::days(30)).to_string();
    let (status, action) = app
        .post(
            "/api/v1/corrective-actions",
            &organizer,
            json!({"indicator": "ipus_drawn_up_30d", "period": year.to_string(),
                   "plan": "Plan naprawczy", "due_date": due}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{action}");
    let mut seen = BTreeSet::new();
    let mut faults = vec![];
    let anonymous = Browser::new(&app);
    crawl(&anonymous, "signed out", 80, &mut seen, &mut faults).await;
    // The survey's answer page, from its printed code.
    let (status, page) = anonymous.get(&format!("/survey/{code}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    seen.extend(template_of(&page));
    // A page that is not there is drawn too.
    let (status, page) = anonymous.get("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    seen.extend(template_of(&page));
    for (email, role, _) in demo::LOGINS {
        let browser = Browser::new(&app);
        browser.sign_in(email, demo::PASSWORD).await;
        crawl(&browser, role, 150, &mut seen, &mut faults).await;
        // The sign-out page (the menu signs out with a button).
        let (status, page) = browser.get("/logout").await;
        assert_eq!(status, StatusCode::OK, "{role}: {page}");
        seen.extend(template_of(&page));
    }
    assert!(faults.is_empty(), "{faults:#?}");
    // Every template a page handler renders was reached (partials, mail and
    // the documents' own layouts are drawn inside others).
    let pages = page_templates();
    let missing: Vec<&String> = pages
        .iter()
        .filter(|t| !seen.contains(*t) && !NOT_LINKED.iter().any(|(n, _)| n == t))
        .collect();
    assert!(
        missing.is_empty(),
        "never rendered: {missing:?} (seen {seen:?})"
    );
}
