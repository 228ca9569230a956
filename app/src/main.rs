//! `cus`: the command line of the platform.

use clap::{Parser, Subcommand};
use cus::config::Config;
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
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
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
enum JobsCommand {
    /// One job a line: name, then its cron schedule.
    List,
    /// Run one job now.
    Run { name: String },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CUS_LOG")
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let mut config = Config::load(cli.config)?;
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
            let seeded = cus::demo::seed(&mut conn).map_err(|e| e.to_string())?;
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
            let id = cus::auth::create_user(
                &mut conn,
                cus::auth::NewUser {
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
                    serde_json::to_string(&cus::error::translate_fields(&f, "en"))
                        .unwrap_or_default()
                ),
                other => other.to_string(),
            })?;
            println!("{id}");
            Ok(())
        }
        Command::Jobs { command } => {
            let state = cus::open(config, false)?;
            match command {
                JobsCommand::List => {
                    for job in cus::jobs::registry(&state) {
                        println!("{}\t{}\t{}", job.name, job.schedule, job.about);
                    }
                    Ok(())
                }
                JobsCommand::Run { name } => {
                    if !cus::jobs::registry(&state).iter().any(|j| j.name == name) {
                        return Err(format!("unknown job {name}; see `cus jobs list`"));
                    }
                    match cus::jobs::run(&state, &name, &cus::jobs::manual_slot())? {
                        Some(outcome) => println!("{name}: {outcome}"),
                        None => println!("{name}: slot already claimed"),
                    }
                    Ok(())
                }
            }
        }
    }
}

fn serve(config: Config, demo: bool) -> Result<(), String> {
    let state = cus::open(config, false)?;
    if demo {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        let seeded = cus::demo::seed(&mut conn).map_err(|e| e.to_string())?;
        if !seeded {
            eprintln!("the database already has data: demonstration data not loaded again");
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
        println!("\nDemo logins (password for all: {}):", cus::demo::PASSWORD);
        for (email, role, municipality) in cus::demo::LOGINS {
            println!("  {email:<36} {role:<20} {municipality}");
        }
        println!();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let _scheduler = if state.config.jobs.enabled {
            Some(cus::jobs::start(state.clone()).await?)
        } else {
            None
        };
        let server = cus::serve(state, listener).map_err(|e| e.to_string())?;
        server.await.map_err(|e| e.to_string())
    })
}
