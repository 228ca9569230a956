//! The outbox relay: renders queued messages from their templates and sends
//! them with lettre, to .eml files by default or over SMTP when configured.
//! A message keeps its Message-ID across retries and backs off exponentially
//! until `mail_max_attempts`.
//!
//! Claims: the relay claims one message at a time, just before sending it,
//! for `mail.claim_seconds` (30 s by default), and a heartbeat thread renews
//! the claim while the message is being sent, so no other relay takes it
//! while this one is alive. A relay that dies leaves at most the message in
//! hand claimed; its claim expires and the next relay run sends it again —
//! within about `claim_seconds` plus one outbox tick. If the relay died after
//! the SMTP server accepted the message but before marking it sent, the
//! message goes out twice with the same Message-ID: delivery is at least
//! once, and the receiver can drop the duplicate by its Message-ID.
//!
//! Stopping: the relay checks its stop flag before each message, so on
//! SIGTERM it finishes the message in hand and returns.

use chrono::Duration;
use cus_db::outbox::OutboxMessage;
use cus_db::{outbox, DbConn, Pool};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{mpsc, Mutex};

use crate::platform::config::Config;
use crate::platform::{i18n, templates};

/// Templates whose context holds a live secret (a password reset link, a
/// survey's one-time code): once the message is sent, the queued copy
/// forgets it, so that the database holds the link's hash only (and no
/// survey code is left beside the address it went to).
const SECRET_TEMPLATES: &[&str] = &["password_reset", "survey_invitation"];

fn forget_context(conn: &mut DbConn, id: &str) -> diesel::QueryResult<usize> {
    use cus_db::schema::outbox as queued;
    use diesel::prelude::*;
    diesel::update(queued::table.find(id))
        .set(queued::context.eq("{}"))
        .execute(conn)
}

pub enum Mailer {
    Files(FileTransport),
    Smtp(Box<SmtpTransport>),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, String> {
        if config.mail.smtp_url.trim().is_empty() {
            std::fs::create_dir_all(&config.mail.mail_dir)
                .map_err(|e| format!("mail directory {}: {e}", config.mail.mail_dir.display()))?;
            Ok(Mailer::Files(FileTransport::new(&config.mail.mail_dir)))
        } else {
            let smtp = SmtpTransport::from_url(config.mail.smtp_url.trim())
                .map_err(|e| format!("smtp_url: {e}"))?
                .timeout(Some(std::time::Duration::from_secs(
                    config.mail.smtp_timeout_seconds.max(1),
                )))
                .build();
            Ok(Mailer::Smtp(Box::new(smtp)))
        }
    }

    fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Mailer::Files(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Subject and body of a queued message in its language.
pub fn render(config: &Config, m: &OutboxMessage) -> Result<(String, String), String> {
    let lang = i18n::normalize(&m.locale);
    let mut context: serde_json::Value =
        serde_json::from_str(&m.context).map_err(|e| e.to_string())?;
    context["lang"] = lang.into();
    context["public_url"] = config.server.public_url.trim_end_matches('/').into();
    let subject = i18n::t(lang, &format!("email-{}-subject", m.template));
    let body = templates::render(&format!("email/{}", m.template), &context)?;
    Ok((subject, body))
}

fn build(config: &Config, m: &OutboxMessage) -> Result<Message, String> {
    let (subject, body) = render(config, m)?;
    Message::builder()
        .from(
            config
                .mail
                .from
                .parse()
                .map_err(|e| format!("mail.from: {e}"))?,
        )
        .to(m
            .to_address
            .parse()
            .map_err(|e| format!("recipient: {e}"))?)
        .subject(subject)
        .message_id(Some(m.message_id.clone()))
        .singlepart(
            // 8bit keeps the .eml files and the SMTP transcript readable.
            SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
                Body::new_with_encoding(body, ContentTransferEncoding::EightBit)
                    .unwrap_or_else(Body::new),
            ),
        )
        .map_err(|e| e.to_string())
}

/// What one relay run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    pub sent: usize,
    /// Failed now for good (`mail_max_attempts` reached).
    pub failed: usize,
    /// Refused or not reachable: retried later.
    pub retried: usize,
    /// Left in the queue because the relay was told to stop.
    pub stopped: bool,
}

/// Sends what is due, one claimed message at a time, as relay `by` (the
/// server id), on `conn`; the heartbeat renews claims on a connection of
/// `pool`. Returns after the batch, or after the message in hand once `stop`
/// is set.
pub fn relay(
    conn: &mut DbConn,
    pool: &Pool,
    config: &Config,
    mailer: &Mailer,
    by: &str,
    stop: &AtomicBool,
) -> Result<Relayed, String> {
    let lease = Duration::seconds(config.mail.claim_seconds.max(1) as i64);
    // Claims that outlived their relay go back to the queue.
    outbox::release_expired(conn).map_err(|e| e.to_string())?;
    let due = outbox::due(conn, config.mail.batch_size.max(1)).map_err(|e| e.to_string())?;
    let mut done = Relayed::default();
    if due.is_empty() {
        return Ok(done);
    }
    // The message in hand, whose claim the heartbeat renews.
    let in_hand: Mutex<Option<String>> = Mutex::new(None);
    let (quit, quit_rx) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(|| heartbeat(pool, by, lease, &in_hand, quit_rx));
        let result = (|| -> Result<(), String> {
            for m in due {
                if stop.load(Ordering::SeqCst) {
                    done.stopped = true;
                    break;
                }
                if !outbox::claim(conn, &m.id, by, lease).map_err(|e| e.to_string())? {
                    continue; // another relay has it
                }
                *in_hand.lock().unwrap_or_else(|p| p.into_inner()) = Some(m.id.clone());
                let sent = build(config, &m).and_then(|msg| mailer.send(&msg));
                *in_hand.lock().unwrap_or_else(|p| p.into_inner()) = None;
                settle(conn, config, &m, by, sent, &mut done)?;
            }
            Ok(())
        })();
        drop(quit);
        result
    })?;
    Ok(done)
}

/// Records how sending `m` went.
fn settle(
    conn: &mut DbConn,
    config: &Config,
    m: &OutboxMessage,
    by: &str,
    sent: Result<(), String>,
    done: &mut Relayed,
) -> Result<(), String> {
    match sent {
        Ok(()) => {
            if !outbox::mark_sent(conn, &m.id, by).map_err(|e| e.to_string())? {
                tracing::warn!(id = %m.id, message_id = %m.message_id,
                    "claim lost while sending: another relay may send it again");
            } else if SECRET_TEMPLATES.contains(&m.template.as_str()) {
                forget_context(conn, &m.id).map_err(|e| e.to_string())?;
            }
            done.sent += 1;
        }
        Err(e) => {
            let attempts = m.attempts + 1;
            let give_up = attempts >= config.rules.mail_max_attempts;
            let backoff = Duration::seconds(
                config.mail.retry_seconds.max(1) * 2i64.pow((attempts - 1).clamp(0, 12) as u32),
            );
            tracing::warn!(id = %m.id, attempts, error = %e, "mail not sent");
            outbox::mark_failed(
                conn,
                &m.id,
                by,
                attempts,
                give_up,
                cus_db::now() + backoff,
                &e,
            )
            .map_err(|e| e.to_string())?;
            if give_up {
                done.failed += 1;
            } else {
                done.retried += 1;
            }
        }
    }
    Ok(())
}

/// Renews the claim on the message in hand every third of the lease until
/// `quit` closes.
fn heartbeat(
    pool: &Pool,
    by: &str,
    lease: Duration,
    in_hand: &Mutex<Option<String>>,
    quit: mpsc::Receiver<()>,
) {
    let every = std::time::Duration::from_millis((lease.num_milliseconds() / 3).max(200) as u64);
    loop {
        match quit.recv_timeout(every) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let Some(id) = in_hand.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
            continue;
        };
        let renewed = pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| outbox::renew(&mut c, &id, by, lease).map_err(|e| e.to_string()));
        match renewed {
            Ok(true) => {}
            Ok(false) => tracing::debug!(%id, "claim no longer held (message settled)"),
            Err(e) => tracing::warn!(%id, error = %e, "could not renew the claim"),
        }
    }
}
