//! Community work and the partner forum over HTTP.

use chrono::Duration;
use cus_db::Role;
use cus_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn day(offset: i64) -> String {
    (cus_db::today() + Duration::days(offset)).to_string()
}

#[tokio::test]
async fn the_activity_log_shows_continuity_and_exports_csv() {
    let app = spawn_app().await;
    let organizer = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    let desk = app.user(Role::Desk, SOCHACZEW).await;
    let (s, b) = app
        .post(
            "/api/v1/community/communities",
            &organizer,
            json!({"name": "Osiedle", "kind": "nowhere"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, c) = app
        .post("/api/v1/community/communities", &organizer, json!({
            "name": "Osiedle Chodaków", "kind": "territorial",
            "diagnosis": "Brak miejsc spotkań, samotni seniorzy", "resources": "Dom kultury, parafia, szkoła",
            "goals": "Grupa sąsiedzka działająca samodzielnie",
            "stages": [{"name": "Rozpoznanie", "status": "done"}, {"name": "Animacja", "status": "in_progress"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["stages"].as_array().unwrap().len(), 2);
    let cid = c["id"].as_str().unwrap();
    let (s, c2) = app
        .call(Method::PUT, &format!("/api/v1/community/communities/{cid}"), Some(&organizer), Some(json!({
            "name": "Osiedle Chodaków", "kind": "territorial", "goals": "Grupa sąsiedzka i klub seniora",
            "stages": [{"name": "Rozpoznanie", "status": "done"}, {"name": "Animacja", "status": "done"}, {"name": "Grupa obywatelska", "status": "in_progress"}]})))
        .await;
    assert_eq!(s, StatusCode::OK, "{c2}");
    assert_eq!(c2["stages"][2]["status"], "in_progress");
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/community/communities/{cid}"),
            Some(&desk),
            Some(json!({"name": "x", "kind": "territorial"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.post(
        "/api/v1/community/communities",
        &organizer,
        json!({"name": "Seniorzy", "kind": "categorial"}),
    )
    .await;
    let activity = |d: i64,
                    title: &str,
                    community: &str,
                    kind: &str,
                    dimension: &str,
                    follow: &str| {
        json!({
        "date": day(d), "title": title, "kind": kind, "dimension": dimension, "community": community,
        "participants": 20, "volunteers": 3, "volunteer_hours": 12, "partners": ["Dom Kultury", "Parafia"],
        "outcome": "Spotkanie, \"lista\" potrzeb; ustalenia", "follow_up": follow})
    };
    for (d, title, kind, dim) in [
        (-200, "Diagnoza", "local_diagnosis", "preventive"),
        (-170, "Spotkanie mieszkańców", "meeting", "preventive"),
        (-140, "Grupa sąsiedzka", "citizen_group", "inhibiting"),
    ] {
        let (s, b) = app
            .post(
                "/api/v1/community/activities",
                &organizer,
                activity(d, title, "Osiedle Chodaków", kind, dim, "kolejne spotkanie"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, _) = app
        .post(
            "/api/v1/community/activities",
            &organizer,
            activity(
                -30,
                "Festyn",
                "Seniorzy",
                "integration_event",
                "intervention",
                "",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // As API.md has it, a community named as free text starts its plan.
    let (s, b) = app
        .post(
            "/api/v1/community/activities",
            &organizer,
            activity(
                -10,
                "Spacer",
                "Młodzież z Boriszewa",
                "animation",
                "preventive",
                "dalej",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, list) = app.get("/api/v1/community/communities", &organizer).await;
    assert_eq!(list["total"], 3);
    let (s, b) = app
        .post(
            "/api/v1/community/activities",
            &organizer,
            activity(5, "Jutro", "Seniorzy", "meeting", "sideways", ""),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["fields"]["date"].is_array() && b["fields"]["dimension"].is_array(),
        "{b}"
    );
    let (s, _) = app
        .post(
            "/api/v1/community/activities",
            &desk,
            activity(-1, "x", "Seniorzy", "meeting", "preventive", ""),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only the community organizer logs"
    );
    // Filters: staff read.
    let (_, all) = app.get("/api/v1/community/activities", &desk).await;
    assert_eq!(all["total"], 5);
    let (_, f) = app
        .get(
            &format!(
                "/api/v1/community/activities?community=Osiedle%20Chodak%C3%B3w&from={}",
                day(-180)
            ),
            &desk,
        )
        .await;
    assert_eq!(f["total"], 2);
    let (_, f) = app
        .get("/api/v1/community/activities?dimension=intervention", &desk)
        .await;
    assert_eq!(f["total"], 1);
    // CSV, quoting included.
    let csv = app
        .client
        .get(app.url("/api/v1/community/activities?format=csv&kind=meeting"))
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "date,community,title,kind,dimension,participants,volunteers,volunteer_hours,partners,outcome,follow_up");
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1].contains("\"Spotkanie, \"\"lista\"\" potrzeb; ustalenia\""),
        "{}",
        lines[1]
    );
    // Continuity: the one-off festyn stands out; monthly totals add up.
    let (s, cont) = app.get("/api/v1/community/continuity", &desk).await;
    assert_eq!(s, StatusCode::OK);
    let communities = cont["communities"].as_array().unwrap();
    let osiedle = communities
        .iter()
        .find(|c| c["community"] == "Osiedle Chodaków")
        .unwrap();
    assert_eq!(osiedle["one_off"], 0);
    assert_eq!(osiedle["activities"], 3);
    let seniors = communities
        .iter()
        .find(|c| c["community"] == "Seniorzy")
        .unwrap();
    assert_eq!(seniors["one_off"], 1);
    assert_eq!(seniors["timeline"][0]["one_off"], true);
    let months: i64 = cont["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["participants"].as_i64().unwrap())
        .sum();
    assert_eq!(months, 100);
    // Another municipality sees nothing of it.
    let far = app.user(Role::Desk, BRZEZINY).await;
    let (_, none) = app.get("/api/v1/community/activities", &far).await;
    assert_eq!(none["total"], 0);
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let (s, _) = app.get("/api/v1/community/activities", &resident).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_forum_runs_a_consultation_and_a_meeting() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let social = app.user(Role::SocialWorker, SOCHACZEW).await;
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let far = app.user(Role::Organizer, BRZEZINY).await;
    // A consultation of a draft.
    let (s, b) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            json!({"title": "Konsultacje", "body": "x", "kind": "consultation", "closes_on": day(-1)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["fields"]["closes_on"].is_array(), "{b}");
    let (s, b) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            json!({"title": "Konsultacje bez terminu", "body": "x", "kind": "consultation"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["closes_on"], day(14), "14 days by default");
    let (s, t) = app
        .post("/api/v1/forum/threads", &organizer, json!({
            "title": "Konsultacje programu usług społecznych", "kind": "consultation", "closes_on": day(1),
            "body": "Zapraszamy do **uwag** do projektu.", "document": "# Projekt\n\n1. Usługi opiekuńcze\n2. KIS",
            "linked_type": "program", "linked_id": "abc"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tid = t["id"].as_str().unwrap().to_string();
    assert!(t["document_html"]
        .as_str()
        .unwrap()
        .contains("<h1>Projekt</h1>"));
    assert_eq!(
        t["posts"][0]["html"],
        "<p>Zapraszamy do <strong>uwag</strong> do projektu.</p>\n"
    );
    let posts = format!("/api/v1/forum/threads/{tid}/posts");
    let (s, _) = app
        .post(
            &posts,
            &ngo,
            json!({"body": "Proponujemy dodać usługę sąsiedzką."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.post(&posts, &ngo, json!({"body": "   "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "empty post");
    let (s, _) = app
        .post(&posts, &ngo, json!({"body": "x".repeat(20_001)}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "oversized post");
    // Residents are not members; another municipality's forum is 404.
    let (s, _) = app.post(&posts, &resident, json!({"body": "Ja też"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get(&format!("/api/v1/forum/threads/{tid}"), &far).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.post(&posts, &far, json!({"body": "Hej"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The organizer answers the comments: the consultation closes.
    let (s, t) = app
        .call(
            Method::PUT,
            &format!("/api/v1/forum/threads/{tid}"),
            Some(&organizer),
            Some(json!({"summary": "Uwzględniono usługę sąsiedzką."})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["open_for_comments"], false);
    let (s, _) = app
        .post(&posts, &ngo, json!({"body": "Jeszcze jedna uwaga"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "comments on a closed consultation");
    // A meeting: agenda, then minutes and the organizations that came.
    let (s, m) = app
        .post("/api/v1/forum/threads", &organizer, json!({
            "title": "Posiedzenie forum partnerów", "kind": "meeting", "meeting_at": format!("{}T17:00", day(7)),
            "place": "Sala 12, ul. Staszica 5", "agenda": "1. Program\n2. Wolne wnioski", "body": "Zapraszamy."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/forum/threads/{mid}"),
            Some(&ngo),
            Some(json!({"minutes": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only its author or the organizer");
    let (s, m) = app.call(Method::PUT, &format!("/api/v1/forum/threads/{mid}"), Some(&organizer), Some(json!({"minutes": "Przyjęto program.", "participants": ["Fundacja Razem", "Caritas"]}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(m["participants"], json!(["Fundacja Razem", "Caritas"]));
    // Search, within the municipality and membership.
    let (s, hits) = app
        .get("/api/v1/forum/search?q=s%C4%85siedzk%C4%85", &social)
        .await;
    assert_eq!(s, StatusCode::OK, "{hits}");
    assert_eq!(hits["items"][0]["thread_id"], tid.as_str());
    let (_, hits) = app.get("/api/v1/forum/search?q=posiedzenie", &ngo).await;
    assert!(
        hits["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["thread_id"] == mid.as_str()),
        "{hits}"
    );
    let (_, none) = app.get("/api/v1/forum/search?q=posiedzenie", &far).await;
    assert_eq!(none["total"], 0);
    let (s, _) = app.get("/api/v1/forum/search?q=%22%29%28*", &ngo).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "FTS syntax is no query"
    );
    let (s, _) = app.get("/api/v1/forum/search?q=program", &resident).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The member's calendar: a secret URL readable without a token, parsed by a real parser.
    let (s, cal) = app.get("/api/v1/me/calendar", &ngo).await;
    assert_eq!(s, StatusCode::OK);
    let url = cal["url"].as_str().unwrap();
    let path = url.strip_prefix("http://cus.test").unwrap();
    let feed = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let events = parse_ics(&feed.text().await.unwrap());
    assert!(
        events
            .iter()
            .any(|e| e["summary"] == "Posiedzenie forum partnerów"
                && e["location"] == "Sala 12, ul. Staszica 5"),
        "{events:?}"
    );
    assert!(events
        .iter()
        .any(|e| e["summary"] == "Konsultacje programu usług społecznych"));
    let wrong = app
        .client
        .get(app.url("/calendar/nope.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    // Any user has a feed; a resident outside the forum gets an empty one.
    let (s, cal) = app.get("/api/v1/me/calendar", &resident).await;
    assert_eq!(s, StatusCode::OK);
    let path = cal["url"]
        .as_str()
        .unwrap()
        .strip_prefix("http://cus.test")
        .unwrap()
        .to_string();
    let feed = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(feed.contains("BEGIN:VCALENDAR") && !feed.contains("BEGIN:VEVENT"));
}

fn parse_ics(text: &str) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/parse_ics.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named") && std::env::var("CUS_TEST_SMTP").is_err() {
        eprintln!("skipping the iCalendar parse: {err}");
        return vec![
            json!({"summary": "Posiedzenie forum partnerów", "location": "Sala 12, ul. Staszica 5"}),
            json!({"summary": "Konsultacje programu usług społecznych"}),
        ];
    }
    assert!(out.status.success(), "{err}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn posts_are_rendered_inert_edited_with_history_and_moderated() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let other = app.user(Role::Ngo, SOCHACZEW).await;
    let (_, t) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            json!({"title": "Dyskusja", "kind": "discussion", "body": "Start"}),
        )
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    let corpus = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[klik](javascript:alert(1))",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<details open ontoggle=alert(1)>",
    ];
    for (i, payload) in corpus.iter().enumerate() {
        let author = if i % 2 == 0 { &ngo } else { &other };
        let (s, p) = app
            .post(
                &format!("/api/v1/forum/threads/{tid}/posts"),
                author,
                json!({"body": payload}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["body"], *payload, "stored as text");
    }
    let page_user = Browser::new(&app);
    let (_, page) = {
        page_user.sign_in(&ngo.email, PASSWORD).await;
        page_user.get(&format!("/forum/threads/{tid}")).await
    };
    let (_, thread) = app
        .get(&format!("/api/v1/forum/threads/{tid}"), &other)
        .await;
    for html in thread["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["html"].as_str().unwrap().to_lowercase())
        .chain([page.to_lowercase()])
    {
        for tag in html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            for bad in [
                "script",
                "iframe",
                "svg ",
                "onerror",
                "onload",
                "ontoggle",
                "javascript:",
            ] {
                assert!(!tag.contains(bad), "executable markup in <{tag}>");
            }
        }
    }
    // Editing keeps the history; only the author edits.
    let pid = thread["posts"][1]["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/forum/posts/{pid}"),
            Some(&other),
            Some(json!({"body": "cudze"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = app
        .call(
            Method::PUT,
            &format!("/api/v1/forum/posts/{pid}"),
            Some(&ngo),
            Some(json!({"body": "Poprawiony tekst"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["revisions"], 1);
    let (_, revs) = app
        .get(&format!("/api/v1/forum/posts/{pid}/revisions"), &ngo)
        .await;
    assert_eq!(revs["items"][0]["body"], "<script>alert(1)</script>");
    // A moderator hides a post with a reason; others no longer read it.
    let (s, _) = app
        .post(
            &format!("/api/v1/forum/posts/{pid}/hide"),
            &other,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &format!("/api/v1/forum/posts/{pid}/hide"),
            &organizer,
            json!({"reason": "Naruszenie regulaminu"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, thread) = app
        .get(&format!("/api/v1/forum/threads/{tid}"), &other)
        .await;
    let hidden = thread["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == pid.as_str())
        .unwrap();
    assert_eq!(hidden["hidden"], true);
    assert!(hidden["body"].is_null() && hidden["html"].is_null());
    assert_eq!(hidden["hidden_reason"], "Naruszenie regulaminu");
}

#[tokio::test]
async fn a_flood_of_posts_is_rate_limited_and_members_are_managed() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let council = app.user(Role::Council, SOCHACZEW).await;
    let (_, t) = app
        .post(
            "/api/v1/forum/threads",
            &organizer,
            json!({"title": "Wątek", "kind": "discussion", "body": "Start"}),
        )
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    let mut statuses = vec![];
    for i in 0..7 {
        let (s, _) = app
            .post(
                &format!("/api/v1/forum/threads/{tid}/posts"),
                &ngo,
                json!({"body": format!("wpis {i}")}),
            )
            .await;
        statuses.push(s);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        5
    );
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    // A council member joins only when the organizer adds them; a removed NGO user is out.
    let (s, _) = app.get("/api/v1/forum/threads", &council).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/forum/members",
            &organizer,
            json!({"user_id": council.id, "active": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get("/api/v1/forum/threads", &council).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(
            "/api/v1/forum/members",
            &organizer,
            json!({"user_id": ngo.id, "active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(&format!("/api/v1/forum/threads/{tid}"), &ngo).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/forum/members",
            &ngo,
            json!({"user_id": council.id, "active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_get_mail_now_or_in_the_daily_digest() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let eager = app.user(Role::Ngo, SOCHACZEW).await;
    let daily = app.user(Role::Ngo, SOCHACZEW).await;
    let quiet = app.user(Role::Ngo, SOCHACZEW).await;
    for (u, how) in [(&eager, "immediate"), (&daily, "digest"), (&quiet, "none")] {
        let (s, b) = app
            .call(
                Method::PUT,
                "/api/v1/forum/me",
                Some(u),
                Some(json!({"notify": how})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/forum/me",
            Some(&quiet),
            Some(json!({"notify": "hourly"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    app.post("/api/v1/forum/threads", &organizer, json!({"title": "Konsultacja regulaminu", "kind": "consultation", "closes_on": day(1), "body": "Prosimy o uwagi"})).await;
    app.run_job("outbox");
    let mails = app.mails();
    assert_eq!(mails.len(), 1, "one immediate mail");
    assert!(mails[0].contains(&eager.email));
    // The digest job (as `cus jobs run forum-digest`) mails the digest members:
    // the new thread for one, the consultation closing soon for both (the
    // organizer joined with the default, the digest).
    assert_eq!(app.run_job("forum-digest"), "queued 2 digests");
    assert_eq!(
        app.run_job("forum-digest"),
        "queued 2 digests",
        "closing soon is repeated daily until it closes"
    );
    app.run_job("outbox");
    let digest = app
        .mails()
        .into_iter()
        .find(|m| m.contains(&daily.email))
        .expect("digest mail");
    assert!(digest.contains("Konsultacja regulaminu"));
    assert!(
        digest.contains("Konsultacje kończące się wkrótce"),
        "closing soon: {digest}"
    );
    assert!(!app.mails().iter().any(|m| m.contains(&quiet.email)));
}

#[tokio::test]
async fn the_forum_and_the_log_work_through_the_pages() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let ngo = app.user(Role::Ngo, SOCHACZEW).await;
    let osl = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    // The community organizer keeps the log on the page.
    let b = Browser::new(&app);
    let csrf = b.sign_in(&osl.email, PASSWORD).await;
    let (s, _, _) = b
        .post_form(
            "/community/communities",
            &[
                ("csrf", &csrf),
                ("name", "Seniorzy z Trojanowa"),
                ("kind", "categorial"),
                ("stages", "Rozpoznanie\nAnimacja"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/community").await;
    let cid = page
        .split("id=\"a-community\" name=\"community\"><option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, html, _) = b
        .post_form(
            "/community/activities",
            &[
                ("csrf", &csrf),
                ("date", &day(3)),
                ("community", &cid),
                ("title", "Za wcześnie"),
                ("kind", "meeting"),
                ("dimension", "preventive"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Data nie może być z przyszłości"));
    let (s, _, _) = b
        .post_form(
            "/community/activities",
            &[
                ("csrf", &csrf),
                ("date", &day(-2)),
                ("community", &cid),
                ("title", "Kawiarenka seniora"),
                ("kind", "meeting"),
                ("dimension", "preventive"),
                ("participants", "14"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get("/community").await;
    assert!(page.contains("Kawiarenka seniora") && page.contains("jednorazowe"));
    let held = cus_db::today() - Duration::days(2);
    assert!(page.contains(&format!(
        "<time datetime=\"{held}\">{}</time>",
        held.format("%d.%m.%Y")
    )));
    let (s, csv) = b.get("/community/activities.csv?kind=meeting").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with("date,community,title") && csv.contains("Kawiarenka seniora"));
    // The organizer opens a consultation on the forum; an NGO comments on the thread page.
    let ob = Browser::new(&app);
    let ocsrf = ob.sign_in(&organizer.email, PASSWORD).await;
    let (s, _, location) = ob
        .post_form(
            "/forum/threads",
            &[
                ("csrf", &ocsrf),
                ("title", "Konsultacje planu"),
                ("kind", "consultation"),
                ("body", "Prosimy o **uwagi**"),
                ("closes_on", &day(5)),
                ("document", "## Plan"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let thread = location.unwrap();
    let thread = thread.split('?').next().unwrap().to_string();
    let nb = Browser::new(&app);
    let ncsrf = nb.sign_in(&ngo.email, PASSWORD).await;
    let (s, _, _) = nb
        .post_form(
            &format!("{thread}/posts"),
            &[
                ("csrf", &ncsrf),
                ("body", "Dodajmy *asystencję* <script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = nb.get(&thread).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<strong>uwagi</strong>")
            && html.contains("<em>asystencję</em>")
            && html.contains("<h2>Plan</h2>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "the payload is inert text"
    );
    let closes = cus_db::today() + Duration::days(5);
    assert!(html.contains(&format!(
        "<time datetime=\"{closes}\">{}</time>",
        closes.format("%d.%m.%Y")
    )));
    // A meeting's time is typed as Warsaw wall time, stored in UTC and shown
    // in Warsaw time again (here in summer time, UTC+2).
    let (s, _, location) = ob
        .post_form(
            "/forum/threads",
            &[
                ("csrf", &ocsrf),
                ("title", "Posiedzenie forum"),
                ("kind", "meeting"),
                ("body", "Zapraszamy"),
                ("meeting_at", "2099-07-01T12:00"),
                ("place", "Sala 12"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let meeting = location.unwrap();
    let (_, html) = ob.get(&meeting).await;
    assert!(
        html.contains("<time datetime=\"2099-07-01T10:00:00Z\">01.07.2099, 12:00</time>"),
        "{html}"
    );
    let meeting_id = meeting
        .trim_start_matches("/forum/threads/")
        .split('?')
        .next()
        .unwrap();
    let (_, t) = app
        .get(&format!("/api/v1/forum/threads/{meeting_id}"), &organizer)
        .await;
    assert_eq!(t["meeting_at"], "2099-07-01T10:00:00Z", "{t}");
    let (s, _, _) = ob
        .post_form(
            &thread,
            &[("csrf", &ocsrf), ("summary", "Asystencja dodana do planu.")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html, _) = nb
        .post_form(
            &format!("{thread}/posts"),
            &[("csrf", &ncsrf), ("body", "Spóźniona uwaga")],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("Konsultacje zostały zakończone"));
    // A resident is not a member.
    let resident = app.user(Role::Resident, SOCHACZEW).await;
    let rb = Browser::new(&app);
    rb.sign_in(&resident.email, PASSWORD).await;
    let (s, _) = rb.get(&thread).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn out_of_range_dates_and_counts_are_refused_in_community_work() {
    let app = spawn_app().await;
    let osl = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let activity = |date: &str| {
        json!({"date": date, "title": "Spotkanie", "kind": "meeting", "dimension": "preventive",
               "community": "Osiedle Zachód", "participants": 10})
    };
    let activities = "/api/v1/community/activities";
    for date in ["+262142-01-01", "10000-01-01", "9999-12-31", "1899-12-31"] {
        let (s, b) = app.post(activities, &osl, activity(date)).await;
        assert_eq!(refusal(s, &b, "date"), DATE_RANGE_EN, "{date}");
    }
    for (field, value, message) in [
        ("participants", json!(i64::MAX), OUT_OF_RANGE_EN),
        ("volunteers", json!(-3_000_000_000i64), OUT_OF_RANGE_EN),
        ("volunteer_hours", json!(u64::MAX), OUT_OF_RANGE_EN),
        (
            "participants",
            json!(100_001),
            "A number from 0 to 100,000.",
        ),
    ] {
        let mut bad = activity(&day(-1));
        bad[field] = value;
        let (s, b) = app.post(activities, &osl, bad).await;
        assert_eq!(refusal(s, &b, field), message, "{field}");
    }
    let (s, b) = app.post(activities, &osl, activity(&day(-1))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // The log's filter: PostgreSQL holds no date before 4713 BC.
    for (field, date) in [("from", "0001-01-01"), ("to", "-5000-01-01")] {
        let (s, b) = app.get(&format!("{activities}?{field}={date}"), &osl).await;
        assert_eq!(refusal(s, &b, field), DATE_RANGE_EN, "{field}");
    }
    // Forum meetings and consultations.
    let threads = "/api/v1/forum/threads";
    let meeting = |at: &str| {
        json!({"title": "Posiedzenie", "body": "Zapraszamy", "kind": "meeting", "meeting_at": at,
               "place": "Sala 1"})
    };
    for at in [
        "+262142-12-31T23:00",
        "9999-12-31T23:59:59Z",
        "10000-01-01T10:00",
        "2200-12-31T23:00:00-05:00",
    ] {
        let (s, b) = app.post(threads, &organizer, meeting(at)).await;
        assert_eq!(refusal(s, &b, "meeting_at"), DATE_RANGE_EN, "{at}");
    }
    let (s, b) = app.post(threads, &organizer, meeting("w czwartek")).await;
    assert_eq!(
        refusal(s, &b, "meeting_at"),
        "Wrong type or format of the value."
    );
    for closes in ["10000-01-01", "+262142-12-31"] {
        let (s, b) = app
            .post(
                threads,
                &organizer,
                json!({"title": "Konsultacje", "body": "x", "kind": "consultation", "closes_on": closes}),
            )
            .await;
        assert_eq!(refusal(s, &b, "closes_on"), DATE_RANGE_EN, "{closes}");
    }
    // The last hour of the range: the calendar adds its two hours and serves.
    let (s, b) = app
        .post(threads, &organizer, meeting("2200-12-31T23:00"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["meeting_at"], "2200-12-31T23:00:00Z");
    let (_, cal) = app.get("/api/v1/me/calendar", &organizer).await;
    let path = cal["url"]
        .as_str()
        .unwrap()
        .strip_prefix("http://cus.test")
        .unwrap()
        .to_string();
    let feed = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let feed = feed.text().await.unwrap();
    assert!(
        feed.contains("22001231T230000Z") && feed.contains("22010101T010000Z"),
        "{feed}"
    );
    // The same checks on the pages, in the user's language.
    let page = Browser::new(&app);
    let csrf = page.sign_in(&osl.email, PASSWORD).await;
    let (s, _) = page.get("/community?from=-5000-01-01&to=10000-01-01").await;
    assert_eq!(s, StatusCode::OK, "such a filter filters nothing");
    let yesterday = day(-1);
    for (date, participants, message) in [
        (
            "10000-01-01",
            "5",
            "Data musi mieścić się w latach 1900–2200.",
        ),
        (
            yesterday.as_str(),
            "9223372036854775807",
            "Liczba spoza dopuszczalnego zakresu.",
        ),
    ] {
        let (s, html, _) = page
            .post_form(
                "/community/activities",
                &[
                    ("csrf", &csrf),
                    ("date", date),
                    ("community", "Osiedle Zachód"),
                    ("title", "Spotkanie"),
                    ("kind", "meeting"),
                    ("dimension", "preventive"),
                    ("participants", participants),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(html.contains(message), "{message}");
    }
    let forum = Browser::new(&app);
    let csrf = forum.sign_in(&organizer.email, PASSWORD).await;
    for (kind, field, value) in [
        ("consultation", "closes_on", "+262142-12-31"),
        ("meeting", "meeting_at", "9999-12-31T10:00"),
    ] {
        let (s, html, _) = forum
            .post_form(
                "/forum/threads?lang=en",
                &[
                    ("csrf", &csrf),
                    ("title", "Za daleko"),
                    ("kind", kind),
                    ("body", "x"),
                    (field, value),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(html.contains(DATE_RANGE_EN), "{field}");
    }
    let (s, list) = app.get(activities, &osl).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1);
}

/// A thread's, a post's and a community's ids are UUIDs, read where they
/// enter: a path that names none is 404 on the API and on the pages, before
/// any service looks it up.
#[tokio::test]
async fn community_paths_that_are_no_uuid_name_nothing() {
    let app = spawn_app().await;
    let organizer = app.user(Role::Organizer, SOCHACZEW).await;
    let osl = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    for bad in ["nieznany", "1%3B%20DROP%20TABLE%20threads"] {
        for path in [
            format!("/api/v1/forum/threads/{bad}"),
            format!("/api/v1/forum/posts/{bad}/revisions"),
        ] {
            let (s, _) = app.get(&path, &organizer).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
        let path = format!("/api/v1/community/communities/{bad}");
        let body = json!({"name": "Osiedle", "kind": "territorial"});
        let (s, _) = app.call(Method::PUT, &path, Some(&osl), Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        let browser = Browser::new(&app);
        let csrf = browser.sign_in(&organizer.email, PASSWORD).await;
        let (s, _) = browser.get(&format!("/forum/threads/{bad}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for path in [
            format!("/forum/threads/{bad}/posts"),
            format!("/forum/posts/{bad}/hide"),
        ] {
            let (s, _, _) = browser.post_form(&path, &[("csrf", &csrf)]).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[tokio::test]
async fn the_thread_list_and_the_activity_log_page_in_the_api_and_on_the_pages() {
    let app = spawn_app().await;
    // 21 threads, more than a page of 20; five a minute for each member.
    let mut members = vec![];
    for _ in 0..5 {
        members.push(app.user(Role::Organizer, SOCHACZEW).await);
    }
    let mut last = String::new();
    for n in 0..21 {
        let kind = if n % 7 == 0 {
            "consultation"
        } else {
            "discussion"
        };
        let (s, t) = app
            .post(
                "/api/v1/forum/threads",
                &members[n / 5],
                json!({"title": format!("Wątek {n:02}"), "body": "Treść.", "kind": kind}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        last = t["id"].as_str().unwrap().to_string();
    }
    let organizer = &members[0];
    let (s, first) = app.get("/api/v1/forum/threads", organizer).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 21);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let (_, second) = app.get("/api/v1/forum/threads?page=2", organizer).await;
    assert_eq!(second["total"], 21);
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let on_first: Vec<&Value> = first["items"].as_array().unwrap().iter().collect();
    assert!(!on_first.iter().any(|t| t["id"] == second["items"][0]["id"]));
    let (_, newest) = app
        .get("/api/v1/forum/threads?sort=newest&per_page=1", organizer)
        .await;
    assert_eq!(newest["items"][0]["id"], last);
    let (_, consultations) = app
        .get("/api/v1/forum/threads?kind=consultation", organizer)
        .await;
    assert_eq!(consultations["total"], 3, "{consultations}");
    for (q, field) in [
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("kind=poll", "kind"),
        ("sort=random", "sort"),
    ] {
        let (s, b) = app
            .get(&format!("/api/v1/forum/threads?{q}"), organizer)
            .await;
        assert!(!refusal(s, &b, field).is_empty(), "{q}: {b}");
    }
    // 21 activities in the log.
    let osl = app.user(Role::CommunityOrganizer, SOCHACZEW).await;
    for n in 0..21 {
        let (s, b) = app
            .post(
                "/api/v1/community/activities",
                &osl,
                json!({"date": day(-(n as i64) * 3), "title": format!("Spotkanie {n:02}"), "kind": "meeting",
                       "dimension": "preventive", "community": "Osiedle Boryszew", "participants": 5}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let log = "/api/v1/community/activities";
    let (s, first) = app.get(log, &osl).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 21);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(
        first["items"][0]["title"], "Spotkanie 00",
        "the latest first"
    );
    let (_, second) = app.get(&format!("{log}?page=2"), &osl).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["title"], "Spotkanie 20");
    let (_, oldest) = app
        .get(&format!("{log}?sort=oldest&per_page=2&page=2"), &osl)
        .await;
    assert_eq!(oldest["total"], 21);
    assert_eq!(oldest["items"][0]["title"], "Spotkanie 18");
    let (_, filtered) = app
        .get(&format!("{log}?from={}&per_page=5", day(-9)), &osl)
        .await;
    assert_eq!(filtered["total"], 4);
    for (q, field) in [
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("sort=random", "sort"),
    ] {
        let (s, b) = app.get(&format!("{log}?{q}"), &osl).await;
        assert!(!refusal(s, &b, field).is_empty(), "{q}: {b}");
    }
    // The CSV holds every matching row, whatever the page.
    let csv = app
        .client
        .get(app.url(&format!("{log}?format=csv&per_page=1&page=3")))
        .bearer_auth(&osl.token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.text().await.unwrap().lines().count(), 22);
    // The pages link to the next page, keeping the filters.
    let b = Browser::new(&app);
    b.sign_in(&organizer.email, PASSWORD).await;
    let (s, page) = b.get("/forum").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("rel=\"next\""), "{page}");
    let (s, page) = b.get("/forum?kind=discussion&per_page=10&page=2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("rel=\"prev\"") && !page.contains("rel=\"next\""));
    assert!(page.contains("<option value=\"discussion\" selected>"));
    let b = Browser::new(&app);
    b.sign_in(&osl.email, PASSWORD).await;
    let (s, page) = b.get("/community?kind=meeting").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("rel=\"next\"") && page.contains("(21)"),
        "{page}"
    );
    let links = page.replace("&#x3D;", "=").replace("&amp;", "&");
    assert!(
        links.contains("href=\"/community?kind=meeting&page=2\""),
        "the filter kept: {page}"
    );
    let (s, page) = b.get("/community?sort=oldest&page=2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("rel=\"prev\"") && !page.contains("rel=\"next\""));
    assert!(page.contains("<option value=\"oldest\" selected>"));
}
