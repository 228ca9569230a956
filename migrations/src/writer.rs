//! Group commit for SQLite: one thread owns the write connection, units of
//! work from many requests queue to it, and it runs as many as are waiting in
//! one `BEGIN IMMEDIATE … COMMIT` — each unit in its own savepoint, so one
//! unit's error or panic rolls back only that unit — then fsyncs once and
//! settles every unit of the batch. A unit's caller hears back only after the
//! commit that made its work durable (WAL + `synchronous = FULL`), so an
//! acknowledgement always means "on disk".
//!
//! Why: SQLite takes one writer at a time, and every commit costs an fsync.
//! Writers that each open their own transaction sleep in the busy handler and
//! pay one fsync each; a queue to one writer pays one fsync per batch and
//! never sleeps.
//!
//! The writer is runtime-agnostic: a caller hands over a closure and a
//! callback; the web layer's callback completes a future.

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::result::Error as DieselError;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::conn::DatabaseUrl;
use crate::DbConn;

/// At most this many units share one commit: bounds the latency a unit at
/// the end of a long batch waits for its neighbours.
const MAX_BATCH: usize = 256;

/// Why a queued unit did not commit.
#[derive(Debug)]
pub enum WriteError<E> {
    /// The unit itself refused or failed; its savepoint was rolled back.
    Unit(E),
    /// The unit panicked; its savepoint was rolled back.
    Panicked(String),
    /// The batch's commit (or its start) failed: nothing of the batch is
    /// durable, so nothing is acknowledged.
    Commit(String),
}

/// Called once the outcome of a unit is final: after the commit for a unit
/// that succeeded, or when the batch failed.
type Settle = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A unit runs inside its savepoint and hands back how to settle it, and
/// whether the batch's transaction is still sound (every rollback worked).
type Unit = Box<dyn FnOnce(&mut DbConn) -> (Settle, bool) + Send>;

/// What the writer thread takes from its queue.
enum Msg {
    Unit(Unit),
    /// Finish what was queued before, then stop (see [`Writer::halt`]).
    Halt,
}

/// The handle requests use to queue work to the writer thread.
pub struct Writer {
    queue: Option<mpsc::Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Opens the write connection on `url` and starts the writer thread.
    pub fn start(url: &str) -> Result<Writer, String> {
        let url = DatabaseUrl::parse(url);
        let conn = url
            .establish()
            .map_err(|e| format!("cannot open the write connection: {e}"))?;
        let (queue, units) = mpsc::channel::<Msg>();
        let thread = std::thread::Builder::new()
            .name("cus-writer".into())
            .spawn(move || run(url, conn, units))
            .map_err(|e| format!("cannot start the writer: {e}"))?;
        Ok(Writer {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues `f`; `done` hears its outcome once that outcome is durable.
    pub fn submit<T, E, F, D>(&self, f: F, done: D)
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        D: FnOnce(Result<T, WriteError<E>>) + Send + 'static,
        T: Send + 'static,
        E: From<DieselError> + Send + 'static,
    {
        let unit: Unit = Box::new(move |conn: &mut DbConn| {
            let (outcome, sound) = in_savepoint(conn, f);
            let settle = Box::new(move |commit: Result<(), String>| match (outcome, commit) {
                (Ok(value), Ok(())) => done(Ok(value)),
                (Ok(_), Err(e)) => done(Err(WriteError::Commit(e))),
                (Err(e), _) => done(Err(e)),
            }) as Settle;
            (settle, sound)
        });
        // If the thread is gone the unit is dropped unrun, and its caller
        // sees the answer channel close: an error, never an acknowledgement.
        if let Some(queue) = &self.queue {
            let _ = queue.send(Msg::Unit(unit));
        }
    }

    /// Whether the writer thread is alive to take units (readiness).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the thread after the units already queued; units queued later
    /// are dropped unrun, so their callers get an error, never an
    /// acknowledgement. What a dead writer looks like, for the readiness
    /// check's tests.
    pub fn halt(&self) {
        if let Some(queue) = &self.queue {
            let _ = queue.send(Msg::Halt);
        }
    }
}

impl Drop for Writer {
    /// Lets the thread finish the units already queued, then joins it (when
    /// the last handle goes; a process that exits first takes unanswered
    /// units with it, none of them acknowledged).
    fn drop(&mut self) {
        self.queue.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type Tm = <DbConn as Connection>::TransactionManager;

fn depth(conn: &mut DbConn) -> Option<u32> {
    match Tm::transaction_manager_status_mut(conn).transaction_depth() {
        Ok(d) => Some(d.map(|d| d.get()).unwrap_or(0)),
        Err(_) => None,
    }
}

/// Runs `f` in a savepoint of the open batch; an error or a panic rolls the
/// savepoint back (and any savepoints `f` left open), leaving the batch as
/// it was before the unit. The flag is false when a rollback failed: the
/// unit's writes may still be in the batch, which must then not commit.
fn in_savepoint<T, E, F>(conn: &mut DbConn, f: F) -> (Result<T, WriteError<E>>, bool)
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<DieselError>,
{
    let base = depth(conn).unwrap_or(0);
    if let Err(e) = Tm::begin_transaction(conn) {
        return (Err(WriteError::Unit(E::from(e))), depth(conn) == Some(base));
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| f(conn)));
    let mut sound = true;
    // Close whatever `f` left open above its own savepoint (a panic midway
    // through a nested transaction).
    while depth(conn).is_some_and(|d| d > base + 1) {
        if Tm::rollback_transaction(conn).is_err() {
            sound = false;
            break;
        }
    }
    let result = match outcome {
        Ok(Ok(value)) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                sound &= Tm::rollback_transaction(conn).is_ok();
                Err(WriteError::Unit(E::from(e)))
            }
        },
        Ok(Err(e)) => {
            sound &= Tm::rollback_transaction(conn).is_ok();
            Err(WriteError::Unit(e))
        }
        Err(panic) => {
            sound &= Tm::rollback_transaction(conn).is_ok();
            let message = panic_message(&panic);
            tracing::error!(panic = %message, "a unit of work panicked; its savepoint was rolled back");
            Err(WriteError::Panicked(message))
        }
    };
    (result, sound)
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// The writer thread: take what is queued, run it in one transaction, commit,
/// settle, repeat until every sender is gone.
fn run(url: DatabaseUrl, conn: DbConn, units: mpsc::Receiver<Msg>) {
    let mut conn = Some(conn);
    // A unit taken from the queue but not yet run (the batch it was meant
    // for failed before it ran): it goes first into the next batch.
    let mut carried: Vec<Unit> = Vec::new();
    let mut halting = false;
    loop {
        let mut batch = std::mem::take(&mut carried);
        if batch.is_empty() {
            if halting {
                return;
            }
            match units.recv() {
                Ok(Msg::Unit(u)) => batch.push(u),
                Ok(Msg::Halt) | Err(_) => return,
            }
        }
        while batch.len() < MAX_BATCH && !halting {
            match units.try_recv() {
                Ok(Msg::Unit(u)) => batch.push(u),
                Ok(Msg::Halt) => halting = true,
                Err(_) => break,
            }
        }
        metrics::histogram!("cus_db_writer_batch_size").record(batch.len() as f64);
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match url.establish() {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    tracing::error!(error = %e, "the writer cannot reconnect");
                    fail_unrun(batch, &format!("database unavailable: {e}"));
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    continue;
                }
            },
        };
        if let Err(e) = begin(c) {
            tracing::error!(error = %e, "the writer cannot begin a batch");
            fail_unrun(batch, &e.to_string());
            conn = None;
            continue;
        }
        let mut settles: Vec<Settle> = Vec::with_capacity(batch.len());
        let mut pending = batch.into_iter();
        let mut healthy = true;
        for unit in pending.by_ref() {
            let (settle, sound) = unit(c);
            settles.push(settle);
            // A unit must leave the batch exactly as deep as it found it, and
            // every rollback must have worked; otherwise the batch cannot be
            // trusted and nothing of it commits.
            if !sound || depth(c) != Some(1) {
                healthy = false;
                break;
            }
        }
        carried.extend(pending);
        let commit = if healthy {
            Tm::commit_transaction(c).map_err(|e| e.to_string())
        } else {
            Err("the batch's transaction broke".to_string())
        };
        if let Err(e) = &commit {
            tracing::error!(error = %e, units = settles.len(), "a batch did not commit");
            let _ = Tm::rollback_transaction(c);
            if depth(c) != Some(0) {
                // State unknown: drop the connection (SQLite rolls back an
                // open transaction on close) and open a new one.
                conn = None;
            }
        }
        for settle in settles {
            settle(commit.clone());
        }
    }
}

fn begin(conn: &mut DbConn) -> Result<(), DieselError> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        DbConn::Pg(_) => Tm::begin_transaction(conn),
    }
}

/// Units that never ran are dropped unrun: nothing of theirs was written,
/// and their callers see the answer channel close (an error, never an
/// acknowledgement).
fn fail_unrun(batch: Vec<Unit>, why: &str) {
    tracing::warn!(units = batch.len(), reason = why, "units refused unrun");
    drop(batch);
}
