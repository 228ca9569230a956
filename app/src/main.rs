//! `cus`: the command line of the platform.

use clap::{Parser, Subcommand};
use cus::platform::config::Config;
use cus_db::Role;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cus",
    version,
    about = "CUS: a social services center's platform"
)]
struct Cli {
    /// A TOML file over the built-in defaults (also CUS_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// sqlite://PATH, a file path, or postgres://… (also CUS_DATABASE_URL).
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (and the scheduled jobs).
    Serve {
        /// Fill an empty database with demonstration data and print the logins.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (also CUS_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending migrations.
    Migrate,
    /// Fill an empty database with demonstration data.
    SeedDemo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Backups: `create PATH`, `verify FILE`, `list`. `cus backup PATH` (any
    /// PATH but those three words) is `cus backup create PATH`.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        command: Option<BackupCommand>,
        /// Same as `cus backup create PATH`.
        path: Option<PathBuf>,
    },
    /// Puts a backup in place of the database, migrates it, and prints each
    /// table's rows and checksum (compare them with the backup's).
    Restore {
        path: PathBuf,
        /// SQLite: replace an existing database file (stop the server first).
        #[arg(long)]
        force: bool,
    },
    /// Fill an empty database with a synthetic deployment (deterministic
    /// for a seed; the year is the previous calendar year) and print the
    /// organizers' logins.
    Synth {
        #[arg(long, default_value_t = 20)]
        municipalities: usize,
        #[arg(long, default_value_t = 100_000)]
        residents: usize,
        #[arg(long, default_value_t = 100_000)]
        plans: usize,
        #[arg(long, default_value_t = 5_000)]
        organizations: usize,
        #[arg(long, default_value_t = 20_000)]
        agreements: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run the assessment (every computed and surveyed indicator) for a
    /// period, for one municipality or every one; prints each run and the
    /// time the whole took.
    Assess {
        /// YYYY, YYYY-H1, YYYY-Q1 or YYYY-MM.
        #[arg(long)]
        period: String,
        /// A TERYT code (default: every municipality).
        #[arg(long)]
        municipality: Option<String>,
    },
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The [retention] rules: what each finds past its period (a dry run,
    /// the default) or, with --run, acting on it; prints each kind's count
    /// and the time taken.
    Retention {
        /// Act (anonymise, delete, clear); without it nothing changes.
        #[arg(long)]
        run: bool,
        /// Count as if it were this day (YYYY-MM-DD): what will be due then.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// A TERYT code (default: every municipality).
        #[arg(long)]
        municipality: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; prints its id.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long)]
        organization: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// An online, consistent copy of the database (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump --format=custom) with its manifest beside it
    /// (PATH.manifest.json: each table's rows and checksum, printed too),
    /// then verified. Never overwrites PATH.
    Create {
        path: PathBuf,
        /// Skip the verification (a restore into a scratch database).
        #[arg(long)]
        no_verify: bool,
    },
    /// Restores FILE into a scratch database and compares each table with
    /// its manifest; exits non-zero naming the table that differs. A
    /// PostgreSQL dump is restored on the server of --database.
    Verify { file: PathBuf },
    /// Every backup of the directory, newest first, with its last check.
    List {
        /// Default: [backup] dir of the configuration.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Every job: its schedule, and its last run (slot, server, duration, outcome).
    List {
        /// As JSON (the body of `GET /api/v1/jobs`).
        #[arg(long)]
        json: bool,
    },
    /// Run one job now.
    Run { name: String },
}

fn main() {
    let cli = Cli::parse();
    let config = Config::load(cli.config.clone());
    // The log's format is the configuration's, so it is read first; a
    // configuration that does not load is reported in plain text.
    let format = config
        .as_ref()
        .map(|c| c.log.format)
        .unwrap_or(cus::platform::config::LogFormat::Text);
    init_logging(format);
    if let Err(e) = config.and_then(|config| run(cli, config)) {
        match format {
            cus::platform::config::LogFormat::Json => tracing::error!(error = %e, "failed"),
            cus::platform::config::LogFormat::Text => eprintln!("error: {e}"),
        }
        std::process::exit(1);
    }
}

/// Logs go to stderr, filtered by `CUS_LOG`: human-readable lines, or one
/// JSON object a line with the event's fields beside its message.
fn init_logging(format: cus::platform::config::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUS_LOG")
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cus::platform::config::LogFormat::Text => builder.init(),
        cus::platform::config::LogFormat::Json => {
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .init();
            // A panic's report is a log line too (a handler's panic is then
            // followed by the request's line with its correlation id).
            std::panic::set_hook(Box::new(|info| {
                let thread = std::thread::current();
                tracing::error!(
                    thread = thread.name().unwrap_or("unnamed"),
                    panic = %info,
                    "a thread panicked"
                );
            }));
        }
    }
}

fn run(cli: Cli, mut config: Config) -> Result<(), String> {
    if let Some(url) = cli.database {
        config.database.url = url;
    }
    match cli.command {
        Command::Serve { demo, bind } => {
            if let Some(b) = bind {
                config.server.bind = b;
            }
            serve(config, demo)
        }
        Command::Migrate => {
            let state = cus::open(config, true)?;
            println!("database {} is up to date", state.backend.name());
            Ok(())
        }
        Command::SeedDemo => {
            let state = cus::open(config, false)?;
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let seeded = cus::platform::demo::seed(&mut conn).map_err(|e| e.to_string())?;
            println!(
                "{}",
                if seeded {
                    "demonstration data loaded"
                } else {
                    "the database is not empty: nothing loaded"
                }
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    password,
                    role,
                    municipality,
                    organization,
                    name,
                },
        } => {
            let state = cus::open(config, false)?;
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role}"))?;
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let id = cus::platform::auth::create_user(
                &mut conn,
                cus::platform::auth::NewUser {
                    display_name: name.unwrap_or_else(|| email.clone()),
                    email,
                    password,
                    role,
                    municipality,
                    organization_id: organization,
                    locale: "pl".into(),
                    confirmed: true,
                },
            )
            .map_err(|e| match e {
                cus_db::DomainError::Invalid(f) => format!(
                    "invalid: {}",
                    serde_json::to_string(&cus::platform::error::translate_fields(&f, "en"))
                        .unwrap_or_default()
                ),
                other => other.to_string(),
            })?;
            println!("{id}");
            Ok(())
        }
        Command::Backup { command, path } => {
            use cus::platform::backups;
            let command = match (command, path) {
                (Some(c), _) => c,
                (None, Some(path)) => BackupCommand::Create {
                    path,
                    no_verify: false,
                },
                (None, None) => {
                    return Err("cus backup: name a PATH, or create, verify or list".into())
                }
            };
            match command {
                BackupCommand::Create { path, no_verify } => {
                    let (report, _) = backups::create(&config.database.url, &path)?;
                    print!("{}", report.render());
                    println!(
                        "backup written to {} (manifest {})",
                        path.display(),
                        backups::manifest_path(&path).display()
                    );
                    if !no_verify {
                        let ok = backups::verify_and_record(&config.database.url, &path)?;
                        println!("verified: {ok}");
                    }
                    Ok(())
                }
                BackupCommand::Verify { file } => {
                    let ok = backups::verify_and_record(&config.database.url, &file)
                        .map_err(|why| format!("{} FAILED verification: {why}", file.display()))?;
                    println!("{}: ok ({ok})", file.display());
                    Ok(())
                }
                BackupCommand::List { dir } => {
                    let dir = dir.unwrap_or_else(|| config.backup.dir.clone());
                    let listed = backups::list(&dir)?;
                    if listed.is_empty() {
                        println!("no backups in {}", dir.display());
                    }
                    print!("{}", backups::render_list(&listed));
                    Ok(())
                }
            }
        }
        Command::Restore { path, force } => {
            let log = cus::privacy::anonymise::ErasureLog::new(&config.privacy.erasure_log);
            let (report, applied) = cus::platform::backup::restore_keeping_erasures(
                &config.database.url,
                &path,
                force,
                &log,
            )?;
            print!("{}", report.render());
            println!("restored {}", path.display());
            println!(
                "re-applied {applied} anonymisations from {}",
                log.path().display()
            );
            Ok(())
        }
        Command::Synth {
            municipalities,
            residents,
            plans,
            organizations,
            agreements,
            seed,
        } => {
            let state = cus::open(config, false)?;
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let summary = cus::platform::synth::generate(
                &mut conn,
                cus::platform::synth::Sizes {
                    municipalities,
                    residents,
                    plans,
                    organizations,
                    agreements,
                    seed,
                },
            )?;
            let rows: usize = summary.tables.iter().map(|t| t.1).sum();
            println!(
                "synthetic deployment of {}: {rows} rows in {:.2} s (seed {seed})",
                summary.year,
                started.elapsed().as_secs_f64()
            );
            println!(
                "\nOrganizer logins (password for all: {}):",
                cus::platform::synth::PASSWORD
            );
            for (email, teryt, name) in &summary.logins {
                println!("  {email:<36} {teryt}  {name}");
            }
            Ok(())
        }
        Command::Retention {
            run,
            as_of,
            municipality,
        } => {
            let state = cus::open(config, false)?;
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let now = match as_of {
                Some(day) => day.and_time(cus_db::now().time()),
                None => cus_db::now(),
            };
            let scope = cus::privacy::retention::Scope {
                municipality,
                now,
                periods: &state.config.retention,
            };
            let started = std::time::Instant::now();
            let done =
                cus::privacy::retention::run_in(&mut conn, &scope, !run, &state.erasure_log())
                    .map_err(|e| e.to_string())?;
            for d in &done {
                println!("{} {}", d.kind, d.records);
            }
            println!(
                "{} in {:.3} s",
                if run { "done" } else { "dry run" },
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Assess {
            period,
            municipality,
        } => {
            let state = cus::open(config, false)?;
            let period = cus::assessment::Period::parse(&period)
                .ok_or_else(|| format!("--period: not a period: {period}"))?;
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let codes = match municipality {
                Some(m) => vec![m],
                None => cus::assessment::runs::municipality_codes(&mut conn)
                    .map_err(|e| e.to_string())?,
            };
            let started = std::time::Instant::now();
            let mut results = 0;
            // Every municipality's runs share the formulas' inputs, read once.
            let mut batch = (codes.len() > 1).then(cus::assessment::formulas::Batch::new);
            for m in &codes {
                let one = std::time::Instant::now();
                let run = cus::assessment::runs::run_in(
                    &mut conn,
                    m,
                    period,
                    None,
                    "manual",
                    state.assessment(),
                    batch.as_mut(),
                )
                .map_err(|e| format!("{m}: {e}"))?;
                results += run.results;
                println!(
                    "{m} {period}: {} results in {:.0} ms",
                    run.results,
                    one.elapsed().as_secs_f64() * 1000.0
                );
            }
            println!(
                "{} runs, {results} results in {:.3} s",
                codes.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Jobs { command } => {
            let state = cus::open(config, false)?;
            match command {
                JobsCommand::List { json } => {
                    let jobs = cus::platform::jobs::status(&state)?;
                    if json {
                        println!(
                            "{}",
                            serde_json::to_string_pretty(&jobs).map_err(|e| e.to_string())?
                        );
                    } else {
                        print_jobs(&jobs);
                    }
                    Ok(())
                }
                JobsCommand::Run { name } => {
                    if !cus::platform::jobs::registry(&state)
                        .iter()
                        .any(|j| j.name == name)
                    {
                        return Err(format!("unknown job {name}; see `cus jobs list`"));
                    }
                    match cus::platform::jobs::run(
                        &state,
                        &name,
                        &cus::platform::jobs::manual_slot(),
                    )? {
                        Some(outcome) => println!("{name}: {outcome}"),
                        None => println!("{name}: slot already claimed"),
                    }
                    Ok(())
                }
            }
        }
    }
}

/// `cus jobs list`: a table, one job a line.
fn print_jobs(jobs: &[cus::platform::jobs::JobStatus]) {
    let rows: Vec<[String; 7]> = jobs
        .iter()
        .map(|j| {
            let last = j.last_run.as_ref();
            [
                j.name.clone(),
                j.schedule.clone(),
                last.map(|r| r.slot.clone()).unwrap_or_else(|| "-".into()),
                last.map(|r| r.server.clone()).unwrap_or_else(|| "-".into()),
                last.and_then(|r| r.duration_ms)
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_else(|| "-".into()),
                last.map(|r| r.state.clone()).unwrap_or_else(|| "-".into()),
                last.and_then(|r| r.outcome.clone())
                    .unwrap_or_else(|| j.about.clone()),
            ]
        })
        .collect();
    let head = [
        "JOB",
        "SCHEDULE",
        "LAST SLOT",
        "BY",
        "TOOK",
        "STATE",
        "OUTCOME",
    ]
    .map(String::from);
    let mut width = [0usize; 6];
    for row in std::iter::once(&head).chain(&rows) {
        for (w, cell) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&head).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i < 6 {
                line.push_str(&format!("{cell:<w$}  ", w = width[i]));
            } else {
                line.push_str(cell);
            }
        }
        println!("{}", line.trim_end());
    }
    if let Some(j) = jobs.first() {
        println!("(schedules in {}; slots in UTC)", j.timezone);
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT) and names it.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return "SIGINT";
            }
        };
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

fn serve(config: Config, demo: bool) -> Result<(), String> {
    let state = cus::open(config, false)?;
    if demo {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        let seeded = cus::platform::demo::seed(&mut conn).map_err(|e| e.to_string())?;
        if !seeded {
            tracing::warn!("the database already has data: demonstration data not loaded again");
        }
    }
    let bind = state.config.server.bind.clone();
    let listener =
        std::net::TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "CUS is running at http://{addr}/ (database: {})",
        state.backend.name()
    );
    if demo {
        println!(
            "\nDemo logins (password for all: {}):",
            cus::platform::demo::PASSWORD
        );
        for (email, role, municipality) in cus::platform::demo::LOGINS {
            println!("  {email:<36} {role:<20} {municipality}");
        }
        println!();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let grace = std::time::Duration::from_secs(state.config.server.shutdown_seconds);
    let deadline = rt.block_on(async move {
        let scheduler = if state.config.jobs.enabled {
            Some(cus::platform::jobs::start(state.clone()).await?)
        } else {
            None
        };
        let server = cus::serve(state, listener).map_err(|e| e.to_string())?;
        let http = server.handle();
        let mut server = tokio::spawn(server);
        // actix-web stops on SIGTERM too: whichever notices first.
        let (reason, http_done) = tokio::select! {
            r = &mut server => match r {
                Ok(Ok(())) => ("the HTTP server stopped", true),
                Ok(Err(e)) => return Err(e.to_string()),
                Err(e) => return Err(e.to_string()),
            },
            s = shutdown_signal() => (s, false),
        };
        // Stop taking work: no more ticks, the relay finishes the message in
        // hand, HTTP finishes its requests; all within `shutdown_seconds`.
        let stopping = tokio::time::Instant::now();
        let deadline = stopping + grace;
        tracing::info!(reason, grace_seconds = grace.as_secs(), "stopping");
        let jobs = async {
            match scheduler {
                Some(s) => s.stop(deadline).await,
                None => true,
            }
        };
        let web = async {
            if !http_done {
                let _ = tokio::time::timeout_at(deadline, http.stop(true)).await;
                let _ = tokio::time::timeout_at(deadline, server).await;
            }
        };
        let (jobs_stopped, ()) = tokio::join!(jobs, web);
        if jobs_stopped {
            tracing::info!(took_ms = stopping.elapsed().as_millis() as u64, "stopped");
        } else {
            tracing::warn!(
                "a job was still running after {} s; exiting anyway (a message in hand is \
                 sent again once its claim expires)",
                grace.as_secs()
            );
        }
        Ok::<_, String>(deadline.into_std())
    })?;
    // Blocking tasks still running (an SMTP send that hangs) do not hold the
    // process past the grace period.
    rt.shutdown_timeout(
        deadline
            .saturating_duration_since(std::time::Instant::now())
            .max(std::time::Duration::from_millis(100)),
    );
    Ok(())
}
