DROP TABLE sent_reminders;
DROP INDEX job_runs_claimed_idx;
ALTER TABLE outbox DROP COLUMN claimed_by;
