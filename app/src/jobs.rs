//! Scheduled jobs: the same functions run on their cron schedule inside
//! `cus serve` and by hand with `cus jobs run NAME`. Every run first claims
//! its (job, slot) row, so two servers never run the same slot.

use chrono::Utc;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::state::AppState;
use crate::{mail, plans};

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
            about: "remove expired sessions, tokens and old login attempts",
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
    ]
}

/// Runs `name` for `slot` if this process wins the claim. `Ok(None)` means
/// another server had the slot.
pub fn run(state: &AppState, name: &str, slot: &str) -> Result<Option<String>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "cus".to_string());
    let by = format!("{host}:{}", std::process::id());
    if !cus_db::jobs::claim(&mut conn, name, slot, &by).map_err(|e| e.to_string())? {
        return Ok(None);
    }
    let outcome = match name {
        "outbox" => {
            let mailer = state.mailer()?;
            mail::relay(&mut conn, &state.config, &mailer)
                .map(|(s, f, r)| format!("sent {s}, failed {f}, retrying {r}"))
                .map_err(|e| e.to_string())
        }
        "plan-deadlines" => plans::flag_overdue(&mut conn)
            .map(|n| format!("flagged {n} plans"))
            .map_err(|e| e.to_string()),
        "housekeeping" => crate::auth::purge_expired(&mut conn)
            .map(|n| format!("removed {n} rows"))
            .map_err(|e| e.to_string()),
        "forum-digest" => {
            community::forum::send_digests(&mut conn, &state.config.server.public_url)
                .map(|n| format!("queued {n} digests"))
                .map_err(|e| e.to_string())
        }
        "report-reminders" => contracting::agreements::remind_reports(&mut conn)
            .map(|n| format!("reminded {n} organizations"))
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown job {other}")),
    };
    let text = match &outcome {
        Ok(t) => t.clone(),
        Err(e) => format!("error: {e}"),
    };
    cus_db::jobs::finish(&mut conn, name, slot, &text).map_err(|e| e.to_string())?;
    outcome.map(Some)
}

/// A slot for a run by hand: unique, so it never collides with a schedule.
pub fn manual_slot() -> String {
    format!("manual-{}", uuid::Uuid::now_v7())
}

/// Starts the scheduler inside `serve`. The slot is the tick's time to the
/// second, the same on every server whose clock is in sync.
pub async fn start(state: AppState) -> Result<JobScheduler, String> {
    let scheduler = JobScheduler::new().await.map_err(|e| e.to_string())?;
    for def in registry(&state) {
        let st = state.clone();
        let name = def.name;
        let job = Job::new_async(def.schedule.as_str(), move |_id, _lock| {
            let st = st.clone();
            Box::pin(async move {
                let slot = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
                let result = tokio::task::spawn_blocking(move || run(&st, name, &slot)).await;
                match result {
                    Ok(Ok(Some(outcome))) => tracing::info!(job = name, %outcome, "job ran"),
                    Ok(Ok(None)) => tracing::debug!(job = name, "slot taken by another server"),
                    Ok(Err(e)) => tracing::error!(job = name, error = %e, "job failed"),
                    Err(e) => tracing::error!(job = name, error = %e, "job panicked"),
                }
            })
        })
        .map_err(|e| format!("job {name}: schedule {:?}: {e}", def.schedule))?;
        scheduler.add(job).await.map_err(|e| e.to_string())?;
    }
    scheduler.start().await.map_err(|e| e.to_string())?;
    Ok(scheduler)
}
