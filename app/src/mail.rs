//! The outbox relay: renders queued messages from their templates and sends
//! them with lettre, to .eml files by default or over SMTP when configured.
//! A message is claimed before it is sent, keeps its Message-ID across
//! retries, and backs off exponentially until `mail_max_attempts`.

use chrono::Duration;
use cus_db::outbox::{OutboxMessage, FAILED, PENDING, SENDING, SENT};
use cus_db::schema::outbox;
use cus_db::{now, DbConn};
use diesel::prelude::*;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::{i18n, templates};

/// Claimed but unfinished messages are retried after this long (a relay that
/// died mid-send); the receiver can drop the duplicate by its Message-ID.
const CLAIM_MINUTES: i64 = 10;

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
                .timeout(Some(std::time::Duration::from_secs(20)))
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

/// Sends what is due. Returns (sent, failed now for good, retried later).
pub fn relay(
    conn: &mut DbConn,
    config: &Config,
    mailer: &Mailer,
) -> QueryResult<(usize, usize, usize)> {
    // Claims that outlived their relay go back to the queue.
    diesel::update(
        outbox::table
            .filter(outbox::status.eq(SENDING))
            .filter(outbox::next_attempt_at.lt(now())),
    )
    .set(outbox::status.eq(PENDING))
    .execute(conn)?;
    let due: Vec<OutboxMessage> = outbox::table
        .filter(outbox::status.eq(PENDING))
        .filter(outbox::next_attempt_at.le(now()))
        .order(outbox::created_at)
        .limit(100)
        .select(OutboxMessage::as_select())
        .load(conn)?;
    let (mut sent, mut failed, mut retried) = (0, 0, 0);
    for m in due {
        let claimed = diesel::update(outbox::table.find(&m.id).filter(outbox::status.eq(PENDING)))
            .set((
                outbox::status.eq(SENDING),
                outbox::next_attempt_at.eq(now() + Duration::minutes(CLAIM_MINUTES)),
            ))
            .execute(conn)?;
        if claimed == 0 {
            continue;
        }
        match build(config, &m).and_then(|msg| mailer.send(&msg)) {
            Ok(()) => {
                diesel::update(outbox::table.find(&m.id))
                    .set((
                        outbox::status.eq(SENT),
                        outbox::sent_at.eq(now()),
                        outbox::last_error.eq(None::<String>),
                    ))
                    .execute(conn)?;
                sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let give_up = attempts >= config.rules.mail_max_attempts;
                let backoff = Duration::seconds(30 * 2i64.pow(attempts.min(12) as u32));
                tracing::warn!(id = %m.id, attempts, error = %e, "mail not sent");
                diesel::update(outbox::table.find(&m.id))
                    .set((
                        outbox::status.eq(if give_up { FAILED } else { PENDING }),
                        outbox::attempts.eq(attempts),
                        outbox::next_attempt_at.eq(now() + backoff),
                        outbox::last_error.eq(e.chars().take(1000).collect::<String>()),
                    ))
                    .execute(conn)?;
                if give_up {
                    failed += 1;
                } else {
                    retried += 1;
                }
            }
        }
    }
    Ok((sent, failed, retried))
}
