-- Issue 13: exactly once across servers. Kept in step with ../../sqlite/.
--
-- The relay's claim on an outbox row names its holder, so only the holder
-- renews it or marks the row sent; `next_attempt_at` of a `sending` row is
-- the claim's expiry.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

-- `cus jobs list` reads a job's newest run; housekeeping prunes by age.
CREATE INDEX job_runs_claimed_idx ON job_runs (job, claimed_at);

-- What a reminder job sent: one row per (agreement, kind, day), written in
-- the transaction that queues the mail, so a second run for the same day
-- (by hand, a late tick, a restored database) queues nothing new.
CREATE TABLE sent_reminders (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    kind TEXT NOT NULL,
    day DATE NOT NULL,
    outbox_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, kind, day)
);
