//! Test harness: `spawn_app` starts the real server on port 0 over a fresh
//! database — a SQLite file by default, or a new PostgreSQL database when
//! `CUS_TEST_DB=postgres` (on the cluster named by `CUS_TEST_PG_URL`) — and
//! gives a client that speaks HTTP to it.

use cus::platform::config::Config;
use cus::platform::state::AppState;
use cus_db::Role;
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;

pub const SOCHACZEW: &str = "1428011";
pub const BRZEZINY: &str = "1021011";
pub const PASSWORD: &str = "correct-horse-battery";

/// The year after which a competition published today, with offers due
/// within 30 days, can fund its task: this year until December 1st, the
/// next one from then on (a task may not start before its offers are in).
pub fn base_year() -> i32 {
    use chrono::Datelike;
    (cus_db::today() + chrono::Duration::days(30)).year()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub dir: PathBuf,
    pub database_url: String,
}

pub fn backend() -> String {
    std::env::var("CUS_TEST_DB").unwrap_or_else(|_| "sqlite".to_string())
}

/// A fresh, empty database URL for one test.
pub fn fresh_database(dir: &std::path::Path) -> String {
    if backend() == "postgres" {
        let admin =
            std::env::var("CUS_TEST_PG_URL").expect("CUS_TEST_PG_URL names the test cluster");
        let name = format!("cus_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin).expect("connect to the test cluster");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create database");
        let (base, _) = admin.rsplit_once('/').expect("admin url has a database");
        let query = admin
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        format!("{base}/{name}{query}")
    } else {
        format!("sqlite://{}", dir.join("cus.db").display())
    }
}

/// The `cus` binary beside the test binary (`cargo build --bins` builds it;
/// scripts/test does), copied into `dir` so that a build of another tree
/// into a shared target directory cannot swap it mid-test; `None` when it
/// is missing or is not this tree's build (run with `probe`, it does not
/// print `expect`).
pub fn cus_binary(dir: &std::path::Path, probe: &[&str], expect: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let built = exe.parent()?.parent()?.join("cus");
    let bin = dir.join("cus");
    std::fs::copy(&built, &bin).ok()?;
    let out = std::process::Command::new(&bin)
        .args(probe)
        .current_dir(dir)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .contains(expect)
        .then_some(bin)
}

/// Runs the `cus` binary on the database `url` with `args` (warnings only
/// in its log).
pub fn run_cus(bin: &std::path::Path, url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin)
        .args(["--database", url])
        .args(args)
        .env("CUS_LOG", "warn")
        .output()
        .expect("run cus")
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cus-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// Starts the server with the test profile, adjusted by `adjust`.
pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_full(adjust, |_| {}, false).await
}

/// Starts the server on the demonstration data (`serve --demo`'s).
pub async fn spawn_demo() -> TestApp {
    spawn_full(|_| {}, |_| {}, true).await
}

/// Starts the server with extra (fault-injection) routes mounted.
pub async fn spawn_app_with_routes<R>(routes: R) -> TestApp
where
    R: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
{
    spawn_full(|_| {}, routes, false).await
}

async fn spawn_full<R>(adjust: impl FnOnce(&mut Config), routes: R, demo: bool) -> TestApp
where
    R: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
{
    let dir = temp_dir();
    let mut config = Config::for_tests();
    config.database.url = fresh_database(&dir);
    config.mail.mail_dir = dir.join("mail");
    config.privacy.erasure_log = dir.join("erasures.jsonl");
    config.server.public_url = "http://cus.test".to_string();
    adjust(&mut config);
    let database_url = config.database.url.clone();
    let state = cus::open(config, true).expect("open the database");
    {
        let mut conn = state.pool.get().unwrap();
        if demo {
            assert!(
                cus::platform::demo::seed(&mut conn).unwrap(),
                "the demo seeds"
            );
        } else {
            cus::platform::admin::add_municipality(&mut conn, SOCHACZEW, "Sochaczew").unwrap();
            cus::platform::admin::add_municipality(&mut conn, BRZEZINY, "Brzeziny").unwrap();
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    let server = cus::serve_with(state.clone(), listener, routes).expect("start server");
    tokio::spawn(server);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client,
        state,
        dir,
        database_url,
    }
}

/// A signed-in API user.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account directly and signs it in through the API.
    pub async fn user(&self, role: Role, municipality: &str) -> User {
        let email = format!(
            "{}-{}@test.example",
            role.as_str(),
            uuid::Uuid::new_v4().simple()
        );
        let mut conn = self.state.pool.get().unwrap();
        let id = cus::platform::auth::create_user(
            &mut conn,
            cus::platform::auth::NewUser {
                email: email.clone(),
                password: PASSWORD.to_string(),
                role,
                municipality: (!municipality.is_empty()).then(|| municipality.to_string()),
                organization_id: None,
                display_name: format!("Test {}", role.as_str()),
                locale: "pl".into(),
                confirmed: true,
            },
        )
        .expect("create user");
        drop(conn);
        let token = self.login(&email, PASSWORD).await;
        User { id, email, token }
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// One JSON call; answers the status and the parsed body (Null if none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<&User>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(u) = user {
            req = req.bearer_auth(&u.token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, user: &User) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(user), None).await
    }

    pub async fn post(&self, path: &str, user: &User, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(user), Some(body)).await
    }

    /// Runs a scheduled job now, as `cus jobs run` does.
    pub fn run_job(&self, name: &str) -> String {
        cus::platform::jobs::run(&self.state, name, &cus::platform::jobs::manual_slot())
            .expect("job runs")
            .expect("slot claimed")
    }

    /// The .eml files the file transport wrote, bodies decoded.
    pub fn mails(&self) -> Vec<String> {
        let mut out = vec![];
        if let Ok(entries) = std::fs::read_dir(self.dir.join("mail")) {
            for e in entries.flatten() {
                out.push(decode_mail(
                    &std::fs::read_to_string(e.path()).unwrap_or_default(),
                ));
            }
        }
        out
    }

    /// A catalogue entry made by an organizer of `municipality`.
    pub async fn service(&self, organizer: &User, code: &str) {
        let (s, b) = self
            .post("/api/v1/services", organizer, json!({"code": code, "name": format!("Usługa {code}"), "area": "social_assistance", "variant": "I"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }

    /// A resident registered at the desk.
    pub async fn resident(&self, desk: &User, pesel: &str) -> String {
        let (s, b) = self
            .post("/api/v1/residents", desk, json!({"pesel": pesel, "first_name": "Jan", "last_name": "Testowy", "address": "ul. Polna 1, 96-500 Sochaczew", "email": "jan.testowy@test.example"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["id"].as_str().unwrap().to_string()
    }
}

/// Valid PESEL numbers for tests (checksums computed).
pub fn pesel(n: u32) -> String {
    let base = format!("850101{:04}", 1000 + n % 9000);
    let w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = base
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

/// A cookie-carrying browser for page tests.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .client
            .post(format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
            .unwrap();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), location)
    }

    /// Signs in through the login page; returns the session's CSRF token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let (_, page) = self.get("/login").await;
        let csrf = csrf_of(&page);
        let (status, _, location) = self
            .post_form(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign in {email}");
        assert_eq!(location.as_deref(), Some("/"));
        let (_, home) = self.get("/").await;
        csrf_of(&home)
    }
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("page has a csrf field") + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// A message with its body decoded from quoted-printable or base64, so tests
/// read what the recipient reads.
pub fn decode_mail(raw: &str) -> String {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let lower = head.to_ascii_lowercase();
    let decoded = if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let mut bytes = vec![];
        let raw = joined.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'=' && i + 2 < raw.len() {
                if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    bytes.push(b);
                    i += 3;
                    continue;
                }
            }
            bytes.push(raw[i]);
            i += 1;
        }
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.to_string()
    };
    format!("{head}\n\n{decoded}")
}

/// A valid NIP for test organizations (checksum computed).
pub fn test_nip(n: u32) -> String {
    let base = format!("{:09}", 527_000_100 + n);
    let sum: u32 = base
        .chars()
        .zip([6, 5, 7, 2, 3, 4, 5, 6, 7])
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum::<u32>()
        % 11;
    if sum == 10 {
        test_nip(n + 1000)
    } else {
        format!("{base}{sum}")
    }
}

/// A valid 9-digit REGON for test organizations.
pub fn test_regon(n: u32) -> String {
    let base = format!("{:08}", 22_345_600 + n);
    let sum: u32 = base
        .chars()
        .zip([8, 9, 2, 3, 4, 5, 6, 7])
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum::<u32>()
        % 11
        % 10;
    format!("{base}{sum}")
}

/// The JSON of an organization with valid identifiers, number `n`.
pub fn organization_json(name: &str, n: u32) -> Value {
    json!({
        "name": name, "legal_form": "association", "nip": test_nip(n), "regon": test_regon(n),
        "address": "ul. Długa 1", "postal_code": "96-500", "city": "Sochaczew",
        "email": format!("biuro{n}@org.test.example"),
    })
}

impl TestApp {
    /// An organization registered by `organizer` in their municipality, and
    /// a signed-in NGO account of it.
    pub async fn organization(&self, organizer: &User, name: &str, n: u32) -> (String, User) {
        let email = format!("user{n}@org.test.example");
        self.ngo_account(organizer, organization_json(name, n), &email)
            .await
    }

    /// The organization `body` registered by `organizer`, and a signed-in
    /// NGO account `email` of it.
    pub async fn ngo_account(&self, organizer: &User, body: Value, email: &str) -> (String, User) {
        let (s, org) = self.post("/api/v1/organizations", organizer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{org}");
        let org_id = org["id"].as_str().unwrap().to_string();
        let (s, b) = self
            .post(
                &format!("/api/v1/organizations/{org_id}/users"),
                organizer,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let token = self.login(email, PASSWORD).await;
        let id = b["id"].as_str().unwrap().to_string();
        let email = email.to_string();
        (org_id, User { id, email, token })
    }

    /// Runs `f` on a pooled connection: set-up the API refuses (records an
    /// older version may have left) and checks of what was stored.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut cus_db::DbConn) -> T) -> T {
        let mut conn = self.state.pool.get().unwrap();
        f(&mut conn)
    }
}

/// Whether `text` holds a control character other than a CRLF line end.
pub fn has_bare_control(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        c.is_control()
            && !(c == '\r' && chars.get(i + 1) == Some(&'\n'))
            && !(c == '\n' && i > 0 && chars[i - 1] == '\r')
    })
}

/// The English messages of the range checks (`cus_db::bounds`).
pub const DATE_RANGE_EN: &str = "The date must fall within the years 1900 to 2200.";
pub const OUT_OF_RANGE_EN: &str = "The number is outside the allowed range.";

/// The first message of a 422 for `field`.
pub fn refusal(status: StatusCode, body: &Value, field: &str) -> String {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
    body["fields"][field][0]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is named: {body}"))
        .to_string()
}
