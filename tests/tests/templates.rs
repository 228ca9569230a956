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
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string(), "/?lang=en".to_string()]);
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
        if status != StatusCode::OK {
            continue;
        }
        for link in links(&page) {
            if !visited.contains(&link) {
                queue.push_back(link);
            }
        }
    }
}

/// The templates page handlers render: each template file whose name the
/// web layer's source quotes (partials, mail and feeds are drawn otherwise).
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
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
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
