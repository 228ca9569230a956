-- Data protection (issue 24): a resident's legal hold, restriction of
-- processing and anonymisation (keeping birth year and sex, which the
-- figures may use, once the PESEL is gone), and data subject requests.
-- Kept in step with the other backend's tree (a test compares them).

ALTER TABLE residents ADD COLUMN birth_year INTEGER;
ALTER TABLE residents ADD COLUMN sex TEXT;
ALTER TABLE residents ADD COLUMN anonymised_at TIMESTAMP;
ALTER TABLE residents ADD COLUMN held_at TIMESTAMP;
ALTER TABLE residents ADD COLUMN held_reason TEXT;
ALTER TABLE residents ADD COLUMN restricted_at TIMESTAMP;

CREATE TABLE privacy_requests (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    due DATE NOT NULL,
    filed_by TEXT NOT NULL REFERENCES users (id),
    filed_at TIMESTAMP NOT NULL,
    decision TEXT,
    reason TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP
);
CREATE INDEX privacy_requests_open_idx ON privacy_requests (municipality, status, due);
CREATE INDEX privacy_requests_resident_idx ON privacy_requests (resident_id);
CREATE INDEX privacy_requests_filed_by_idx ON privacy_requests (filed_by);
CREATE INDEX privacy_requests_decided_by_idx ON privacy_requests (decided_by);
-- Retention counts expired rows by time.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX user_tokens_expires_idx ON user_tokens (expires_at);
CREATE INDEX outbox_sent_idx ON outbox (status, sent_at);
CREATE INDEX audit_log_at_idx ON audit_log (at);
