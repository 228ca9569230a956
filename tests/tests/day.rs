//! The worker's day (issue 23): each demo role's home page and dashboard,
//! the header's menu, search, and the public catalogue of services, over
//! HTTP on the demo data.

use cus::platform::demo::{LOGINS, PASSWORD as DEMO_PASSWORD};
use cus_tests::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn demo_user(app: &TestApp, email: &str) -> User {
    let token = app.login(email, DEMO_PASSWORD).await;
    User {
        id: String::new(),
        email: email.to_string(),
        token,
    }
}

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["kind"].as_str().unwrap()).collect()
}

fn rank(severity: &str) -> u8 {
    match severity {
        "overdue" => 0,
        "due_soon" => 1,
        "info" => 2,
        other => panic!("unknown severity {other}"),
    }
}

#[tokio::test]
async fn each_demo_role_sees_what_the_demo_makes_due_most_urgent_first() {
    let app = spawn_demo().await;
    // What the demo data makes due (demo::seed says why each is there).
    let expected: [(&str, &[&str]); 10] = [
        ("desk@sochaczew.example", &["request_to_route"]),
        (
            "organizer@sochaczew.example",
            &["report_due", "consultation_ends", "indicator_below_target"],
        ),
        ("coordinator@sochaczew.example", &["plan_consent_asked"]),
        ("commission@sochaczew.example", &["offer_to_score"]),
        ("council@sochaczew.example", &["program_to_adopt"]),
        ("ngo@sochaczew.example", &["competition_open"]),
        ("resident@sochaczew.example", &["plan_consent"]),
        ("organizer@brzeziny.example", &["report_due"]),
        // Social work: a referral waiting for the demo social worker, and
        // the answer the benefits officer got.
        (
            "social.worker@sochaczew.example",
            &["referral_to_answer", "commitment_due"],
        ),
        ("benefits@sochaczew.example", &["referral_declined"]),
    ];
    for (email, wanted) in expected {
        let user = demo_user(&app, email).await;
        let (status, body) = app.get("/api/v1/me/dashboard", &user).await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        let items = body["items"].as_array().unwrap();
        for kind in wanted {
            assert!(kinds(items).contains(kind), "{email} misses {kind}: {body}");
        }
        // Overdue first, then due soon, then the rest; by due date within.
        for pair in items.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (ra, rb) = (
                rank(a["severity"].as_str().unwrap()),
                rank(b["severity"].as_str().unwrap()),
            );
            assert!(ra <= rb, "{email}: order {body}");
            if ra == rb {
                if let (Some(da), Some(db)) = (a["due"].as_str(), b["due"].as_str()) {
                    assert!(da <= db, "{email}: by due {body}");
                }
                if !a["due"].is_null() && b["due"].is_null() {
                    continue;
                }
                assert!(
                    !(a["due"].is_null() && !b["due"].is_null()),
                    "{email}: undated last {body}"
                );
            }
        }
        for item in items {
            let link = item["link"].as_str().unwrap();
            assert!(link.starts_with('/'), "{email}: link {link}");
            assert!(!item["title"].as_str().unwrap().is_empty());
        }
    }
    // Nothing of another municipality: Brzeziny's organizer sees its own.
    let brzeziny = demo_user(&app, "organizer@brzeziny.example").await;
    let (_, body) = app.get("/api/v1/me/dashboard", &brzeziny).await;
    let text = body.to_string();
    assert!(text.contains("UM/1021011/"), "{text}");
    assert!(
        !text.contains("1428011"),
        "Sochaczew's records leak: {text}"
    );
    // A role with nothing due gets an empty list, not an error.
    let community = demo_user(&app, "community@sochaczew.example").await;
    let (status, body) = app.get("/api/v1/me/dashboard", &community).await;
    assert_eq!(
        (status, body["items"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    // Without a session: 401.
    let (status, _) = app
        .call(reqwest::Method::GET, "/api/v1/me/dashboard", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_home_page_says_what_needs_doing_in_words_and_links_it() {
    let app = spawn_demo().await;
    let b = Browser::new(&app);
    b.sign_in("organizer@sochaczew.example", DEMO_PASSWORD)
        .await;
    let (status, page) = b.get("/").await;
    assert_eq!(status, StatusCode::OK);
    // The severity is written out, not only coloured.
    assert!(page.contains("Po terminie:"), "{page}");
    assert!(page.contains("Wkrótce:"));
    assert!(page.contains("UM/1428011/2025/D01"));
    assert!(page.contains("href=\"/benchmarks?indicator"));
    let overdue = page.find("Po terminie:").unwrap();
    let soon = page.find("Wkrótce:").unwrap();
    assert!(overdue < soon, "overdue first");
    let (_, english) = b.get("/?lang=en").await;
    assert!(english.contains("Overdue:") && english.contains("Final report of agreement"));
    // Every item's link opens.
    let user = demo_user(&app, "organizer@sochaczew.example").await;
    let (_, body) = app.get("/api/v1/me/dashboard", &user).await;
    for item in body["items"].as_array().unwrap() {
        let (status, _) = b.get(item["link"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{item}");
    }
}

/// The header's links and buttons besides the platform's name.
fn header_entries(page: &str) -> usize {
    let start = page.find("<header").expect("a header");
    let end = page.find("</header>").unwrap();
    let header = &page[start..end];
    // The submenu is the current area's pages, not the header's entries.
    let header = match header.find("class=\"submenu\"") {
        Some(i) => &header[..i],
        None => header,
    };
    header.matches("<a ").count() + header.matches("<button").count() - 2 // skip link and platform name
}

#[tokio::test]
async fn every_role_has_at_most_nine_header_entries_and_the_current_area_marked() {
    let app = spawn_demo().await;
    let anonymous = Browser::new(&app);
    let (_, page) = anonymous.get("/").await;
    assert!(
        header_entries(&page) <= 9,
        "anonymous: {}",
        header_entries(&page)
    );
    for (email, _, _) in LOGINS {
        let b = Browser::new(&app);
        b.sign_in(email, DEMO_PASSWORD).await;
        let (_, page) = b.get("/").await;
        let n = header_entries(&page);
        assert!((2..=9).contains(&n), "{email}: {n} entries");
    }
    let b = Browser::new(&app);
    b.sign_in("organizer@sochaczew.example", DEMO_PASSWORD)
        .await;
    let (_, page) = b.get("/indicators").await;
    // The area in the header and the page in the area's own menu.
    assert!(
        page.contains("<a href=\"/assessments\" aria-current=\"page\""),
        "{page}"
    );
    assert!(page.contains("<a href=\"/indicators\" aria-current=\"page\""));
}

#[tokio::test]
async fn search_finds_a_record_by_its_number_only_in_the_searchers_municipality() {
    let app = spawn_demo().await;
    let organizer = demo_user(&app, "organizer@sochaczew.example").await;
    let (status, body) = app
        .get("/api/v1/search?q=UM/1428011/2025/D01", &organizer)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["kind"], "agreement");
    assert!(items[0]["title"].as_str().unwrap().contains("Przystań 1"));
    assert!(items[0]["link"]
        .as_str()
        .unwrap()
        .starts_with("/agreements/"));
    // Accents folded on SQLite; words are prefixes on both backends.
    let (_, body) = app.get("/api/v1/search?q=Fundacja%20Raz", &organizer).await;
    assert!(
        kinds(body["items"].as_array().unwrap()).contains(&"organization"),
        "{body}"
    );
    // A case number finds the case.
    let (_, body) = app
        .get("/api/v1/search?q=CUS/1428011/2026", &organizer)
        .await;
    assert!(
        kinds(body["items"].as_array().unwrap()).contains(&"request"),
        "{body}"
    );
    // Brzeziny's organizer does not find Sochaczew's records.
    let brzeziny = demo_user(&app, "organizer@brzeziny.example").await;
    for q in ["UM/1428011/2025/D01", "Fundacja%20Razem", "Malinowski"] {
        let (status, body) = app.get(&format!("/api/v1/search?q={q}"), &brzeziny).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["items"], serde_json::json!([]), "{q}: {body}");
    }
    // Residents for the roles that search them, audited.
    let desk = demo_user(&app, "desk@sochaczew.example").await;
    let (_, body) = app.get("/api/v1/search?q=Malinowski", &desk).await;
    let hits = body["items"].as_array().unwrap();
    // Jan and his son Kacper (the demo's family).
    assert_eq!(kinds(hits), vec!["resident", "resident"], "{body}");
    assert!(hits[0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Jan Malinowski"));
    let audited: i64 = app.with_db(|c| {
        use cus_db::schema::audit_log::dsl::*;
        use diesel::prelude::*;
        audit_log
            .filter(action.eq("resident.search"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert!(audited >= 1);
    // The commission searches, but not residents or agreements.
    let commission = demo_user(&app, "commission@sochaczew.example").await;
    let (status, body) = app.get("/api/v1/search?q=Malinowski", &commission).await;
    assert_eq!(
        (status, body["items"].clone()),
        (StatusCode::OK, serde_json::json!([]))
    );
    let (_, body) = app
        .get("/api/v1/search?q=UM/1428011/2025/D01", &commission)
        .await;
    assert_eq!(body["items"], serde_json::json!([]));
    // Residents and organizations do not search: 403.
    for email in ["resident@sochaczew.example", "ngo@sochaczew.example"] {
        let u = demo_user(&app, email).await;
        let (status, _) = app.get("/api/v1/search?q=Malinowski", &u).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    // `q`: 2 to 100 characters once trimmed.
    let long = "x".repeat(101);
    for q in ["", "a", "%20a%20%20", long.as_str()] {
        let (status, body) = app.get(&format!("/api/v1/search?q={q}"), &organizer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(!refusal(status, &body, "q").is_empty(), "{body}");
    }
    let (status, _) = app.get("/api/v1/search", &organizer).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page, in Polish, with the refusal beside the field.
    let b = Browser::new(&app);
    b.sign_in("organizer@sochaczew.example", DEMO_PASSWORD)
        .await;
    let (status, page) = b.get("/search?q=UM/1428011/2025/D01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Przystań 1") && page.contains(">Umowa<"),
        "{page}"
    );
    let (status, page) = b.get("/search?q=a").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Wpisz co najmniej 2 znaki."));
}

#[tokio::test]
async fn anyone_sees_which_services_the_center_offers_and_who_provides_them() {
    let app = spawn_demo().await;
    let (status, body) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/public/services?municipality=1428011",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["municipality"], "1428011");
    let services = body["services"].as_array().unwrap();
    let kis = services.iter().find(|s| s["code"] == "KIS").expect("KIS");
    assert_eq!(kis["area"], "reintegration");
    assert!(!kis["access_criteria"].as_str().unwrap().is_empty());
    let providers = kis["providers"].as_array().unwrap();
    assert_eq!(providers.len(), 1, "{kis}");
    assert_eq!(providers[0]["name"], "Fundacja Razem");
    assert_eq!(providers[0]["email"], "ngo@sochaczew.example");
    assert!(providers[0]["phone"].is_null());
    // Agreements that ended are not providers today (the demo's 2025 care agreements).
    let uo = services.iter().find(|s| s["code"] == "UO").expect("UO");
    assert!(!uo["providers"].to_string().contains("Przystań"), "{uo}");
    // Unknown: 404; malformed or missing: 422 on `municipality`.
    let get = |q: &'static str| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::GET,
                &format!("/api/v1/public/services{q}"),
                None,
                None,
            )
            .await
        }
    };
    assert_eq!(get("?municipality=1465011").await.0, StatusCode::NOT_FOUND);
    for q in ["?municipality=12", "?municipality=abcdefg", ""] {
        let (status, body) = get(q).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(
            !refusal(status, &body, "municipality").is_empty(),
            "{q}: {body}"
        );
    }
    // The page, linked from the home page for anyone.
    let b = Browser::new(&app);
    let (_, home) = b.get("/").await;
    assert!(home.contains("href=\"/public/services\""));
    let (status, page) = b.get("/public/services?municipality=1428011").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Fundacja Razem") && page.contains("reintegracja"),
        "{page}"
    );
}

#[tokio::test]
async fn work_lists_filter_sort_and_page_in_the_api_and_on_the_pages() {
    let app = spawn_demo().await;
    let organizer = demo_user(&app, "organizer@sochaczew.example").await;
    // Paging: one plan a page, a different one on the next, the same total.
    let (status, first) = app.get("/api/v1/plans?per_page=1", &organizer).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let total = first["total"].as_i64().unwrap();
    assert!(total > 2, "{first}");
    let (_, second) = app.get("/api/v1/plans?per_page=1&page=2", &organizer).await;
    assert_eq!(second["total"], total);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    // Filters: by status, by what is due; sorted by name.
    let (_, drafts) = app
        .get("/api/v1/plans?status=draft&per_page=100", &organizer)
        .await;
    let drafts = drafts["items"].as_array().unwrap();
    assert!(!drafts.is_empty());
    assert!(drafts.iter().all(|p| p["status"] == "draft"));
    let today = cus_db::today().to_string();
    let (_, overdue) = app
        .get("/api/v1/plans?due=overdue&per_page=100", &organizer)
        .await;
    for p in overdue["items"].as_array().unwrap() {
        let pending = p["status"] == "draft" || p["status"] == "agreed";
        let late_deadline = p["deadline"].as_str().unwrap() < today.as_str();
        let late_review = p["review_date"]
            .as_str()
            .is_some_and(|r| r < today.as_str());
        assert!(
            (pending && late_deadline) || (!pending && late_review),
            "{p}"
        );
    }
    let (_, by_name) = app
        .get("/api/v1/plans?sort=name&per_page=100", &organizer)
        .await;
    let names: Vec<&str> = by_name["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // A value the list does not know is refused, naming the field.
    for (q, field) in [
        ("status=aproved", "status"),
        ("due=soon", "due"),
        ("sort=random", "sort"),
        ("page=0", "page"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/plans?{q}"), &organizer).await;
        assert!(!refusal(status, &body, field).is_empty(), "{q}: {body}");
    }
    // Requests: by status, sorted by deadline.
    let desk = demo_user(&app, "desk@sochaczew.example").await;
    let (_, submitted) = app.get("/api/v1/requests?status=submitted", &desk).await;
    let items = submitted["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|r| r["status"] == "submitted"),
        "{submitted}"
    );
    let (_, by_deadline) = app
        .get("/api/v1/requests?sort=deadline&per_page=100", &desk)
        .await;
    let deadlines: Vec<&str> = by_deadline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deadline"].as_str().unwrap())
        .collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "{deadlines:?}");
    let (status, body) = app.get("/api/v1/requests?due=later", &desk).await;
    assert!(!refusal(status, &body, "due").is_empty());
    // The pages take the same query string, and page with links.
    let b = Browser::new(&app);
    b.sign_in("organizer@sochaczew.example", DEMO_PASSWORD)
        .await;
    let (status, page) = b.get("/plans?per_page=1&page=2&sort=name").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("rel=\"prev\"") && page.contains("Strona 2 z"),
        "{page}"
    );
    assert!(page.contains("<option value=\"name\" selected>"));
    let (status, page) = b.get("/work?status=submitted").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Maria") || page.contains("CUS/1428011/"),
        "{page}"
    );
    assert!(page.contains("<option value=\"submitted\" selected>"));
}

#[tokio::test]
async fn a_long_kind_shows_its_most_urgent_ten_and_links_the_rest() {
    let app = spawn_app().await;
    let desk = app.user(cus_db::Role::Desk, SOCHACZEW).await;
    let resident = app.resident(&desk, &pesel(41)).await;
    for n in 0..13 {
        let (s, b) = app
            .post(
                "/api/v1/requests",
                &desk,
                serde_json::json!({"resident_id": resident, "description": format!("Wniosek {n}"), "channel": "desk"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, body) = app.get("/api/v1/me/dashboard", &desk).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(
        kinds(items)
            .iter()
            .filter(|k| **k == "request_to_route")
            .count(),
        cus::dashboard::PER_KIND
    );
    let more: Vec<&Value> = items.iter().filter(|i| i["kind"] == "more").collect();
    assert_eq!(more.len(), 1, "{body}");
    let title = more[0]["title"].as_str().unwrap();
    assert!(
        title.starts_with("And 3 more like it, e.g. Request CUS/"),
        "{title}"
    );
    assert_eq!(more[0]["link"], "/work?status=submitted");
}
