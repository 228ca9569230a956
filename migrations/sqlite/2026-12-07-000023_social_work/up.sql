-- Social work (issue 25, seed 002 and 003): households, districts, referrals
-- that hand a case over, social contracts (art. 108), and who a case is
-- assigned to. Kept in step with the other backend's tree (a test compares
-- them).

-- The social worker who took the case over (a referral accepted).
ALTER TABLE requests ADD COLUMN assigned_to TEXT REFERENCES users (id);
CREATE INDEX requests_assigned_to_idx ON requests (assigned_to);

-- Plan items wait for a place (the waiting list of issue 26): `planned` or
-- `waiting`; the diagnosis counts the waiting ones as unmet needs.
ALTER TABLE plan_items ADD COLUMN status TEXT NOT NULL DEFAULT 'planned';
CREATE INDEX plan_items_status_idx ON plan_items (status);

-- Rejony: their households go to their social workers by default, in the
-- order listed.
CREATE TABLE districts (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (municipality, name)
);
CREATE TABLE district_workers (
    district_id TEXT NOT NULL REFERENCES districts (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (district_id, user_id)
);
CREATE INDEX district_workers_user_idx ON district_workers (user_id);

-- A household (rodzina): who lives together, one head, a resident in one
-- household at a time (the unique resident below).
CREATE TABLE households (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    district_id TEXT REFERENCES districts (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX households_municipality_idx ON households (municipality);
CREATE INDEX households_district_idx ON households (district_id);
CREATE INDEX households_created_by_idx ON households (created_by);
CREATE TABLE household_members (
    household_id TEXT NOT NULL REFERENCES households (id),
    resident_id TEXT NOT NULL UNIQUE REFERENCES residents (id),
    relation TEXT NOT NULL,
    PRIMARY KEY (household_id, resident_id)
);
CREATE UNIQUE INDEX household_members_one_head_idx ON household_members (household_id) WHERE relation = 'head';

-- A referral (skierowanie) from the benefits officer to social work: the
-- message that sent it, and where it stands.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    request_id TEXT NOT NULL REFERENCES requests (id),
    message_id TEXT NOT NULL REFERENCES request_messages (id),
    status TEXT NOT NULL,
    suggested_to TEXT REFERENCES users (id),
    referred_by TEXT NOT NULL REFERENCES users (id),
    accepted_by TEXT REFERENCES users (id),
    accepted_at TIMESTAMP,
    done_at TIMESTAMP,
    outcome TEXT,
    delivered BOOLEAN,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_list_idx ON referrals (municipality, status, created_at);
CREATE INDEX referrals_request_idx ON referrals (request_id);
CREATE INDEX referrals_message_idx ON referrals (message_id);
CREATE INDEX referrals_suggested_to_idx ON referrals (suggested_to);
CREATE INDEX referrals_referred_by_idx ON referrals (referred_by);
CREATE INDEX referrals_accepted_by_idx ON referrals (accepted_by, status);
CREATE TABLE referral_events (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, at);
CREATE INDEX referral_events_actor_idx ON referral_events (actor_id);

-- A social contract (kontrakt socjalny, art. 108): goals (a JSON list), the
-- client's and the worker's commitments, and how it ended.
CREATE TABLE social_contracts (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    resident_id TEXT NOT NULL REFERENCES residents (id),
    worker_id TEXT NOT NULL REFERENCES users (id),
    goals TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    ended_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX social_contracts_municipality_idx ON social_contracts (municipality, status, start_date);
CREATE INDEX social_contracts_worker_idx ON social_contracts (worker_id, status);
CREATE INDEX social_contracts_resident_idx ON social_contracts (resident_id);
-- A commitment: `party` client or worker, `position` from 0 over the
-- client's followed by the worker's.
CREATE TABLE contract_commitments (
    contract_id TEXT NOT NULL REFERENCES social_contracts (id),
    position INTEGER NOT NULL,
    party TEXT NOT NULL,
    text TEXT NOT NULL,
    due DATE,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    done_at TIMESTAMP,
    PRIMARY KEY (contract_id, position)
);

-- The dictionary gains the social worker's indicators (API.md, "Social work").
INSERT INTO indicators (code, name, kind, unit, higher_is_better, subjects, source, formula, target_centi, description, created_at, updated_at) VALUES
('social_contracts_completed', 'Skuteczne kontrakty socjalne', 'quality', '%', TRUE, 'municipality', 'computed', 'social_contracts_completed', NULL, 'Z kontraktów socjalnych zakończonych w okresie jako zrealizowane lub zerwane: odsetek zrealizowanych.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('social_contracts_per_100_clients', 'Kontrakty socjalne na 100 klientów', 'efficiency', 'count', TRUE, 'municipality', 'computed', 'social_contracts_per_100_clients', NULL, 'Kontrakty socjalne trwające w którymkolwiek dniu okresu na 100 różnych osób z wnioskiem lub planem w okresie.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('households_per_social_worker', 'Środowiska na pracownika socjalnego', 'efficiency', 'count', FALSE, 'municipality', 'computed', 'households_per_social_worker', NULL, 'Rodziny w obciążeniu pracowników socjalnych (aktywne kontrakty, przyjęte skierowania) na koniec okresu na jedno aktywne konto pracownika socjalnego; norma art. 110 ust. 11: 50.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
