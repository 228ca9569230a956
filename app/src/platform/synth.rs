//! A synthetic deployment (`cus synth`, issue 8): municipalities with their
//! organizer, catalogue, residents, a year of requests and plans with their
//! history, organizations with competitions, offers, agreements, tranches
//! and reports, communities with their activities, and recipient surveys,
//! so that an assessment run exercises every formula at a realistic size.
//!
//! Deterministic: everything but the password hash (argon2 salts) comes
//! from one seeded generator; the ids are UUIDv7-shaped (ascending, as the
//! platform's own) from the generator. The year is the previous calendar
//! year. Rows go in as multi-row inserts in one transaction per backend
//! (diesel's MultiConnection takes no batch insert, hence the `match`).

use crate::plans::PlanStatus;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use contracting::agreements::AgreementStatus;
use contracting::competitions::CompetitionStatus;
use contracting::offers::OfferStatus;
use cus_db::schema::{
    activities, agreements, case_counters, communities, competitions, contract_commitments,
    district_workers, districts, household_members, households, municipalities, offers,
    organizations, plan_events, plan_items, plans, referral_events, referrals, reports,
    request_events, request_messages, requests, residents, services, social_contracts,
    survey_responses, surveys, tranches, users,
};
use cus_db::{DbConn, Role};
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::IsTerminal;
use std::time::{Duration as Elapsed, Instant};

pub const PASSWORD: &str = "synth-password-2026";

/// What to generate (the defaults of `cus synth`).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub municipalities: usize,
    pub residents: usize,
    pub plans: usize,
    pub organizations: usize,
    pub agreements: usize,
    pub seed: u64,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            municipalities: 20,
            residents: 100_000,
            plans: 100_000,
            organizations: 5_000,
            agreements: 20_000,
            seed: 1,
        }
    }
}

/// What was generated.
pub struct Summary {
    pub year: i32,
    /// (table, rows, time to generate and insert).
    pub tables: Vec<(&'static str, usize, Elapsed)>,
    /// (email, municipality TERYT, municipality name) of the organizers.
    pub logins: Vec<(String, String, String)>,
}

/// SQLite takes at most 32,766 bound values per statement.
const BINDS: usize = 30_000;

/// Inserts `$rows` (a Vec of tuples of `column.eq(value)`) into `$table` in
/// statements of at most `BINDS / $cols` rows, and empties it.
macro_rules! flush {
    ($out:expr, $table:expr, $rows:expr, $cols:expr) => {{
        let per = (BINDS / $cols).max(1);
        for chunk in $rows.chunks(per) {
            let insert = diesel::insert_into($table).values(chunk);
            let n = match &mut *$out.conn {
                DbConn::Sqlite(c) => insert.execute(c),
                DbConn::Pg(c) => insert.execute(c),
            }?;
            $out.advance(n);
        }
        $rows.clear();
    }};
}

/// Pushes a row and inserts the batch once it is full.
macro_rules! push {
    ($out:expr, $table:expr, $rows:expr, $cols:expr, $row:expr) => {{
        $rows.push($row);
        if $rows.len() >= (BINDS / $cols).max(1) {
            flush!($out, $table, $rows, $cols);
        }
    }};
}

/// The connection, the progress bar of the table being written, the tally.
struct Out<'c> {
    conn: &'c mut DbConn,
    bar: ProgressBar,
    visible: bool,
    table: &'static str,
    rows: usize,
    started: Instant,
    tables: Vec<(&'static str, usize, Elapsed)>,
}

impl Out<'_> {
    fn begin(&mut self, table: &'static str, expected: usize) {
        self.table = table;
        self.rows = 0;
        self.started = Instant::now();
        self.bar = if self.visible {
            let bar =
                ProgressBar::with_draw_target(Some(expected as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>16} [{bar:40}] {pos:>7}/{len:7} {elapsed_precise}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(table);
            bar
        } else {
            ProgressBar::hidden()
        };
    }

    fn advance(&mut self, n: usize) {
        self.rows += n;
        self.bar.set_position(self.rows as u64);
    }

    fn end(&mut self) {
        self.bar.finish_and_clear();
        let took = self.started.elapsed();
        println!(
            "{:<18} {:>9} rows {:>8.2} s",
            self.table,
            self.rows,
            took.as_secs_f64()
        );
        self.tables.push((self.table, self.rows, took));
    }
}

/// The generator: a seeded RNG and an ascending id clock.
struct Gen {
    rng: StdRng,
    clock: u64,
}

impl Gen {
    /// A UUIDv7-shaped id: ascending milliseconds, random tail.
    fn id(&mut self) -> String {
        self.clock += 1;
        let tail: [u8; 10] = self.rng.gen();
        uuid::Builder::from_unix_timestamp_millis(self.clock, &tail)
            .into_uuid()
            .to_string()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..=hi)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    /// An index into `n` items, favouring the first ones (some providers
    /// have many recipients, most a few).
    fn skewed(&mut self, n: usize) -> usize {
        let u: f64 = self.rng.gen();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    /// Office hours on a day `lo..=hi` days after `base`.
    fn office_in(&mut self, base: NaiveDate, lo: i64, hi: i64) -> NaiveDateTime {
        let d = base + Duration::days(self.int(lo, hi));
        self.office(d)
    }

    /// A time of day within office hours.
    fn office(&mut self, day: NaiveDate) -> NaiveDateTime {
        day.and_time(
            NaiveTime::from_num_seconds_from_midnight_opt(self.int(7 * 3600, 16 * 3600) as u32, 0)
                .expect("in a day"),
        )
    }
}

const TOWNS: [&str; 20] = [
    "Kutno",
    "Łowicz",
    "Skierniewice",
    "Zgierz",
    "Pabianice",
    "Sieradz",
    "Wieluń",
    "Radomsko",
    "Bełchatów",
    "Opoczno",
    "Rawa Mazowiecka",
    "Tomaszów Mazowiecki",
    "Łęczyca",
    "Poddębice",
    "Zduńska Wola",
    "Łask",
    "Piotrków Trybunalski",
    "Wieruszów",
    "Pajęczno",
    "Głowno",
];
const FIRST: [&str; 16] = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Zofia",
    "Jan",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Marek",
    "Stanisław",
];
const LAST: [&str; 16] = [
    "Nowak",
    "Kowalczyk",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
];
const STREETS: [&str; 8] = [
    "Polna",
    "Leśna",
    "Słoneczna",
    "Krótka",
    "Szkolna",
    "Ogrodowa",
    "Lipowa",
    "Kościuszki",
];
/// (code, name, area) of the catalogue every municipality gets.
const SERVICES: [(&str, &str, &str); 8] = [
    ("UO", "Usługi opiekuńcze", "social_assistance"),
    ("SUO", "Specjalistyczne usługi opiekuńcze", "disability"),
    ("POS", "Posiłki z dowozem", "social_assistance"),
    ("KIS", "Klub integracji społecznej", "reintegration"),
    ("AR", "Asystent rodziny", "family_support"),
    ("DDS", "Dzienny dom seniora", "social_assistance"),
    ("MCH", "Mieszkanie chronione", "housing"),
    ("PSY", "Wsparcie psychologiczne", "health"),
];
const LEGAL_FORMS: [&str; 5] = [
    "association",
    "foundation",
    "social_cooperative",
    "church_entity",
    "non_profit_company",
];
const ACTIVITY_KINDS: [&str; 5] = [
    "animation",
    "meeting",
    "volunteer_action",
    "integration_event",
    "training",
];
const DIMENSIONS: [&str; 3] = ["preventive", "inhibiting", "intervention"];

/// A PESEL with its check digit.
fn pesel(birth: NaiveDate, serial: u32) -> String {
    let month = birth.month() + if birth.year() >= 2000 { 20 } else { 0 };
    let digits = format!(
        "{:02}{:02}{:02}{:04}",
        birth.year() % 100,
        month,
        birth.day(),
        serial % 10_000
    );
    let sum: u32 = digits
        .bytes()
        .zip([1, 3, 7, 9, 1, 3, 7, 9, 1, 3])
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

/// A NIP with a valid check digit, unique by `n` (< 100,000).
fn nip(office: u32, n: usize) -> String {
    (0..10)
        .find_map(|k| {
            let digits = format!("{office:03}{n:05}{k}");
            let sum: u32 = digits
                .bytes()
                .zip([6, 5, 7, 2, 3, 4, 5, 6, 7])
                .map(|(d, w)| (d - b'0') as u32 * w)
                .sum();
            (sum % 11 != 10).then(|| format!("{digits}{}", sum % 11))
        })
        .expect("one of ten fits")
}

/// A 9-digit REGON with its check digit.
fn regon(n: usize, extra: u32) -> String {
    let digits = format!("{:07}{}", n % 10_000_000, extra % 10);
    let sum: u32 = digits
        .bytes()
        .zip([8, 9, 2, 3, 4, 5, 6, 7])
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    format!("{digits}{}", sum % 11 % 10)
}

/// `total` split over `weights` (largest remainder), at least one each
/// when there are enough.
fn split(total: usize, weights: &[f64]) -> Vec<usize> {
    let n = weights.len();
    let floor = if total >= n { 1 } else { 0 };
    let rest = total - floor * n;
    let sum: f64 = weights.iter().sum();
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| floor + (rest as f64 * w / sum) as usize)
        .collect();
    let mut i = 0;
    while counts.iter().sum::<usize>() < total {
        counts[i % n] += 1;
        i += 1;
    }
    counts
}

/// What later tables need of a municipality.
struct Muni {
    teryt: String,
    name: String,
    organizer: String,
    postal: String,
    /// (id, code)
    services: Vec<(String, &'static str)>,
    residents: Vec<String>,
    /// (id, name)
    orgs: Vec<(String, String)>,
    agreements: Vec<Agr>,
    counts: Counts,
}

#[derive(Clone, Copy)]
struct Counts {
    residents: usize,
    plans: usize,
    organizations: usize,
    agreements: usize,
}

struct Agr {
    id: String,
    start: NaiveDate,
    end: NaiveDate,
    hours: bool,
    service: &'static str,
    org: usize,
}

/// A plan to be: its request and its milestones.
struct PlanSeed {
    request: String,
    resident: usize,
    service: usize,
    filed: NaiveDateTime,
    routed: Option<NaiveDateTime>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid day")
}

fn at(d: NaiveDate, h: u32) -> NaiveDateTime {
    d.and_hms_opt(h, 0, 0).expect("a valid hour")
}

/// Fills an empty, migrated database. Refuses one that has municipalities.
pub fn generate(conn: &mut DbConn, sizes: Sizes) -> Result<Summary, String> {
    let taken: i64 = municipalities::table
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    if taken > 0 {
        return Err(format!(
            "the database is not empty ({taken} municipalities): `cus synth` fills only an empty one"
        ));
    }
    let m = sizes.municipalities;
    if !(1..=500).contains(&m) {
        return Err("--municipalities: from 1 to 500".into());
    }
    if sizes.plans > 0 && sizes.residents < m {
        return Err("--residents: at least one per municipality when there are plans".into());
    }
    if sizes.agreements > 0 && sizes.organizations < m {
        return Err(
            "--organizations: at least one per municipality when there are agreements".into(),
        );
    }
    if sizes.organizations >= 100_000 {
        return Err("--organizations: fewer than 100,000".into());
    }
    let hash = crate::platform::auth::hash_password(PASSWORD);
    let year = cus_db::today().year() - 1;
    let mut g = Gen {
        rng: StdRng::seed_from_u64(sizes.seed),
        clock: at(day(year, 1, 1), 0).and_utc().timestamp_millis() as u64,
    };
    let visible = std::io::stderr().is_terminal();
    let (munis, tables) = cus_db::transaction::<_, diesel::result::Error, _>(conn, |c| {
        let mut out = Out {
            conn: c,
            bar: ProgressBar::hidden(),
            visible,
            table: "",
            rows: 0,
            started: Instant::now(),
            tables: Vec::new(),
        };
        let munis = fill(&mut out, &mut g, sizes, year, &hash)?;
        Ok((munis, out.tables))
    })
    .map_err(|e| e.to_string())?;
    if let DbConn::Pg(c) = conn {
        // What autovacuum does shortly after a bulk load: statistics for
        // the planner and the visibility map for index-only scans.
        let started = Instant::now();
        diesel::sql_query("VACUUM ANALYZE")
            .execute(c)
            .map_err(|e| e.to_string())?;
        println!(
            "{:<18} {:>9}      {:>8.2} s",
            "VACUUM ANALYZE",
            "",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Summary {
        year,
        tables,
        logins: munis
            .into_iter()
            .map(|m| {
                (
                    format!("organizer.{}@synth.example", m.teryt),
                    m.teryt,
                    m.name,
                )
            })
            .collect(),
    })
}

/// What the steps of a fill share: where the rows go, the generator, the
/// year, and what the earlier steps made.
/// An agreement drawn before it is written: most come from an offer in a
/// competition.
struct AgrRow {
    offer: Option<(usize, String)>,
    mode: &'static str,
    status: AgreementStatus,
    capacity: Option<(&'static str, i32)>,
    yearly_grosze: i64,
}

struct Fill<'o, 'c> {
    out: &'o mut Out<'c>,
    g: &'o mut Gen,
    sizes: Sizes,
    year: i32,
    hash: &'o str,
    now: NaiveDateTime,
    today: NaiveDate,
    jan1: NaiveDate,
    days_in_year: i64,
    created: NaiveDateTime,
    n: usize,
    /// Residents, plans, organizations and agreements of each municipality.
    res: Vec<usize>,
    pl: Vec<usize>,
    org: Vec<usize>,
    agr: Vec<usize>,
    munis: Vec<Muni>,
    drafts: Vec<Vec<AgrRow>>,
    seeds: Vec<Vec<PlanSeed>>,
    extras: Vec<Vec<PlanSeed>>,
}

fn fill(
    out: &mut Out,
    g: &mut Gen,
    sizes: Sizes,
    year: i32,
    hash: &str,
) -> Result<Vec<Muni>, diesel::result::Error> {
    let now = cus_db::now();
    let today = now.date();
    let jan1 = day(year, 1, 1);
    let days_in_year = (day(year + 1, 1, 1) - jan1).num_days();
    let created = at(day(year - 1, 12, 1), 8);
    let n = sizes.municipalities;
    let weights: Vec<f64> = (0..n).map(|_| g.rng.gen_range(0.5..1.5)).collect();
    let (res, pl, org, agr) = (
        split(sizes.residents, &weights),
        split(sizes.plans, &weights),
        split(sizes.organizations, &weights),
        split(sizes.agreements, &weights),
    );

    let mut f = Fill {
        out,
        g,
        sizes,
        year,
        hash,
        now,
        today,
        jan1,
        days_in_year,
        created,
        n,
        res,
        pl,
        org,
        agr,
        munis: Vec::with_capacity(n),
        drafts: Vec::with_capacity(n),
        seeds: Vec::with_capacity(n),
        extras: Vec::with_capacity(n),
    };
    municipalities(&mut f)?;
    residents(&mut f)?;
    organizations(&mut f)?;
    contracting(&mut f)?;
    requests(&mut f)?;
    plans(&mut f)?;
    close_requests_of_closed_plans(f.out.conn)?;
    reports(&mut f)?;
    communities(&mut f)?;
    surveys(&mut f)?;
    social_work(&mut f)?;
    Ok(f.munis)
}

/// A plan's close closes its request (as `plans::transition` does); the
/// requests were written before the plans decided it.
fn close_requests_of_closed_plans(conn: &mut DbConn) -> Result<(), diesel::result::Error> {
    let closed = plans::table
        .filter(plans::status.eq(PlanStatus::Closed))
        .select(plans::request_id);
    diesel::update(requests::table.filter(requests::id.nullable().eq_any(closed)))
        .set(requests::status.eq(crate::window::RequestStatus::Closed))
        .execute(conn)?;
    Ok(())
}

/// The municipalities, their organizers and their catalogues.
fn municipalities(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let created = f.created;
    let n = f.n;
    let hash = f.hash;
    let Fill {
        out,
        g,
        munis,
        res,
        pl,
        org,
        agr,
        ..
    } = f;
    // Municipalities and their organizers.
    out.begin("municipalities", n);
    let mut rows = Vec::new();
    for i in 0..n {
        let woj = 2 * (i % 16) + 2;
        let powiat = (i / 16) * 3 + g.int(1, 3) as usize;
        let teryt = format!("{woj:02}{powiat:02}{:02}{}", g.int(1, 15), g.int(1, 3));
        let name = match i / TOWNS.len() {
            0 => TOWNS[i].to_string(),
            k => format!("{} {}", TOWNS[i % TOWNS.len()], k + 1),
        };
        rows.push((
            municipalities::teryt.eq(teryt.clone()),
            municipalities::name.eq(name.clone()),
            municipalities::created_at.eq(created),
        ));
        munis.push(Muni {
            postal: format!("{:02}-{:03}", 90 + i % 10, g.int(100, 999)),
            teryt,
            name,
            organizer: String::new(),
            services: Vec::new(),
            residents: Vec::new(),
            orgs: Vec::new(),
            agreements: Vec::new(),
            counts: Counts {
                residents: res[i],
                plans: pl[i],
                organizations: org[i],
                agreements: agr[i],
            },
        });
    }
    flush!(out, municipalities::table, rows, 3);
    out.end();

    out.begin("users", n);
    let mut rows = Vec::new();
    for mu in munis.iter_mut() {
        mu.organizer = g.id();
        rows.push((
            users::id.eq(mu.organizer.clone()),
            users::email.eq(format!("organizer.{}@synth.example", mu.teryt)),
            users::password_hash.eq(hash.to_string()),
            users::role.eq(Role::Organizer.as_str()),
            users::municipality.eq(Some(mu.teryt.clone())),
            users::organization_id.eq(None::<String>),
            users::display_name.eq(format!("Organizator {}", mu.name)),
            users::locale.eq("pl"),
            users::email_confirmed_at.eq(Some(created)),
            users::disabled.eq(false),
            users::created_at.eq(created),
        ));
    }
    flush!(out, users::table, rows, 11);
    out.end();

    out.begin("services", n * SERVICES.len());
    let mut rows = Vec::new();
    for mu in munis.iter_mut() {
        for (code, name, area) in SERVICES {
            let id = g.id();
            mu.services.push((id.clone(), code));
            rows.push((
                services::id.eq(id),
                services::municipality.eq(mu.teryt.clone()),
                services::code.eq(code),
                services::name.eq(name),
                services::area.eq(area),
                services::standard.eq("Standard usługi według programu gminnego."),
                services::variant.eq(*g.pick(&["I", "II", "III"])),
                services::phase.eq("III"),
                services::fee_rule.eq("Odpłatność według kryterium dochodowego."),
                services::access_criteria.eq("Mieszkańcy gminy w potrzebie."),
                services::active.eq(true),
                services::created_at.eq(created),
                services::updated_at.eq(created),
            ));
        }
    }
    flush!(out, services::table, rows, 13);
    out.end();
    Ok(())
}

/// Residents, spread over the municipalities by weight.
fn residents(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let jan1 = f.jan1;
    let sizes = f.sizes;
    let Fill { out, g, munis, .. } = f;
    out.begin("residents", sizes.residents);
    let mut rows = Vec::new();
    let mut serial = 0usize;
    for mu in munis.iter_mut() {
        for _ in 0..mu.counts.residents {
            let id = g.id();
            mu.residents.push(id.clone());
            // (birth day, serial) unique for the first 200 million.
            let birth = day(1940, 1, 1) + Duration::days((serial % 20_000) as i64);
            let p = (!g.chance(0.02)).then(|| pesel(birth, ((serial / 20_000) * 1013 + 17) as u32));
            serial += 1;
            let first = *g.pick(&FIRST);
            let last = *g.pick(&LAST);
            push!(
                out,
                residents::table,
                rows,
                9,
                (
                    residents::id.eq(id),
                    residents::municipality.eq(mu.teryt.clone()),
                    residents::pesel.eq(p),
                    residents::first_name.eq(first),
                    residents::last_name.eq(last),
                    residents::address.eq(format!(
                        "ul. {} {}, {} {}",
                        g.pick(&STREETS),
                        g.int(1, 120),
                        mu.postal,
                        mu.name
                    )),
                    residents::email.eq(None::<String>),
                    residents::phone.eq(g
                        .chance(0.6)
                        .then(|| format!("+48 {}", g.int(500_000_000, 899_999_999)))),
                    residents::created_at.eq(g.office_in(jan1, -700, -1)),
                )
            );
        }
    }
    flush!(out, residents::table, rows, 9);
    out.end();
    Ok(())
}

/// Organizations of each municipality, with their accounts.
fn organizations(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let created = f.created;
    let sizes = f.sizes;
    let Fill { out, g, munis, .. } = f;
    out.begin("organizations", sizes.organizations);
    let mut rows = Vec::new();
    let mut k = 0usize;
    for mu in munis.iter_mut() {
        for j in 0..mu.counts.organizations {
            let id = g.id();
            let form = *g.pick(&LEGAL_FORMS);
            let name = match form {
                "association" => format!("Stowarzyszenie Pomocy {} nr {}", mu.name, j + 1),
                "foundation" => format!("Fundacja Razem dla {} {}", mu.name, j + 1),
                "social_cooperative" => format!("Spółdzielnia Socjalna {} {}", mu.name, j + 1),
                "church_entity" => format!("Caritas Parafii {} {}", mu.name, j + 1),
                _ => format!("Centrum Usług {} sp. z o.o. {}", mu.name, j + 1),
            };
            mu.orgs.push((id.clone(), name.clone()));
            push!(
                out,
                organizations::table,
                rows,
                15,
                (
                    organizations::id.eq(id),
                    organizations::municipality.eq(mu.teryt.clone()),
                    organizations::name.eq(name),
                    organizations::legal_form.eq(form),
                    organizations::krs
                        .eq((form != "church_entity").then(|| format!("{:010}", 100_000 + k))),
                    organizations::nip.eq(nip(g.int(101, 999) as u32, k)),
                    organizations::regon.eq(regon(k, g.int(0, 9) as u32)),
                    organizations::address.eq(format!("ul. {} {}", g.pick(&STREETS), g.int(1, 80))),
                    organizations::postal_code.eq(mu.postal.clone()),
                    organizations::city.eq(mu.name.clone()),
                    organizations::email.eq(format!("biuro{k}@ngo.synth.example")),
                    organizations::phone.eq(g
                        .chance(0.5)
                        .then(|| format!("+48 {}", g.int(420_000_000, 449_999_999)))),
                    organizations::iban.eq(None::<String>),
                    organizations::alerts.eq(false),
                    organizations::created_at.eq(created),
                )
            );
            k += 1;
        }
    }
    flush!(out, organizations::table, rows, 15);
    out.end();
    Ok(())
}

/// Competitions, offers, agreements and their tranches.
fn contracting(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let year = f.year;
    let n = f.n;
    let sizes = f.sizes;
    let Fill {
        out,
        g,
        munis,
        drafts,
        ..
    } = f;
    // Agreements first in memory: most come from an offer in a competition,
    // and a competition takes one offer per organization.
    for mu in munis.iter_mut() {
        let orgs = mu.orgs.len();
        let mut list = Vec::with_capacity(mu.counts.agreements);
        let mut offered = 0usize;
        for _ in 0..mu.counts.agreements {
            let (start, end) = match g.int(0, 99) {
                0..=39 => (day(year, 1, 1), day(year, 12, 31)),
                40..=69 => (day(year - 1, 1, 1), day(year + 1, 12, 31)),
                70..=89 => (day(year, 7, 1), day(year + 1, 6, 30)),
                _ => (day(year - 1, 3, 1), day(year, 11, 30)),
            };
            let with_offer = g.chance(0.8);
            let org = if with_offer {
                offered += 1;
                (offered - 1) % orgs
            } else {
                g.rng.gen_range(0..orgs)
            };
            let service = SERVICES[g.rng.gen_range(0..SERVICES.len())].0;
            let hours = g.chance(0.4);
            let capacity = match g.int(0, 19) {
                0 => None,
                _ if hours => Some(("hours", g.int(200, 2000) as i32)),
                _ => Some(("places", g.int(3, 15) as i32)),
            };
            let status = match g.int(0, 99) {
                0..=1 => AgreementStatus::PublicComment,
                2 => AgreementStatus::Terminated,
                _ => AgreementStatus::Active,
            };
            let id = g.id();
            mu.agreements.push(Agr {
                id,
                start,
                end,
                hours: capacity.is_some_and(|(u, _)| u == "hours"),
                service,
                org,
            });
            list.push(AgrRow {
                offer: with_offer.then(|| ((offered - 1) / orgs, g.id())),
                mode: if with_offer {
                    "competition"
                } else {
                    *g.pick(&["small_grant", "partnership", "own"])
                },
                status,
                capacity,
                yearly_grosze: g.int(30_000, 600_000) * 100,
            });
        }
        drafts.push(list);
    }

    let competitions_total: usize = drafts
        .iter()
        .map(|d| {
            d.iter()
                .filter_map(|a| a.offer.as_ref().map(|o| o.0 + 1))
                .max()
                .unwrap_or(0)
        })
        .sum();
    out.begin("competitions", competitions_total);
    let mut comp_ids: Vec<Vec<String>> = Vec::with_capacity(n);
    let mut rows = Vec::new();
    for (mu, d) in munis.iter().zip(drafts.iter()) {
        let count = d
            .iter()
            .filter_map(|a| a.offer.as_ref().map(|o| o.0 + 1))
            .max()
            .unwrap_or(0);
        let mut ids = Vec::with_capacity(count);
        for c in 0..count {
            let id = g.id();
            ids.push(id.clone());
            let (code, name, _) = SERVICES[c % SERVICES.len()];
            let published = at(day(year - 1, 10, 1), 9) + Duration::days(c as i64 % 60);
            push!(
                out,
                competitions::table,
                rows,
                22,
                (
                    competitions::id.eq(id),
                    competitions::municipality.eq(mu.teryt.clone()),
                    competitions::program_id.eq(None::<String>),
                    competitions::title.eq(format!("Otwarty konkurs ofert nr {}: {name}", c + 1)),
                    competitions::task.eq(name),
                    competitions::service_code.eq(Some(code)),
                    competitions::financing.eq(*g.pick(&["co_financing", "full_financing"])),
                    competitions::funds_grosze.eq(g.int(1_000_000, 20_000_000) * 100),
                    competitions::period_start.eq(day(year - 1, 1, 1)),
                    competitions::period_end.eq(day(year + 1, 12, 31)),
                    competitions::offer_deadline.eq(published.date() + Duration::days(21)),
                    competitions::award_rules.eq("Według kryteriów ogłoszenia."),
                    competitions::conditions
                        .eq("Zgodnie z ustawą o działalności pożytku publicznego."),
                    competitions::award_procedure.eq("Komisja konkursowa."),
                    competitions::prior_funding.eq(""),
                    competitions::status.eq(CompetitionStatus::Resolved),
                    competitions::published_at.eq(Some(published)),
                    competitions::resolved_at.eq(Some(published + Duration::days(40))),
                    competitions::cancel_reason.eq(None::<String>),
                    competitions::created_by.eq(mu.organizer.clone()),
                    competitions::created_at.eq(published),
                    competitions::updated_at.eq(published + Duration::days(40)),
                )
            );
        }
        comp_ids.push(ids);
    }
    flush!(out, competitions::table, rows, 22);
    out.end();

    out.begin(
        "offers",
        drafts
            .iter()
            .flatten()
            .filter(|a| a.offer.is_some())
            .count(),
    );
    let mut rows = Vec::new();
    for ((mu, d), comps) in munis.iter().zip(drafts.iter()).zip(&comp_ids) {
        for (a, row) in mu.agreements.iter().zip(d) {
            let Some((c, offer_id)) = &row.offer else {
                continue;
            };
            let years = (a.end.year() - a.start.year() + 1) as i64;
            let requested = row.yearly_grosze * years;
            let own = requested * g.int(0, 25) / 100;
            let in_kind = requested * g.int(0, 10) / 100;
            let stamp = at(day(year - 1, 11, 15), 10);
            push!(
                out,
                offers::table,
                rows,
                20,
                (
                    offers::id.eq(offer_id.clone()),
                    offers::competition_id.eq(comps[*c].clone()),
                    offers::organization_id.eq(mu.orgs[a.org].0.clone()),
                    offers::title.eq(format!("Realizacja zadania: {}", a.service)),
                    offers::description.eq("Opis zadania publicznego."),
                    offers::schedule.eq("Cały okres realizacji."),
                    offers::expected_results.eq("Wsparcie mieszkańców gminy."),
                    offers::indicators.eq("[]"),
                    offers::bidder_profile.eq("Doświadczenie w pracy z mieszkańcami."),
                    offers::requested_grosze.eq(requested),
                    offers::own_contribution_grosze.eq(own),
                    offers::in_kind_grosze.eq(in_kind),
                    offers::volunteer_hours.eq(g.int(0, 400) as i32),
                    offers::declarations.eq(true),
                    offers::status.eq(OfferStatus::Awarded),
                    offers::formal_note.eq(None::<String>),
                    offers::awarded_grosze.eq(g.chance(0.7).then_some(requested)),
                    offers::created_by.eq(mu.organizer.clone()),
                    offers::created_at.eq(stamp),
                    offers::updated_at.eq(stamp),
                )
            );
        }
    }
    flush!(out, offers::table, rows, 20);
    out.end();

    out.begin("agreements", sizes.agreements);
    let mut rows = Vec::new();
    for ((mu, d), comps) in munis.iter().zip(drafts.iter()).zip(&comp_ids) {
        for (i, (a, row)) in mu.agreements.iter().zip(d).enumerate() {
            let signed = at(a.start - Duration::days(g.int(5, 30)), 12);
            let ended_in_year = a.end.year() == year && row.status == AgreementStatus::Active;
            push!(
                out,
                agreements::table,
                rows,
                21,
                (
                    agreements::id.eq(a.id.clone()),
                    agreements::municipality.eq(mu.teryt.clone()),
                    agreements::organization_id.eq(mu.orgs[a.org].0.clone()),
                    agreements::competition_id.eq(row.offer.as_ref().map(|o| comps[o.0].clone())),
                    agreements::offer_id.eq(row.offer.as_ref().map(|o| o.1.clone())),
                    agreements::number.eq(format!(
                        "UM/{}/{}/{:05}",
                        mu.teryt,
                        a.start.year(),
                        i + 1
                    )),
                    agreements::title.eq(format!("Umowa na realizację zadania {}", a.service)),
                    agreements::mode.eq(row.mode),
                    agreements::financing.eq(*g.pick(&["co_financing", "full_financing"])),
                    agreements::start_date.eq(a.start),
                    agreements::end_date.eq(a.end),
                    agreements::indicators.eq("[]"),
                    agreements::capacity_unit.eq(row.capacity.map(|c| c.0)),
                    agreements::capacity_per_year.eq(row.capacity.map(|c| c.1)),
                    agreements::status.eq(if ended_in_year {
                        AgreementStatus::Reported
                    } else {
                        row.status
                    }),
                    agreements::public_comment_until
                        .eq((row.status == AgreementStatus::PublicComment)
                            .then(|| a.start - Duration::days(1))),
                    agreements::terminated_at.eq((row.status == AgreementStatus::Terminated)
                        .then(|| at(a.start + Duration::days(120), 12))),
                    agreements::termination_reason.eq((row.status == AgreementStatus::Terminated)
                        .then_some("Rozwiązanie za porozumieniem stron.")),
                    agreements::created_by.eq(mu.organizer.clone()),
                    agreements::created_at.eq(signed),
                    agreements::updated_at.eq(signed),
                )
            );
        }
    }
    flush!(out, agreements::table, rows, 21);
    out.end();

    out.begin("tranches", sizes.agreements * 2);
    let mut rows = Vec::new();
    for (mu, d) in munis.iter().zip(drafts.iter()) {
        for (a, row) in mu.agreements.iter().zip(d) {
            for y in a.start.year()..=a.end.year() {
                push!(
                    out,
                    tranches::table,
                    rows,
                    4,
                    (
                        tranches::id.eq(g.id()),
                        tranches::agreement_id.eq(a.id.clone()),
                        tranches::year.eq(y),
                        tranches::amount_grosze.eq(row.yearly_grosze * g.int(90, 110) / 100),
                    )
                );
            }
        }
    }
    flush!(out, tranches::table, rows, 4);
    out.end();
    Ok(())
}

/// A year of requests and the case counters.
fn requests(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let year = f.year;
    let jan1 = f.jan1;
    let days_in_year = f.days_in_year;
    let n = f.n;
    let Fill {
        out,
        g,
        munis,
        seeds,
        extras,
        ..
    } = f;
    // A year of requests: one behind every plan, and a tenth more that
    // went elsewhere; case numbers in order of filing.
    for mu in munis.iter() {
        let make = |g: &mut Gen, count: usize, routed_share: f64| -> Vec<PlanSeed> {
            let mut v: Vec<PlanSeed> = (0..count)
                .map(|_| {
                    let filed = g.office_in(jan1, 0, days_in_year - 1);
                    let routed = g.chance(routed_share).then(|| {
                        let slow = if g.chance(0.7) { 2 * 1440 } else { 9 * 1440 };
                        filed + Duration::minutes(g.int(30, slow))
                    });
                    PlanSeed {
                        request: String::new(),
                        resident: g.rng.gen_range(0..mu.residents.len().max(1)),
                        service: g.rng.gen_range(0..SERVICES.len()),
                        filed,
                        routed,
                    }
                })
                .collect();
            v.sort_by_key(|s| s.filed);
            v
        };
        seeds.push(make(g, mu.counts.plans, 1.0));
        let extra = if mu.residents.is_empty() {
            0
        } else {
            mu.counts.plans / 10
        };
        extras.push(make(g, extra, 0.7));
    }
    let total_requests: usize = seeds.iter().chain(extras.iter()).map(Vec::len).sum();
    out.begin("requests", total_requests);
    let mut rows = Vec::new();
    let mut counters = Vec::new();
    for (mi, mu) in munis.iter().enumerate() {
        // Merge the two lists by filing time for the case numbers.
        let mut order: Vec<(NaiveDateTime, bool, usize)> = seeds[mi]
            .iter()
            .enumerate()
            .map(|(i, s)| (s.filed, true, i))
            .chain(
                extras[mi]
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.filed, false, i)),
            )
            .collect();
        order.sort();
        for (number, (_, planned, i)) in order.iter().enumerate() {
            let id = g.id();
            let s = if *planned {
                &mut seeds[mi][*i]
            } else {
                &mut extras[mi][*i]
            };
            s.request = id.clone();
            let (status, role) = match (planned, s.routed) {
                (true, _) => ("planning", Some("coordinator")),
                (false, Some(_)) => ("routed", Some(*g.pick(&["social_worker", "benefits"]))),
                (false, None) => ("submitted", None),
            };
            push!(
                out,
                requests::table,
                rows,
                13,
                (
                    requests::id.eq(id),
                    requests::municipality.eq(mu.teryt.clone()),
                    requests::case_number.eq(format!("CUS/{}/{year}/{:05}", mu.teryt, number + 1)),
                    requests::resident_id.eq(mu.residents[s.resident].clone()),
                    requests::service_id.eq(Some(mu.services[s.service].0.clone())),
                    requests::description.eq("Wniosek o usługę społeczną."),
                    requests::channel.eq(*g.pick(&["online", "desk"])),
                    requests::status.eq(status),
                    requests::assigned_role.eq(role),
                    requests::deadline.eq(s.filed.date() + Duration::days(14)),
                    requests::created_by.eq(mu.organizer.clone()),
                    requests::created_at.eq(s.filed),
                    requests::updated_at.eq(s.routed.unwrap_or(s.filed)),
                )
            );
        }
        counters.push((
            case_counters::municipality.eq(mu.teryt.clone()),
            case_counters::year.eq(year),
            case_counters::last_number.eq(order.len() as i32),
        ));
    }
    flush!(out, requests::table, rows, 13);
    out.end();
    out.begin("case_counters", n);
    flush!(out, case_counters::table, counters, 3);
    out.end();
    Ok(())
}

/// Plans with their items and the history of plans and requests.
fn plans(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let now = f.now;
    let today = f.today;
    let n = f.n;
    let sizes = f.sizes;
    let Fill {
        out,
        g,
        munis,
        seeds,
        extras,
        ..
    } = f;
    // Plans: most approved (most within the deadline), some closed with an
    // outcome, the others due for review with or without one.
    struct PlanRow {
        id: String,
        created: NaiveDateTime,
        approved: Option<NaiveDateTime>,
        closed: Option<(NaiveDateTime, &'static str)>,
        review: Option<NaiveDate>,
        reviewed: Option<NaiveDateTime>,
    }
    let mut plan_rows: Vec<Vec<PlanRow>> = Vec::with_capacity(n);
    out.begin("plans", sizes.plans);
    let mut rows = Vec::new();
    for (mi, mu) in munis.iter().enumerate() {
        let mut list = Vec::with_capacity(seeds[mi].len());
        for s in &seeds[mi] {
            let id = g.id();
            let routed = s.routed.unwrap_or(s.filed);
            let created = routed + Duration::minutes(g.int(60, 3 * 1440));
            let applied = s.filed.date();
            let approved = g.chance(0.85).then(|| {
                let days = if g.chance(0.8) {
                    g.int(3, 30)
                } else {
                    g.int(31, 75)
                };
                g.office(applied + Duration::days(days))
                    .max(created + Duration::days(1))
            });
            let approved = approved.filter(|a| *a <= now);
            let closed = approved.and_then(|a| {
                g.chance(0.35).then(|| {
                    let outcome = match g.int(0, 99) {
                        0..=29 => "goals_achieved",
                        30..=49 => "employment",
                        50..=74 => "partially_achieved",
                        75..=84 => "not_achieved",
                        85..=94 => "resident_withdrew",
                        _ => "moved_away",
                    };
                    (a + Duration::days(g.int(60, 330)), outcome)
                })
            });
            let closed = closed.filter(|(c, _)| *c <= now);
            let review = match (approved, closed) {
                (Some(a), None) => Some(a.date() + Duration::days(g.int(90, 180))),
                _ => None,
            };
            let reviewed = review.and_then(|r| {
                let done = if g.chance(0.8) {
                    r - Duration::days(g.int(0, 14))
                } else {
                    r + Duration::days(g.int(1, 30))
                };
                let done = g
                    .office(done)
                    .max(approved.expect("reviewed after approval"));
                (g.chance(0.75) && done <= now && r < today).then_some(done)
            });
            let status = match (approved, closed, reviewed) {
                (_, Some(_), _) => PlanStatus::Closed,
                (Some(_), None, Some(_)) => PlanStatus::Review,
                (Some(_), None, None) => PlanStatus::Active,
                (None, _, _) if g.chance(0.6) => PlanStatus::Agreed,
                _ => PlanStatus::Draft,
            };
            let consent = match (status, approved) {
                (PlanStatus::Draft, _) => None,
                (_, Some(a)) => Some(a - Duration::days(1)),
                _ => Some(created + Duration::days(2)),
            };
            let updated = closed
                .map(|c| c.0)
                .or(reviewed)
                .or(approved)
                .or(consent)
                .unwrap_or(created);
            push!(
                out,
                plans::table,
                rows,
                21,
                (
                    plans::id.eq(id.clone()),
                    plans::municipality.eq(mu.teryt.clone()),
                    plans::resident_id.eq(mu.residents[s.resident].clone()),
                    plans::request_id.eq(Some(s.request.clone())),
                    plans::coordinator_id.eq(mu.organizer.clone()),
                    plans::status.eq(status),
                    plans::goals.eq(
                        r#"["Samodzielność w codziennym funkcjonowaniu","Aktywizacja zawodowa"]"#
                    ),
                    plans::needs.eq("Wsparcie w codziennych czynnościach."),
                    plans::resident_commitments.eq("Udział w zajęciach."),
                    plans::application_date.eq(applied),
                    plans::deadline.eq(applied + Duration::days(30)),
                    plans::review_date.eq(review),
                    plans::consent_at.eq(consent),
                    plans::consent_recorded_by.eq(consent.map(|_| mu.organizer.clone())),
                    plans::approved_by.eq(approved.map(|_| mu.organizer.clone())),
                    plans::approved_at.eq(approved),
                    plans::closing_summary.eq(closed.map(|_| "Plan zakończony.")),
                    plans::outcome.eq(closed.map(|c| c.1)),
                    plans::overdue.eq(false),
                    plans::created_at.eq(created),
                    plans::updated_at.eq(updated),
                )
            );
            list.push(PlanRow {
                id,
                created,
                approved,
                closed,
                review,
                reviewed,
            });
        }
        plan_rows.push(list);
    }
    flush!(out, plans::table, rows, 21);
    out.end();

    let total_requests: usize = seeds.iter().chain(extras.iter()).map(Vec::len).sum();
    out.begin("request_events", total_requests * 3);
    let mut rows = Vec::new();
    for (mi, mu) in munis.iter().enumerate() {
        let planned = seeds[mi].iter().zip(plan_rows[mi].iter().map(Some));
        let other = extras[mi].iter().zip(std::iter::repeat(None));
        for (s, plan) in planned.chain(other) {
            let mut events: Vec<(&str, Option<&str>, NaiveDateTime)> =
                vec![("submitted", None, s.filed)];
            if let Some(r) = s.routed {
                let role = if plan.is_some() {
                    "coordinator"
                } else {
                    *g.pick(&["social_worker", "benefits"])
                };
                events.push(("routed", Some(role), r));
            }
            if let Some(p) = plan {
                events.push(("planning", Some("coordinator"), p.created));
                if let Some((c, _)) = p.closed {
                    events.push(("closed", Some("coordinator"), c));
                }
            }
            for (status, role, when) in events {
                push!(
                    out,
                    request_events::table,
                    rows,
                    7,
                    (
                        request_events::id.eq(g.id()),
                        request_events::request_id.eq(s.request.clone()),
                        request_events::actor_id.eq(Some(mu.organizer.clone())),
                        request_events::status.eq(status),
                        request_events::assigned_role.eq(role),
                        request_events::note.eq(""),
                        request_events::at.eq(when),
                    )
                );
            }
        }
    }
    flush!(out, request_events::table, rows, 7);
    out.end();

    out.begin("plan_items", sizes.plans * 3 / 2);
    let mut rows = Vec::new();
    for (mi, mu) in munis.iter().enumerate() {
        for (s, p) in seeds[mi].iter().zip(&plan_rows[mi]) {
            let start = p
                .approved
                .map(|a| a.date())
                .unwrap_or(s.filed.date() + Duration::days(30));
            for k in 0..g.int(1, 2) {
                let linked = (!mu.agreements.is_empty() && g.chance(0.75))
                    .then(|| &mu.agreements[g.skewed(mu.agreements.len())]);
                let service = match linked {
                    Some(a) => mu
                        .services
                        .iter()
                        .position(|(_, c)| *c == a.service)
                        .unwrap_or(0),
                    None if k == 0 => s.service,
                    None => g.rng.gen_range(0..SERVICES.len()),
                };
                let hours = match linked {
                    Some(a) if a.hours => Some(g.int(8, 60) as i32),
                    _ => g.chance(0.2).then(|| g.int(4, 20) as i32),
                };
                let provider = match linked {
                    Some(a) => mu.orgs[a.org].1.clone(),
                    None => format!("OPS {}", mu.name),
                };
                push!(
                    out,
                    plan_items::table,
                    rows,
                    10,
                    (
                        plan_items::id.eq(g.id()),
                        plan_items::plan_id.eq(p.id.clone()),
                        plan_items::service_id.eq(mu.services[service].0.clone()),
                        plan_items::provider.eq(provider),
                        plan_items::provider_agreement_id.eq(linked.map(|a| a.id.clone())),
                        plan_items::frequency.eq(*g.pick(&[
                            "codziennie",
                            "2 razy w tygodniu",
                            "raz w tygodniu"
                        ])),
                        plan_items::hours_per_month.eq(hours),
                        plan_items::start_date.eq(start),
                        plan_items::end_date.eq(start + Duration::days(g.int(90, 365))),
                        plan_items::created_at.eq(p.created),
                    )
                );
            }
        }
    }
    flush!(out, plan_items::table, rows, 10);
    out.end();

    out.begin("plan_events", sizes.plans * 4);
    let mut rows = Vec::new();
    for (mu, list) in munis.iter().zip(&plan_rows) {
        for p in list {
            let mut events: Vec<(Option<&str>, &str, NaiveDateTime)> =
                vec![(None, "draft", p.created)];
            if let Some(a) = p.approved {
                events.push((Some("draft"), "agreed", a - Duration::days(1)));
                events.push((Some("agreed"), "approved", a));
                events.push((Some("approved"), "active", a + Duration::hours(1)));
                if let Some(r) = p.reviewed {
                    events.push((Some("active"), "review", r.max(a + Duration::hours(2))));
                }
                if let Some((c, _)) = p.closed {
                    events.push((Some("active"), "closed", c));
                }
            } else if p.review.is_none() && g.chance(0.6) {
                events.push((Some("draft"), "agreed", p.created + Duration::days(2)));
            }
            for (from, to, when) in events {
                push!(
                    out,
                    plan_events::table,
                    rows,
                    7,
                    (
                        plan_events::id.eq(g.id()),
                        plan_events::plan_id.eq(p.id.clone()),
                        plan_events::actor_id.eq(mu.organizer.clone()),
                        plan_events::from_status.eq(from),
                        plan_events::to_status.eq(to),
                        plan_events::note.eq(if to == "closed" {
                            "Plan zakończony."
                        } else {
                            ""
                        }),
                        plan_events::at.eq(when),
                    )
                );
            }
        }
    }
    flush!(out, plan_events::table, rows, 7);
    out.end();
    Ok(())
}

/// Reports of the agreements.
fn reports(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let year = f.year;
    let now = f.now;
    let sizes = f.sizes;
    let Fill {
        out,
        g,
        munis,
        drafts,
        ..
    } = f;
    // Reports: the final one after an agreement ends (most within 30 days),
    // a partial one for the year of those that go on.
    out.begin("reports", sizes.agreements);
    let mut rows = Vec::new();
    for (mu, d) in munis.iter().zip(drafts.iter()) {
        for (a, row) in mu.agreements.iter().zip(d) {
            if row.status != AgreementStatus::Active {
                continue;
            }
            let mut due: Vec<(&str, String, NaiveDateTime)> = Vec::new();
            if a.end.year() == year && g.chance(0.85) {
                let late = if g.chance(0.8) {
                    g.int(1, 30)
                } else {
                    g.int(31, 60)
                };
                due.push((
                    "final",
                    a.end.year().to_string(),
                    g.office(a.end + Duration::days(late)),
                ));
            }
            if a.end.year() > year && a.start.year() <= year && g.chance(0.7) {
                due.push((
                    "partial",
                    year.to_string(),
                    g.office_in(day(year + 1, 1, 1), 5, 40),
                ));
            }
            for (kind, period, when) in due {
                if when > now {
                    continue;
                }
                let spent = row.yearly_grosze * g.int(85, 100) / 100;
                push!(
                    out,
                    reports::table,
                    rows,
                    10,
                    (
                        reports::id.eq(g.id()),
                        reports::agreement_id.eq(a.id.clone()),
                        reports::kind.eq(kind),
                        reports::period.eq(period),
                        reports::body.eq("Zadanie zrealizowano zgodnie z umową."),
                        reports::spent_grosze.eq(spent),
                        reports::spent_own_grosze.eq(spent / 10),
                        reports::indicator_values.eq("{}"),
                        reports::submitted_by.eq(mu.organizer.clone()),
                        reports::submitted_at.eq(when),
                    )
                );
            }
        }
    }
    flush!(out, reports::table, rows, 10);
    out.end();
    Ok(())
}

/// Communities and the activity log.
fn communities(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let year = f.year;
    let jan1 = f.jan1;
    let n = f.n;
    let Fill { out, g, munis, .. } = f;
    // Communities: twenty a municipality, most older than the year; an
    // activity in most of their months.
    let per_muni = 20;
    let mut comms: Vec<Vec<(String, NaiveDateTime)>> = Vec::with_capacity(n);
    out.begin("communities", n * per_muni);
    let mut rows = Vec::new();
    for mu in munis.iter() {
        let mut list = Vec::with_capacity(per_muni);
        for c in 0..per_muni {
            let id = g.id();
            let since = if g.chance(0.7) {
                g.office_in(day(year - 1, 1, 1), 0, 364)
            } else {
                g.office_in(jan1, 0, 300)
            };
            list.push((id.clone(), since));
            push!(
                out,
                communities::table,
                rows,
                11,
                (
                    communities::id.eq(id),
                    communities::municipality.eq(mu.teryt.clone()),
                    communities::name.eq(format!("Osiedle {} nr {}", g.pick(&STREETS), c + 1)),
                    communities::kind.eq(*g.pick(&["territorial", "categorial"])),
                    communities::diagnosis.eq("Diagnoza potrzeb i zasobów społeczności."),
                    communities::resources.eq("Świetlica, rada osiedla, szkoła."),
                    communities::goals.eq("Integracja i samoorganizacja mieszkańców."),
                    communities::stages.eq(r#"[{"name":"Diagnoza","status":"done"},{"name":"Działania","status":"in_progress"}]"#),
                    communities::organizer_id.eq(mu.organizer.clone()),
                    communities::created_at.eq(since),
                    communities::updated_at.eq(since),
                )
            );
        }
        comms.push(list);
    }
    flush!(out, communities::table, rows, 11);
    out.end();

    out.begin("activities", n * per_muni * 12 * 2);
    let mut rows = Vec::new();
    for (mu, list) in munis.iter().zip(&comms) {
        for (community, since) in list {
            for month in 1..=12u32 {
                let first = day(year, month, 1);
                let last = if month == 12 {
                    day(year, 12, 31)
                } else {
                    day(year, month + 1, 1) - Duration::days(1)
                };
                if last < since.date() || !g.chance(0.85) {
                    continue;
                }
                for _ in 0..g.int(1, 3) {
                    let from = first.max(since.date());
                    let d = from + Duration::days(g.int(0, (last - from).num_days()));
                    let participants = g.int(5, 60) as i32;
                    let volunteers = g.int(0, 8) as i32;
                    push!(
                        out,
                        activities::table,
                        rows,
                        15,
                        (
                            activities::id.eq(g.id()),
                            activities::municipality.eq(mu.teryt.clone()),
                            activities::community_id.eq(community.clone()),
                            activities::day.eq(d),
                            activities::title.eq("Spotkanie mieszkańców"),
                            activities::kind.eq(*g.pick(&ACTIVITY_KINDS)),
                            activities::dimension.eq(*g.pick(&DIMENSIONS)),
                            activities::participants.eq(participants),
                            activities::volunteers.eq(volunteers),
                            activities::volunteer_hours.eq(volunteers * g.int(1, 4) as i32),
                            activities::partners.eq(r#"["Rada osiedla"]"#),
                            activities::outcome.eq("Ustalono kolejne działania."),
                            activities::follow_up.eq(""),
                            activities::created_by.eq(mu.organizer.clone()),
                            activities::created_at.eq(at(d, 18)),
                        )
                    );
                }
            }
        }
    }
    flush!(out, activities::table, rows, 15);
    out.end();
    Ok(())
}

/// Recipient surveys and their responses.
fn surveys(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let year = f.year;
    let jan1 = f.jan1;
    let days_in_year = f.days_in_year;
    let n = f.n;
    let sizes = f.sizes;
    let Fill {
        out,
        g,
        munis,
        drafts,
        ..
    } = f;
    // Recipient surveys of one agreement in twenty, with a dozen responses.
    const QUESTIONS: &str = r#"[{"key":"overall","text":"Jak ocenia Pan/Pani usługę?","kind":"likert","satisfaction":true},{"key":"staff","text":"Jak ocenia Pan/Pani personel?","kind":"likert","satisfaction":true},{"key":"comment","text":"Uwagi","kind":"text"}]"#;
    let mut survey_ids: Vec<String> = Vec::new();
    out.begin("surveys", sizes.agreements / 20 + n);
    let mut rows = Vec::new();
    for (mu, d) in munis.iter().zip(drafts.iter()) {
        for (a, row) in mu.agreements.iter().zip(d) {
            if row.status == AgreementStatus::PublicComment || !g.chance(0.05) {
                continue;
            }
            let id = g.id();
            survey_ids.push(id.clone());
            push!(
                out,
                surveys::table,
                rows,
                9,
                (
                    surveys::id.eq(id),
                    surveys::municipality.eq(mu.teryt.clone()),
                    surveys::title.eq(format!("Badanie satysfakcji: {}", a.service)),
                    surveys::agreement_id.eq(Some(a.id.clone())),
                    surveys::service_code.eq(Some(a.service)),
                    surveys::period.eq(year.to_string()),
                    surveys::questions.eq(QUESTIONS),
                    surveys::created_by.eq(mu.organizer.clone()),
                    surveys::created_at.eq(at(jan1, 9)),
                )
            );
        }
    }
    flush!(out, surveys::table, rows, 9);
    out.end();

    out.begin("survey_responses", survey_ids.len() * 12);
    let mut rows = Vec::new();
    for survey in &survey_ids {
        for _ in 0..g.int(3, 20) {
            let answers = format!(
                r#"{{"overall":{},"staff":{},"comment":""}}"#,
                g.int(2, 5),
                g.int(3, 5)
            );
            push!(
                out,
                survey_responses::table,
                rows,
                4,
                (
                    survey_responses::id.eq(g.id()),
                    survey_responses::survey_id.eq(survey.clone()),
                    survey_responses::day.eq(jan1 + Duration::days(g.int(0, days_in_year - 1))),
                    survey_responses::answers.eq(answers),
                )
            );
        }
    }
    flush!(out, survey_responses::table, rows, 4);
    out.end();
    Ok(())
}

/// Residents per social worker account (statutory 50 households each at
/// two to three people a household, and not every resident is a client).
const RESIDENTS_PER_WORKER: usize = 500;
/// Districts of each municipality.
const DISTRICTS: usize = 4;

/// Social work (issue 25): social worker accounts and districts; half the
/// residents living in households of two to four; a referral behind a
/// third of the requests that went elsewhere than a plan; a social
/// contract for one resident in twenty, with three commitments. Rows that
/// name rows of the same step are written after them (SQLite checks
/// foreign keys at once).
fn social_work(f: &mut Fill) -> Result<(), diesel::result::Error> {
    let (created, hash, jan1, days_in_year, today) =
        (f.created, f.hash, f.jan1, f.days_in_year, f.today);
    let Fill {
        out,
        g,
        munis,
        extras,
        ..
    } = f;
    let mut workers: Vec<Vec<String>> = Vec::with_capacity(munis.len());
    out.begin("users (social workers)", 0);
    let mut rows = Vec::new();
    for mu in munis.iter() {
        let n = (mu.residents.len() / RESIDENTS_PER_WORKER).max(2);
        let mut ids = Vec::with_capacity(n);
        for k in 0..n {
            let id = g.id();
            ids.push(id.clone());
            push!(
                out,
                users::table,
                rows,
                11,
                (
                    users::id.eq(id),
                    users::email.eq(format!(
                        "social.worker.{}.{}@synth.example",
                        mu.teryt,
                        k + 1
                    )),
                    users::password_hash.eq(hash.to_string()),
                    users::role.eq(Role::SocialWorker.as_str()),
                    users::municipality.eq(Some(mu.teryt.clone())),
                    users::organization_id.eq(None::<String>),
                    users::display_name.eq(format!("{} {}", g.pick(&FIRST), g.pick(&LAST))),
                    users::locale.eq("pl"),
                    users::email_confirmed_at.eq(Some(created)),
                    users::disabled.eq(false),
                    users::created_at.eq(created),
                )
            );
        }
        workers.push(ids);
    }
    flush!(out, users::table, rows, 11);
    out.end();

    out.begin("districts", munis.len() * DISTRICTS);
    let mut rows = Vec::new();
    let mut links = Vec::new();
    let mut district_ids: Vec<Vec<String>> = Vec::with_capacity(munis.len());
    for (mi, mu) in munis.iter().enumerate() {
        let mut ids = Vec::with_capacity(DISTRICTS);
        for d in 0..DISTRICTS {
            let id = g.id();
            rows.push((
                districts::id.eq(id.clone()),
                districts::municipality.eq(mu.teryt.clone()),
                districts::name.eq(format!("Rejon {}", d + 1)),
                districts::created_at.eq(created),
            ));
            // Each worker serves one district; a district has one or more.
            for (position, w) in workers[mi].iter().skip(d).step_by(DISTRICTS).enumerate() {
                links.push((
                    district_workers::district_id.eq(id.clone()),
                    district_workers::user_id.eq(w.clone()),
                    district_workers::position.eq(position as i32),
                ));
            }
            ids.push(id);
        }
        district_ids.push(ids);
    }
    flush!(out, districts::table, rows, 4);
    flush!(out, district_workers::table, links, 3);
    out.end();

    out.begin("households", 0);
    let mut rows = Vec::new();
    let mut members = Vec::new();
    for (mi, mu) in munis.iter().enumerate() {
        let mut i = 0;
        while i < mu.residents.len() {
            let size = if g.chance(0.5) {
                1
            } else {
                g.int(2, 4) as usize
            };
            let size = size.min(mu.residents.len() - i);
            if size > 1 {
                let id = g.id();
                push!(
                    out,
                    households::table,
                    rows,
                    6,
                    (
                        households::id.eq(id.clone()),
                        households::municipality.eq(mu.teryt.clone()),
                        households::district_id.eq(Some(g.pick(&district_ids[mi]).clone())),
                        households::created_by.eq(mu.organizer.clone()),
                        households::created_at.eq(created),
                        households::updated_at.eq(created),
                    )
                );
                for k in 0..size {
                    let relation = match k {
                        0 => "head",
                        1 => *g.pick(&["spouse", "partner"]),
                        _ => *g.pick(&["child", "child", "parent", "sibling", "other"]),
                    };
                    members.push((
                        household_members::household_id.eq(id.clone()),
                        household_members::resident_id.eq(mu.residents[i + k].clone()),
                        household_members::relation.eq(relation),
                    ));
                }
            }
            i += size;
        }
    }
    flush!(out, households::table, rows, 6);
    flush!(out, household_members::table, members, 3);
    out.end();

    // Referrals: the benefits officer's message and the referral behind it.
    out.begin("referrals", 0);
    let (mut messages, mut refs, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for (mi, mu) in munis.iter().enumerate() {
        for s in extras[mi].iter() {
            if !g.chance(0.33) {
                continue;
            }
            let sent = s.filed + Duration::hours(g.int(2, 72));
            let message = g.id();
            messages.push((
                request_messages::id.eq(message.clone()),
                request_messages::request_id.eq(s.request.clone()),
                request_messages::author_id.eq(mu.organizer.clone()),
                request_messages::from_role.eq("benefits"),
                request_messages::to_role.eq("social_worker"),
                request_messages::kind.eq("referral"),
                request_messages::body.eq("Proszę o ustalenie możliwości klienta."),
                request_messages::at.eq(sent),
            ));
            let id = g.id();
            let worker = g.pick(&workers[mi]).clone();
            let roll = g.int(0, 99);
            let (status, accepted, done) = match roll {
                0..=14 => ("sent", None, None),
                15..=29 => ("declined", None, None),
                30..=64 => ("accepted", Some(sent + Duration::hours(g.int(4, 96))), None),
                _ => {
                    let a = sent + Duration::hours(g.int(4, 96));
                    ("done", Some(a), Some(a + Duration::days(g.int(7, 90))))
                }
            };
            let outcome = done.map(|_| {
                *g.pick(&[
                    "success",
                    "success",
                    "client_refused",
                    "unable_to_contact",
                    "other",
                ])
            });
            let reason = match (status, outcome) {
                ("declined", _) => Some("Poza zakresem pracy socjalnej."),
                (_, Some(o)) if o != "success" => Some("Brak kontaktu z klientem."),
                _ => None,
            };
            let updated = done.or(accepted).unwrap_or(sent);
            refs.push((
                referrals::id.eq(id.clone()),
                referrals::municipality.eq(mu.teryt.clone()),
                referrals::request_id.eq(s.request.clone()),
                referrals::message_id.eq(message),
                referrals::status.eq(status),
                referrals::suggested_to.eq(Some(worker.clone())),
                referrals::referred_by.eq(mu.organizer.clone()),
                referrals::accepted_by.eq(accepted.map(|_| worker.clone())),
                referrals::accepted_at.eq(accepted),
                referrals::done_at.eq(done),
                referrals::outcome.eq(outcome),
                referrals::delivered.eq(outcome.map(|o| o == "success")),
                referrals::reason.eq(reason),
                referrals::created_at.eq(sent),
                referrals::updated_at.eq(updated),
            ));
            let mut steps = vec![(None, "sent", sent)];
            if let Some(a) = accepted {
                steps.push((Some("sent"), "accepted", a));
            }
            if status == "declined" {
                steps.push((Some("sent"), "declined", sent + Duration::hours(24)));
            }
            if let Some(d) = done {
                steps.push((Some("accepted"), "done", d));
            }
            for (from, to, at) in steps {
                events.push((
                    referral_events::id.eq(g.id()),
                    referral_events::referral_id.eq(id.clone()),
                    referral_events::actor_id.eq(worker.clone()),
                    referral_events::from_status.eq(from),
                    referral_events::to_status.eq(to),
                    referral_events::note.eq(""),
                    referral_events::at.eq(at),
                ));
            }
        }
    }
    flush!(out, request_messages::table, messages, 8);
    flush!(out, referrals::table, refs, 15);
    flush!(out, referral_events::table, events, 7);
    out.end();

    // Social contracts over the year, most still running.
    out.begin("social_contracts", 0);
    let (mut rows, mut commitments) = (Vec::new(), Vec::new());
    for (mi, mu) in munis.iter().enumerate() {
        for resident in mu.residents.iter() {
            if !g.chance(0.05) {
                continue;
            }
            let start = jan1 + Duration::days(g.int(0, days_in_year - 1));
            let end = start + Duration::days(g.int(90, 270));
            let roll = g.int(0, 99);
            let (status, ended, reason) = match roll {
                0..=49 => ("active", None, None),
                50..=74 => ("completed", Some(end.min(today)), None),
                75..=89 => (
                    "broken",
                    Some((start + Duration::days(g.int(20, 80))).min(today)),
                    Some("Klient zaprzestał współpracy."),
                ),
                _ => (
                    "cancelled",
                    Some((start + Duration::days(g.int(5, 30))).min(today)),
                    Some("Zmiana sytuacji klienta."),
                ),
            };
            let id = g.id();
            rows.push((
                social_contracts::id.eq(id.clone()),
                social_contracts::municipality.eq(mu.teryt.clone()),
                social_contracts::resident_id.eq(resident.clone()),
                social_contracts::worker_id.eq(g.pick(&workers[mi]).clone()),
                social_contracts::goals
                    .eq(r#"["Podjęcie zatrudnienia","Poprawa sytuacji mieszkaniowej"]"#),
                social_contracts::start_date.eq(start),
                social_contracts::end_date.eq(end),
                social_contracts::status.eq(status),
                social_contracts::reason.eq(reason),
                social_contracts::ended_on.eq(ended),
                social_contracts::created_at.eq(at(start, 9)),
                social_contracts::updated_at.eq(at(ended.unwrap_or(start), 9)),
            ));
            for (position, (party, text)) in [
                ("client", "Rejestracja w urzędzie pracy"),
                ("client", "Udział w warsztatach"),
                ("worker", "Pomoc w przygotowaniu dokumentów"),
            ]
            .into_iter()
            .enumerate()
            {
                let due = start + Duration::days(g.int(7, 80)).min(end - start);
                let done = due < today && g.chance(0.7);
                commitments.push((
                    contract_commitments::contract_id.eq(id.clone()),
                    contract_commitments::position.eq(position as i32),
                    contract_commitments::party.eq(party),
                    contract_commitments::text.eq(text),
                    contract_commitments::due.eq(Some(due)),
                    contract_commitments::done.eq(done),
                    contract_commitments::note.eq(""),
                    contract_commitments::done_at.eq(done.then(|| at(due, 12))),
                ));
            }
        }
    }
    flush!(out, social_contracts::table, rows, 12);
    flush!(out, contract_commitments::table, commitments, 8);
    out.end();
    Ok(())
}
