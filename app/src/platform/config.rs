//! Layered configuration: built-in defaults (`config/default.toml`), then the
//! file named by `--config`/`CUS_CONFIG`, then environment variables.
//! Unknown keys are refused with the key's name.

use serde::Deserialize;
use std::path::PathBuf;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub mail: Mail,
    pub security: Security,
    pub jobs: Jobs,
    pub rules: Rules,
    pub assessment: Assessment,
    pub backup: Backup,
    pub log: Log,
    pub metrics: Metrics,
    pub retention: crate::privacy::RetentionPeriods,
    pub privacy: Privacy,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// The erasure log: every anonymisation, kept apart from the database
    /// so that `cus restore` of an older backup applies it again.
    pub erasure_log: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Where the `backup` job writes (created if missing).
    pub dir: PathBuf,
    /// The newest backup of each of this many days (UTC, today included) is kept.
    pub keep_daily: u32,
    /// …and the newest of each of this many ISO weeks before those.
    pub keep_weekly: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub format: LogFormat,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// The bearer token of `GET /metrics`; empty turns metrics off (404).
    pub token: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub bind: String,
    pub public_url: String,
    pub workers: usize,
    /// On SIGTERM or Ctrl-C, the process exits within this many seconds
    /// whatever the SMTP server or a job does.
    pub shutdown_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    pub from: String,
    pub smtp_url: String,
    pub mail_dir: PathBuf,
    /// Connect, read and write timeout of one SMTP operation.
    pub smtp_timeout_seconds: u64,
    /// A relay's claim on the message it sends lasts this long and is
    /// renewed while it sends; a claim left by a dead relay expires after it.
    pub claim_seconds: u64,
    /// First retry delay after a refusal; doubles with every attempt.
    pub retry_seconds: i64,
    /// Messages one relay run takes from the queue.
    pub batch_size: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub session_hours: i64,
    pub api_token_hours: i64,
    pub secure_cookies: bool,
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub failure_window_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jobs {
    pub enabled: bool,
    /// The zone the schedules are read in (IANA name, e.g. Europe/Warsaw),
    /// and the one pages, documents and mail show times in.
    pub timezone: String,
    pub outbox: String,
    pub plan_deadlines: String,
    pub report_reminders: String,
    pub forum_digest: String,
    pub housekeeping: String,
    pub assessments: String,
    pub corrective_actions: String,
    pub backup: String,
    pub retention: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Figures computed from fewer people, cases or responses are withheld.
    pub min_group: i64,
    /// A run still `running` after this long is taken as dead (its server
    /// stopped mid-run) and no longer blocks the next one.
    pub stale_run_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub plan_deadline_days: i64,
    pub plan_max_days: i64,
    pub request_deadline_days: i64,
    pub mail_max_attempts: i32,
    pub households_per_worker: i64,
}

impl Rules {
    /// What the single window takes of them.
    pub fn requests(&self) -> crate::window::RequestRules {
        crate::window::RequestRules {
            deadline_days: self.request_deadline_days,
        }
    }

    /// What the plans take of them.
    pub fn plans(&self) -> crate::plans::PlanRules {
        crate::plans::PlanRules {
            deadline_days: self.plan_deadline_days,
            max_days: self.plan_max_days,
        }
    }
}

impl Config {
    /// Defaults, then `file` (or `CUS_CONFIG`), then the environment.
    pub fn load(file: Option<PathBuf>) -> Result<Config, String> {
        let mut merged: toml::Table = DEFAULTS.parse().map_err(|e| format!("defaults: {e}"))?;
        let file = file.or_else(|| std::env::var_os("CUS_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let overlay: toml::Table = text
                .parse()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            merge(&mut merged, overlay);
        }
        let mut config: Config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| format!("configuration: {e}"))?;
        config.apply_env(|k| std::env::var(k).ok());
        Ok(config)
    }

    /// The overrides API.md names.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        if let Some(v) = var("CUS_DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = var("CUS_BIND") {
            self.server.bind = v;
        }
        if let Some(v) = var("CUS_SMTP_URL") {
            self.mail.smtp_url = v;
        }
        if let Some(v) = var("CUS_MAIL_DIR") {
            self.mail.mail_dir = PathBuf::from(v);
        }
        if let Some(v) = var("CUS_PUBLIC_URL") {
            self.server.public_url = v;
        }
        if let Some(v) = var("CUS_METRICS_TOKEN") {
            self.metrics.token = v;
        }
    }

    /// The test profile (`config/test.toml` over the defaults).
    pub fn for_tests() -> Config {
        let mut merged: toml::Table = DEFAULTS.parse().expect("defaults parse");
        let overlay: toml::Table = include_str!("../../../config/test.toml")
            .parse()
            .expect("test profile parses");
        merge(&mut merged, overlay);
        toml::Value::Table(merged)
            .try_into()
            .expect("test profile is valid")
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let mut merged: toml::Table = DEFAULTS.parse().unwrap();
        merge(&mut merged, "[server]\nbindd = \"x\"".parse().unwrap());
        let err = toml::Value::Table(merged).try_into::<Config>().unwrap_err();
        assert!(err.message().contains("bindd"), "{}", err.message());
    }

    #[test]
    fn environment_overrides_file() {
        let mut c = Config::for_tests();
        c.apply_env(|k| (k == "CUS_DATABASE_URL").then(|| "postgres://x/y".to_string()));
        assert_eq!(c.database.url, "postgres://x/y");
        assert!(!c.jobs.enabled);
    }
}
