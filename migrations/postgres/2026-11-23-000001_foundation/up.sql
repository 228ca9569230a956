-- The foundation: municipalities, users and sessions, the single window, IPUS,
-- audit, outbox and job claims. Kept in step with ../../sqlite/ (same tables,
-- same columns; a test compares them). Every foreign key has an index.

CREATE TABLE municipalities (
    teryt TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE residents (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    pesel TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    address TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (municipality, pesel)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    municipality TEXT REFERENCES municipalities (teryt),
    organization_id TEXT,
    resident_id TEXT REFERENCES residents (id),
    display_name TEXT NOT NULL,
    locale TEXT NOT NULL,
    email_confirmed_at TIMESTAMP,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_municipality_idx ON users (municipality);
CREATE INDEX users_resident_idx ON users (resident_id);
CREATE INDEX users_organization_idx ON users (organization_id);

CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_address_idx ON login_attempts (address, at);

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    area TEXT NOT NULL,
    standard TEXT NOT NULL,
    variant TEXT NOT NULL,
    phase TEXT NOT NULL,
    fee_rule TEXT NOT NULL,
    access_criteria TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (municipality, code)
);

CREATE TABLE case_counters (
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (municipality, year)
);

CREATE TABLE requests (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    case_number TEXT NOT NULL UNIQUE,
    resident_id TEXT NOT NULL REFERENCES residents (id),
    service_id TEXT REFERENCES services (id),
    description TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_role TEXT,
    deadline DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX requests_municipality_idx ON requests (municipality, status);
CREATE INDEX requests_resident_idx ON requests (resident_id);
CREATE INDEX requests_service_idx ON requests (service_id);
CREATE INDEX requests_created_by_idx ON requests (created_by);

CREATE TABLE request_events (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    actor_id TEXT REFERENCES users (id),
    status TEXT NOT NULL,
    assigned_role TEXT,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX request_events_request_idx ON request_events (request_id, at);
CREATE INDEX request_events_actor_idx ON request_events (actor_id);

CREATE TABLE request_messages (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    from_role TEXT NOT NULL,
    to_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX request_messages_request_idx ON request_messages (request_id, at);
CREATE INDEX request_messages_author_idx ON request_messages (author_id);

CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    request_id TEXT REFERENCES requests (id),
    coordinator_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    goals TEXT NOT NULL,
    needs TEXT NOT NULL,
    resident_commitments TEXT NOT NULL,
    application_date DATE NOT NULL,
    deadline DATE NOT NULL,
    review_date DATE,
    consent_at TIMESTAMP,
    consent_recorded_by TEXT REFERENCES users (id),
    approved_by TEXT REFERENCES users (id),
    approved_at TIMESTAMP,
    closing_summary TEXT,
    outcome TEXT,
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plans_municipality_idx ON plans (municipality, status);
CREATE INDEX plans_resident_idx ON plans (resident_id);
CREATE INDEX plans_request_idx ON plans (request_id);
CREATE INDEX plans_coordinator_idx ON plans (coordinator_id);
CREATE INDEX plans_consent_recorded_by_idx ON plans (consent_recorded_by);
CREATE INDEX plans_approved_by_idx ON plans (approved_by);

CREATE TABLE plan_items (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    provider TEXT NOT NULL,
    provider_agreement_id TEXT,
    frequency TEXT NOT NULL,
    hours_per_month INTEGER,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_items_plan_idx ON plan_items (plan_id);
CREATE INDEX plan_items_service_idx ON plan_items (service_id);
CREATE INDEX plan_items_agreement_idx ON plan_items (provider_agreement_id);

CREATE TABLE plan_events (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX plan_events_plan_idx ON plan_events (plan_id, at);
CREATE INDEX plan_events_actor_idx ON plan_events (actor_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT REFERENCES users (id),
    municipality TEXT REFERENCES municipalities (teryt),
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
CREATE INDEX audit_log_municipality_idx ON audit_log (municipality, at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    template TEXT NOT NULL,
    locale TEXT NOT NULL,
    context TEXT NOT NULL,
    to_address TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome TEXT,
    PRIMARY KEY (job, slot)
);
