//! Scheduled jobs: the same functions run on their cron schedule inside
//! `cus serve` and by hand with `cus jobs run NAME`.
//!
//! Exactly once across servers: every server computes, from the job's cron
//! expression (croner, read in `jobs.timezone`), the instant of the tick it
//! serves, and claims `(job, slot)` in `job_runs` before running, `slot`
//! being that instant in UTC to the second (`2026-01-01T06:00:00Z`). The
//! primary key lets one server win; every server computes the same slot for
//! the same tick however late its timer fires, because the slot comes from
//! the schedule, not from the clock at wake-up. A run by hand has its own
//! unique `manual-…` slot.
//!
//! - A server that wakes late for a tick still claims that tick; late by a
//!   whole period, it serves that tick and the newest one.
//! - Missed ticks: a job whose newest tick at start (or after a stall of more
//!   than one period) was run by nobody runs once, for the newest missed tick,
//!   and says so in the log ("caught up"), not once per missed tick.
//! - A claimed run that dies with its server is not run again: the claim
//!   records it as unfinished and the next tick runs as usual.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};
use tokio_cron_scheduler::{Job, JobScheduler};
use utoipa::ToSchema;

use crate::plans;
use crate::platform::mail;
use crate::platform::state::AppState;

/// Claims older than this are pruned by `housekeeping`.
const KEEP_RUNS_DAYS: i64 = 30;

pub struct JobDef {
    pub name: &'static str,
    pub schedule: String,
    pub about: &'static str,
}

pub fn registry(state: &AppState) -> Vec<JobDef> {
    let jobs = &state.config.jobs;
    vec![
        JobDef {
            name: "outbox",
            schedule: jobs.outbox.clone(),
            about: "send queued mail",
        },
        JobDef {
            name: "plan-deadlines",
            schedule: jobs.plan_deadlines.clone(),
            about: "flag IPUS plans past their 30-day deadline or review date",
        },
        JobDef {
            name: "housekeeping",
            schedule: jobs.housekeeping.clone(),
            about: "remove expired sessions, tokens, old login attempts and job claims",
        },
        JobDef {
            name: "forum-digest",
            schedule: jobs.forum_digest.clone(),
            about: "send forum members their daily digest",
        },
        JobDef {
            name: "report-reminders",
            schedule: jobs.report_reminders.clone(),
            about: "remind NGOs of final reports due within 7 days",
        },
        JobDef {
            name: "assessments",
            schedule: jobs.assessments.clone(),
            about: "compute every indicator set for its period just ended, every municipality",
        },
        JobDef {
            name: "corrective-actions",
            schedule: jobs.corrective_actions.clone(),
            about: "remind owners of corrective actions past their due date",
        },
        JobDef {
            name: "retention",
            schedule: jobs.retention.clone(),
            about: "anonymise closed cases and delete or clear what is past its [retention] period",
        },
        JobDef {
            name: "backup",
            schedule: jobs.backup.clone(),
            about: "write a backup into [backup] dir, verify it, prune the old ones",
        },
    ]
}

// --- schedules and slots -----------------------------------------------------

/// A job's cron expression read in a time zone, parsed as the scheduler of
/// `cus serve` reads it (seconds required, day-of-month and day-of-week both
/// matching).
#[derive(Clone)]
pub struct Schedule {
    cron: Cron,
    tz: Tz,
}

impl Schedule {
    pub fn parse(expr: &str, timezone: &str) -> Result<Schedule, String> {
        let tz: Tz = timezone
            .parse()
            .map_err(|_| format!("unknown time zone {timezone:?}"))?;
        let cron = Cron::new(expr)
            .with_seconds_required()
            .with_dom_and_dow()
            .parse()
            .map_err(|e| format!("schedule {expr:?}: {e}"))?;
        Ok(Schedule { cron, tz })
    }

    /// The first tick strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let next = self
            .cron
            .iter_after(t.with_timezone(&self.tz))
            .next()?
            .with_timezone(&Utc);
        // Around a DST change croner may answer a local time that maps to an
        // instant at or before `t`; the ticks only ever move forward.
        if next > t {
            Some(next)
        } else {
            self.next_after(t + chrono::Duration::seconds(1))
        }
    }

    /// The slot of a run at `now`: the scheduled instant of the tick being
    /// served, the latest tick at or before `now`. Ticks are whole seconds, so
    /// 12:00:00.999 still belongs to the 12:00:00 tick, and a timer that fires
    /// late (12:00:00.700) still claims the tick it is late for.
    pub fn slot_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let now = truncate_to_second(now);
        // Look back over a window doubled until it holds a tick, then walk
        // forward through it with the scheduler's own iteration.
        let mut window = chrono::Duration::seconds(1);
        let limit = chrono::Duration::days(366 * 5);
        while window <= limit {
            let from = now - window;
            let mut latest = None;
            for t in self.cron.iter_from(from.with_timezone(&self.tz)) {
                let t = t.with_timezone(&Utc);
                if t > now {
                    break;
                }
                latest = Some(t);
            }
            if latest.is_some() {
                return latest;
            }
            window = window * 2;
        }
        None
    }

    /// How many ticks lie strictly between `a` and `b` (counted up to `cap`).
    pub fn ticks_between(&self, a: DateTime<Utc>, b: DateTime<Utc>, cap: usize) -> usize {
        let mut n = 0;
        let mut t = a;
        while n < cap {
            match self.next_after(t) {
                Some(next) if next < b => {
                    n += 1;
                    t = next;
                }
                _ => break,
            }
        }
        n
    }
}

fn truncate_to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The key of a scheduled slot in `job_runs`.
pub fn slot_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A scheduled slot's instant; `None` for a manual slot.
pub fn parse_slot(slot: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(slot, "%Y-%m-%dT%H:%M:%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// What a server does when it wakes for tick `target` at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Slots to claim and run, oldest first.
    pub slots: Vec<DateTime<Utc>>,
    /// Ticks passed over, `target` included (more than one period late: only
    /// the newest runs).
    pub missed: usize,
}

/// On time (or late by less than a period) the server serves `target`; late
/// by one period, `target` and the tick after it; later than that, only the
/// newest tick, the ticks in between being missed.
pub fn due_at(schedule: &Schedule, target: DateTime<Utc>, now: DateTime<Utc>) -> Due {
    let newest = schedule.slot_at(now).unwrap_or(target).max(target);
    if newest == target {
        return Due {
            slots: vec![target],
            missed: 0,
        };
    }
    if schedule.next_after(target) == Some(newest) {
        return Due {
            slots: vec![target, newest],
            missed: 0,
        };
    }
    Due {
        slots: vec![newest],
        missed: 1 + schedule.ticks_between(target, newest, 100_000),
    }
}

// --- running a slot ----------------------------------------------------------

/// This process's name in `job_runs.claimed_by` and `outbox.claimed_by`:
/// `HOST:PID`, with `/N` for the second and later scheduler in one process
/// (tests run several).
pub fn server_id() -> String {
    static INSTANCES: AtomicUsize = AtomicUsize::new(0);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "cus".to_string());
    match INSTANCES.fetch_add(1, Ordering::SeqCst) {
        0 => format!("{host}:{}", std::process::id()),
        n => format!("{host}:{}/{n}", std::process::id()),
    }
}

/// Who runs a job: a server id and the flag that asks long jobs (the relay)
/// to stop after the item in hand.
#[derive(Clone)]
pub struct Runner {
    pub server: String,
    stop: Arc<AtomicBool>,
}

impl Runner {
    pub fn new(server: String) -> Runner {
        Runner {
            server,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The runner of `cus jobs run` and of tests: this process, never stopped.
    pub fn by_hand() -> Runner {
        static BY_HAND: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        Runner::new(BY_HAND.get_or_init(server_id).clone())
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Runs `name` for `slot` if this process wins the claim. `Ok(None)` means
/// another server had the slot.
pub fn run(state: &AppState, name: &str, slot: &str) -> Result<Option<String>, String> {
    run_as(state, &Runner::by_hand(), name, slot)
}

/// `run` as `runner`.
pub fn run_as(
    state: &AppState,
    runner: &Runner,
    name: &str,
    slot: &str,
) -> Result<Option<String>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    if !cus_db::jobs::claim(&mut conn, name, slot, &runner.server).map_err(|e| e.to_string())? {
        return Ok(None);
    }
    let outcome = match name {
        "outbox" => state.mailer().and_then(|mailer| {
            mail::relay(
                &mut conn,
                &state.pool,
                &state.config,
                &mailer,
                &runner.server,
                &runner.stop,
            )
            .map(|r| {
                let mut text = format!(
                    "sent {}, failed {}, retrying {}",
                    r.sent, r.failed, r.retried
                );
                if r.stopped {
                    text.push_str(" (stopped: the rest waits)");
                }
                text
            })
        }),
        "plan-deadlines" => plans::flag_overdue(&mut conn)
            .map(|n| format!("flagged {n} plans"))
            .map_err(|e| e.to_string()),
        "housekeeping" => housekeeping(state, &mut conn),
        "forum-digest" => {
            community::forum::send_digests(&mut conn, &state.config.server.public_url)
                .map(|n| format!("queued {n} digests"))
                .map_err(|e| e.to_string())
        }
        "report-reminders" => contracting::agreements::remind_reports(&mut conn)
            .map(|n| format!("reminded {n} organizations"))
            .map_err(|e| e.to_string()),
        "assessments" => {
            crate::assessment::runs::run_sets(&mut conn, state.assessment(), cus_db::today())
                .map_err(|e| e.to_string())
        }
        "corrective-actions" => crate::assessment::corrective::remind_overdue(
            &mut conn,
            cus_db::today(),
            &state.config.server.public_url,
        )
        .map(|n| format!("reminded {n} owners"))
        .map_err(|e| e.to_string()),
        "backup" => {
            let b = &state.config.backup;
            crate::platform::backups::scheduled(
                &state.config.database.url,
                &b.dir,
                Utc::now(),
                b.keep_daily,
                b.keep_weekly,
            )
        }
        "retention" => retention(state, &mut conn),
        other => Err(format!("unknown job {other}")),
    };
    let text = match &outcome {
        Ok(t) => t.clone(),
        Err(e) => format!("error: {e}"),
    };
    cus_db::jobs::finish(&mut conn, name, slot, &text).map_err(|e| e.to_string())?;
    outcome.map(Some)
}

fn housekeeping(state: &AppState, conn: &mut cus_db::DbConn) -> Result<String, String> {
    let mut n = crate::platform::auth::purge_expired(conn).map_err(|e| e.to_string())?;
    let before = cus_db::now() - chrono::Duration::days(KEEP_RUNS_DAYS);
    for job in registry(state) {
        n += cus_db::jobs::prune(conn, job.name, before).map_err(|e| e.to_string())?;
    }
    Ok(format!("removed {n} rows"))
}

/// The `[retention]` rules over every municipality: "closed_cases N,
/// sessions N, …" (records acted on per kind).
fn retention(state: &AppState, conn: &mut cus_db::DbConn) -> Result<String, String> {
    let scope = crate::privacy::retention::Scope {
        municipality: None,
        now: cus_db::now(),
        periods: &state.config.retention,
    };
    let done = crate::privacy::retention::run_in(conn, &scope, false, &state.erasure_log())
        .map_err(|e| e.to_string())?;
    Ok(done
        .iter()
        .map(|d| format!("{} {}", d.kind, d.records))
        .collect::<Vec<_>>()
        .join(", "))
}

/// A slot for a run by hand: unique, so it never collides with a schedule.
pub fn manual_slot() -> String {
    format!("{}{}", cus_db::jobs::MANUAL_PREFIX, uuid::Uuid::now_v7())
}

// --- the scheduler inside `serve` ---------------------------------------------

/// The running schedule of one server: tokio-cron-scheduler fires each job
/// on its cron expression (read in `jobs.timezone`); the callback derives the
/// slot from the schedule, never from the moment it happened to run.
pub struct Scheduler {
    runner: Runner,
    cron: JobScheduler,
    /// Held for reading by every run in flight; `stop` takes it for writing
    /// to wait until they are done.
    inflight: Arc<RwLock<()>>,
}

/// Starts the scheduler inside `serve` under this process's server id.
pub async fn start(state: AppState) -> Result<Scheduler, String> {
    start_as(state, server_id()).await
}

/// Starts the scheduler as server `server`. Fails on a schedule or time zone
/// that does not parse, before any job runs.
pub async fn start_as(state: AppState, server: String) -> Result<Scheduler, String> {
    let mut parsed = vec![];
    for def in registry(&state) {
        let schedule = Schedule::parse(&def.schedule, &state.config.jobs.timezone)
            .map_err(|e| format!("job {}: {e}", def.name))?;
        parsed.push((def.name, def.schedule, schedule));
    }
    let runner = Runner::new(server);
    let inflight = Arc::new(RwLock::new(()));
    let cron = JobScheduler::new().await.map_err(|e| e.to_string())?;
    let start = Utc::now();
    for (name, expr, schedule) in parsed {
        // Ticks at or before the start are the catch-up's; the scheduler
        // serves those after it.
        let served = Arc::new(Mutex::new(schedule.slot_at(start).unwrap_or(start)));
        {
            // Under the job's lock, like a firing: a hung catch-up run (an
            // SMTP server that never answers) holds back the next tick
            // instead of running beside it.
            let (st, r, sc, guard, lock) = (
                state.clone(),
                runner.clone(),
                schedule.clone(),
                inflight.clone(),
                served.clone(),
            );
            tokio::spawn(async move {
                let _running = guard.read().await;
                let _one_at_a_time = lock.lock().await;
                catch_up(&st, &r, name, &sc).await;
            });
        }
        let (st, r, guard) = (state.clone(), runner.clone(), inflight.clone());
        let tz = schedule.tz;
        let job = Job::new_async_tz(expr.as_str(), tz, move |_id, _scheduler| {
            let (st, r, sc, served, guard) = (
                st.clone(),
                r.clone(),
                schedule.clone(),
                served.clone(),
                guard.clone(),
            );
            Box::pin(async move {
                if r.stopping() {
                    return;
                }
                let _running = guard.read().await;
                // One run of a job at a time on this server; a late firing
                // serves the tick it is late for (and the newest, if later).
                let mut served = served.lock().await;
                let now = Utc::now();
                let Some(target) = sc.next_after(*served) else {
                    return;
                };
                if target > now {
                    return;
                }
                let due = due_at(&sc, target, now);
                for slot in &due.slots {
                    if r.stopping() {
                        return;
                    }
                    let caught_up = (due.missed > 0).then_some(due.missed);
                    if !serve_slot(&st, &r, name, *slot, caught_up).await {
                        break;
                    }
                    *served = *slot;
                }
            })
        })
        .map_err(|e| format!("job {name}: {e}"))?;
        cron.add(job).await.map_err(|e| e.to_string())?;
    }
    cron.start().await.map_err(|e| e.to_string())?;
    tracing::info!(server = %runner.server, timezone = %state.config.jobs.timezone, "job scheduler started");
    Ok(Scheduler {
        runner,
        cron,
        inflight,
    })
}

impl Scheduler {
    pub fn server(&self) -> &str {
        &self.runner.server
    }

    /// Takes no more ticks and asks the running jobs to stop (the relay after
    /// the message in hand); waits for them until `deadline`. True when every
    /// job had stopped by then.
    pub async fn stop(mut self, deadline: tokio::time::Instant) -> bool {
        self.runner.stop();
        let _ = tokio::time::timeout_at(deadline, self.cron.shutdown()).await;
        tokio::time::timeout_at(deadline, self.inflight.write())
            .await
            .is_ok()
    }
}

/// Claims and runs one slot on the blocking pool; logs what happened. True
/// when the slot is settled (run here, or claimed by another server); false
/// when it could not be claimed (the database was unreachable or busy), so
/// the caller tries it again at the next firing instead of skipping it.
async fn serve_slot(
    state: &AppState,
    runner: &Runner,
    name: &'static str,
    slot: DateTime<Utc>,
    caught_up: Option<usize>,
) -> bool {
    let key = slot_key(slot);
    let (st, r, k) = (state.clone(), runner.clone(), key.clone());
    let result = tokio::task::spawn_blocking(move || run_as(&st, &r, name, &k)).await;
    let settled = matches!(result, Ok(Ok(_)));
    match result {
        Ok(Ok(Some(outcome))) => match caught_up {
            Some(missed) => tracing::warn!(
                job = name,
                slot = %key,
                missed,
                %outcome,
                "caught up: ran the newest missed slot once"
            ),
            None => tracing::info!(job = name, slot = %key, %outcome, "job ran"),
        },
        Ok(Ok(None)) => tracing::debug!(job = name, slot = %key, "slot taken by another server"),
        // A failure after the claim is settled too: the retry finds the claim.
        Ok(Err(e)) => tracing::error!(job = name, slot = %key, error = %e, "job failed"),
        Err(e) => tracing::error!(job = name, slot = %key, error = %e, "job panicked"),
    }
    settled
}

/// At start: the newest tick at or before now, if nobody ran it while this
/// job has run on schedule before (every server was down), runs once.
async fn catch_up(state: &AppState, runner: &Runner, name: &'static str, schedule: &Schedule) {
    let Some(newest) = schedule.slot_at(Utc::now()) else {
        return;
    };
    let st = state.clone();
    let last = tokio::task::spawn_blocking(move || {
        let mut conn = st.pool.get().map_err(|e| e.to_string())?;
        cus_db::jobs::last_scheduled_slot(&mut conn, name).map_err(|e| e.to_string())
    })
    .await;
    let last = match last {
        Ok(Ok(Some(last))) => last,
        Ok(Ok(None)) => return, // never scheduled here before: nothing was missed
        Ok(Err(e)) => {
            tracing::error!(job = name, error = %e, "cannot read the last run");
            return;
        }
        Err(_) => return,
    };
    let Some(last_at) = parse_slot(&last) else {
        return;
    };
    if last_at >= newest {
        return;
    }
    let missed = schedule.ticks_between(last_at, newest, 100_000);
    let _ = serve_slot(state, runner, name, newest, Some(missed)).await;
}

// --- what `cus jobs list` and `GET /api/v1/jobs` show ------------------------

/// A job, its schedule and its newest run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobStatus {
    pub name: String,
    pub about: String,
    /// The cron expression (sec min hour day month weekday).
    pub schedule: String,
    /// The zone the schedule is read in.
    pub timezone: String,
    /// The next tick, RFC 3339 UTC.
    pub next_slot: Option<String>,
    pub last_run: Option<LastRun>,
}

/// The newest run of a job (scheduled or by hand).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastRun {
    /// The tick's instant (RFC 3339 UTC), or `manual-…` for a run by hand.
    pub slot: String,
    pub scheduled: bool,
    /// The server that claimed it (`HOST:PID`).
    pub server: String,
    pub claimed_at: String,
    pub finished_at: Option<String>,
    /// Milliseconds from claim to finish.
    pub duration_ms: Option<i64>,
    /// `ok`, `error`, or `unfinished` (still running, or its server died).
    pub state: String,
    pub outcome: Option<String>,
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Every job with its schedule and newest run.
pub fn status(state: &AppState) -> Result<Vec<JobStatus>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let timezone = state.config.jobs.timezone.clone();
    let now = Utc::now();
    let mut out = vec![];
    for def in registry(state) {
        let next_slot = Schedule::parse(&def.schedule, &timezone)
            .ok()
            .and_then(|s| s.next_after(now))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let last = cus_db::jobs::last_run(&mut conn, def.name).map_err(|e| e.to_string())?;
        out.push(JobStatus {
            name: def.name.to_string(),
            about: def.about.to_string(),
            schedule: def.schedule.clone(),
            timezone: timezone.clone(),
            next_slot,
            last_run: last.map(|r| LastRun {
                scheduled: parse_slot(&r.slot).is_some(),
                state: match (&r.finished_at, &r.outcome) {
                    (None, _) => "unfinished",
                    (Some(_), Some(o)) if o.starts_with("error") => "error",
                    _ => "ok",
                }
                .to_string(),
                duration_ms: r.finished_at.map(|f| (f - r.claimed_at).num_milliseconds()),
                claimed_at: rfc3339(r.claimed_at),
                finished_at: r.finished_at.map(rfc3339),
                slot: r.slot,
                server: r.claimed_by,
                outcome: r.outcome,
            }),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn slot(expr: &str, tz: &str, now: &str) -> String {
        slot_key(
            Schedule::parse(expr, tz)
                .unwrap()
                .slot_at(utc(now))
                .unwrap(),
        )
    }

    #[test]
    fn slot_is_the_tick_either_side_of_a_second_boundary() {
        let every = "* * * * * *";
        assert_eq!(
            slot(every, "UTC", "2026-03-02T19:13:30.000Z"),
            "2026-03-02T19:13:30Z"
        );
        assert_eq!(
            slot(every, "UTC", "2026-03-02T19:13:30.999Z"),
            "2026-03-02T19:13:30Z"
        );
        assert_eq!(
            slot(every, "UTC", "2026-03-02T19:13:29.999Z"),
            "2026-03-02T19:13:29Z"
        );
        assert_eq!(
            slot(every, "UTC", "2026-03-02T19:13:31.001Z"),
            "2026-03-02T19:13:31Z"
        );
        // Every 20 s: anything up to the next tick belongs to the last one.
        let outbox = "0/20 * * * * *";
        assert_eq!(
            slot(outbox, "UTC", "2026-03-02T19:13:39.999Z"),
            "2026-03-02T19:13:20Z"
        );
        assert_eq!(
            slot(outbox, "UTC", "2026-03-02T19:13:40.000Z"),
            "2026-03-02T19:13:40Z"
        );
        assert_eq!(
            slot(outbox, "UTC", "2026-03-02T19:13:59.500Z"),
            "2026-03-02T19:13:40Z"
        );
        assert_eq!(
            slot(outbox, "UTC", "2026-03-02T19:14:00.100Z"),
            "2026-03-02T19:14:00Z"
        );
    }

    #[test]
    fn a_late_wake_up_claims_the_tick_it_is_late_for() {
        // The bug of issue 13: a server whose timer fired 0.7 s into the
        // tick's second claimed the next second. The slot is the tick.
        let s = Schedule::parse("0/3 * * * * *", "UTC").unwrap();
        let tick = utc("2026-03-02T19:13:30Z");
        for late in [
            "19:13:30.001",
            "19:13:30.700",
            "19:13:31.500",
            "19:13:32.999",
        ] {
            let now = utc(&format!("2026-03-02T{late}Z"));
            assert_eq!(s.slot_at(now), Some(tick), "{late}");
            assert_eq!(
                due_at(&s, tick, now),
                Due {
                    slots: vec![tick],
                    missed: 0
                }
            );
        }
        // A whole period late: the tick it is late for, then the newest.
        let now = utc("2026-03-02T19:13:33.200Z");
        assert_eq!(
            due_at(&s, tick, now),
            Due {
                slots: vec![tick, utc("2026-03-02T19:13:33Z")],
                missed: 0
            }
        );
        // Much later (a stall): once, for the newest; the rest are missed.
        let now = utc("2026-03-02T19:14:00.500Z");
        assert_eq!(
            due_at(&s, tick, now),
            Due {
                slots: vec![utc("2026-03-02T19:14:00Z")],
                // 19:13:30 itself and the nine ticks from :33 to :57.
                missed: 10
            }
        );
    }

    #[test]
    fn daily_schedules_take_the_latest_tick_before_now() {
        let s = Schedule::parse("0 0 7 * * *", "UTC").unwrap();
        assert_eq!(
            s.slot_at(utc("2026-03-02T06:59:59Z")),
            Some(utc("2026-03-01T07:00:00Z"))
        );
        assert_eq!(
            s.slot_at(utc("2026-03-02T07:00:00.400Z")),
            Some(utc("2026-03-02T07:00:00Z"))
        );
        assert_eq!(
            s.next_after(utc("2026-03-02T07:00:00Z")),
            Some(utc("2026-03-03T07:00:00Z"))
        );
        assert_eq!(
            s.ticks_between(
                utc("2026-02-25T07:00:00Z"),
                utc("2026-03-02T07:00:00Z"),
                100
            ),
            4
        );
    }

    #[test]
    fn warsaw_schedules_across_daylight_saving_changes() {
        let tz = "Europe/Warsaw";
        // 07:00 local is 06:00Z in winter and 05:00Z in summer.
        assert_eq!(
            slot("0 0 7 * * *", tz, "2026-03-27T12:00:00Z"),
            "2026-03-27T06:00:00Z"
        );
        assert_eq!(
            slot("0 0 7 * * *", tz, "2026-03-30T12:00:00Z"),
            "2026-03-30T05:00:00Z"
        );
        // Spring forward, 29 March 2026: 02:00 CET jumps to 03:00 CEST. A tick
        // at 02:30 local does not exist that night; it runs at 03:00 CEST.
        let s = Schedule::parse("0 30 2 * * *", tz).unwrap();
        assert_eq!(
            s.slot_at(utc("2026-03-29T01:10:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        assert_eq!(
            s.next_after(utc("2026-03-28T01:30:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        assert_eq!(
            s.next_after(utc("2026-03-29T01:00:00Z")),
            Some(utc("2026-03-30T00:30:00Z"))
        );
        // Hourly across the gap: 01:00 CET, then 03:00 CEST, one hour later.
        let hourly = Schedule::parse("0 0 * * * *", tz).unwrap();
        assert_eq!(
            hourly.next_after(utc("2026-03-29T00:00:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        // Fall back, 25 October 2026: 03:00 CEST goes back to 02:00 CET, so
        // 02:30 local happens twice; the daily tick runs once, the first time.
        assert_eq!(
            s.next_after(utc("2026-10-24T00:30:00Z")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            s.next_after(utc("2026-10-25T00:30:00Z")),
            Some(utc("2026-10-26T01:30:00Z"))
        );
        // During the repeated hour (02:40 CET) the slot is still the first 02:30.
        assert_eq!(
            s.slot_at(utc("2026-10-25T01:40:00Z")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        // Every server computes the same slots whatever its own zone: the
        // key is UTC.
        let warsaw: Tz = tz.parse().unwrap();
        let local = warsaw
            .with_ymd_and_hms(2026, 10, 25, 2, 45, 0)
            .latest()
            .unwrap();
        assert_eq!(
            slot_key(s.slot_at(local.with_timezone(&Utc)).unwrap()),
            "2026-10-25T00:30:00Z"
        );
    }

    #[test]
    fn slot_keys_round_trip_and_manual_slots_are_not_scheduled() {
        let t = utc("2026-03-02T19:13:30Z");
        assert_eq!(parse_slot(&slot_key(t)), Some(t));
        assert_eq!(parse_slot(&manual_slot()), None);
        assert_ne!(manual_slot(), manual_slot());
    }

    #[test]
    fn bad_schedules_and_zones_are_refused() {
        assert!(
            Schedule::parse("0 7 * * *", "UTC").is_err(),
            "seconds required"
        );
        assert!(Schedule::parse("0 0 7 * * *", "Europe/Sochaczew").is_err());
    }
}
