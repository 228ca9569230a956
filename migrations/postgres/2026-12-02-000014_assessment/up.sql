-- Issue 8: assessment and benchmarking. Kept in step with ../../sqlite/.
--
-- Figures are stored in hundredths (BIGINT `_centi` columns: 47.5 % is
-- 4750), so both backends hold them exactly and rounding happens once.

-- The indicator dictionary: one for the deployment, so a comparison across
-- municipalities compares one definition. `subjects` lists what a value is
-- about (comma-separated: municipality, agreement, service); `formula`
-- names the function that computes a `computed` (or `surveyed`) one.
CREATE TABLE indicators (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    higher_is_better BOOLEAN NOT NULL,
    subjects TEXT NOT NULL,
    source TEXT NOT NULL,
    formula TEXT,
    target_centi BIGINT,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Research tools (WKUS): named sets of indicators with a cadence; the
-- scheduled job computes a set when one of its periods has just ended.
CREATE TABLE indicator_sets (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    cadence TEXT NOT NULL,
    indicators TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One computation of a municipality's indicators for a period. At most one
-- `running` row per municipality (the partial unique index): a second run
-- is refused while the first holds it.
CREATE TABLE assessment_runs (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    origin TEXT NOT NULL,
    started_by TEXT REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    results INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE UNIQUE INDEX assessment_runs_running_idx ON assessment_runs (municipality) WHERE status = 'running';
CREATE INDEX assessment_runs_municipality_idx ON assessment_runs (municipality, started_at);
CREATE INDEX assessment_runs_started_by_idx ON assessment_runs (started_by);

-- Results, computed (run_id) or entered by staff (entered_by). `latest`
-- marks the latest per (indicator, period, subject); older ones stay as
-- history. `inputs` is the JSON of the numbers the value came from.
CREATE TABLE assessment_results (
    id TEXT PRIMARY KEY NOT NULL,
    run_id TEXT REFERENCES assessment_runs (id),
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    indicator TEXT NOT NULL REFERENCES indicators (code),
    period TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    value_centi BIGINT,
    suppressed BOOLEAN NOT NULL,
    inputs TEXT NOT NULL,
    latest BOOLEAN NOT NULL,
    entered_by TEXT REFERENCES users (id),
    computed_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_results_lookup_idx ON assessment_results (indicator, period, subject_type, latest);
CREATE INDEX assessment_results_municipality_idx ON assessment_results (municipality, period, latest);
CREATE INDEX assessment_results_run_idx ON assessment_results (run_id);
CREATE INDEX assessment_results_entered_by_idx ON assessment_results (entered_by);

-- Recipient surveys. Codes are stored hashed and hold no resident: a code
-- says only whether it was used; a response holds only its day, so nothing
-- links an answer to the person who gave it.
CREATE TABLE surveys (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    title TEXT NOT NULL,
    agreement_id TEXT REFERENCES agreements (id),
    service_code TEXT,
    period TEXT NOT NULL,
    questions TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX surveys_municipality_idx ON surveys (municipality);
CREATE INDEX surveys_agreement_idx ON surveys (agreement_id);
CREATE INDEX surveys_created_by_idx ON surveys (created_by);

CREATE TABLE survey_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    channel TEXT NOT NULL,
    interviewer_id TEXT REFERENCES users (id),
    used BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_codes_survey_idx ON survey_codes (survey_id);
CREATE INDEX survey_codes_interviewer_idx ON survey_codes (interviewer_id);

CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    day DATE NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX survey_responses_survey_idx ON survey_responses (survey_id, day);

-- Benchmarking groups (GWD, seeds 000 and 001).
CREATE TABLE benchmark_groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    coordinator TEXT NOT NULL REFERENCES municipalities (teryt),
    indicators TEXT NOT NULL,
    services TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX benchmark_groups_coordinator_idx ON benchmark_groups (coordinator);
CREATE INDEX benchmark_groups_created_by_idx ON benchmark_groups (created_by);

CREATE TABLE benchmark_members (
    group_id TEXT NOT NULL REFERENCES benchmark_groups (id),
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    population INTEGER,
    profile TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, municipality)
);
CREATE INDEX benchmark_members_municipality_idx ON benchmark_members (municipality);

CREATE TABLE benchmark_meetings (
    id TEXT PRIMARY KEY NOT NULL,
    group_id TEXT NOT NULL REFERENCES benchmark_groups (id),
    day DATE NOT NULL,
    host TEXT NOT NULL REFERENCES municipalities (teryt),
    agenda TEXT NOT NULL,
    lead_topics TEXT NOT NULL,
    good_practices TEXT NOT NULL,
    decisions TEXT NOT NULL,
    next_host TEXT REFERENCES municipalities (teryt),
    attendance TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX benchmark_meetings_group_idx ON benchmark_meetings (group_id, day);
CREATE INDEX benchmark_meetings_host_idx ON benchmark_meetings (host);
CREATE INDEX benchmark_meetings_next_host_idx ON benchmark_meetings (next_host);
CREATE INDEX benchmark_meetings_created_by_idx ON benchmark_meetings (created_by);

CREATE TABLE benchmark_rounds (
    id TEXT PRIMARY KEY NOT NULL,
    group_id TEXT NOT NULL REFERENCES benchmark_groups (id),
    period TEXT NOT NULL,
    deadline DATE NOT NULL,
    indicators TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX benchmark_rounds_group_idx ON benchmark_rounds (group_id, period);

CREATE TABLE benchmark_values (
    round_id TEXT NOT NULL REFERENCES benchmark_rounds (id),
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    indicator TEXT NOT NULL REFERENCES indicators (code),
    value_centi BIGINT,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, municipality, indicator)
);
CREATE INDEX benchmark_values_municipality_idx ON benchmark_values (municipality);
CREATE INDEX benchmark_values_indicator_idx ON benchmark_values (indicator);
CREATE INDEX benchmark_values_submitted_by_idx ON benchmark_values (submitted_by);

-- Corrective actions: an improvement plan for a figure below the group or
-- the target; `baseline_centi` is the value it starts from.
CREATE TABLE corrective_actions (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    indicator TEXT NOT NULL REFERENCES indicators (code),
    period TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    group_id TEXT REFERENCES benchmark_groups (id),
    meeting_id TEXT REFERENCES benchmark_meetings (id),
    title TEXT NOT NULL,
    plan TEXT NOT NULL,
    steps TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    funding TEXT NOT NULL,
    expected_effect TEXT NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL,
    baseline_centi BIGINT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX corrective_actions_municipality_idx ON corrective_actions (municipality, status);
CREATE INDEX corrective_actions_indicator_idx ON corrective_actions (indicator);
CREATE INDEX corrective_actions_group_idx ON corrective_actions (group_id);
CREATE INDEX corrective_actions_meeting_idx ON corrective_actions (meeting_id);
CREATE INDEX corrective_actions_owner_idx ON corrective_actions (owner_id);
CREATE INDEX corrective_actions_created_by_idx ON corrective_actions (created_by);
CREATE INDEX corrective_actions_due_idx ON corrective_actions (status, due_date);

CREATE TABLE corrective_events (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES corrective_actions (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX corrective_events_action_idx ON corrective_events (action_id);
CREATE INDEX corrective_events_actor_idx ON corrective_events (actor_id);

-- What the overdue reminder sent: one row per (action, day), written with
-- the outbox message, so a second run the same day queues nothing.
CREATE TABLE corrective_reminders (
    action_id TEXT NOT NULL REFERENCES corrective_actions (id),
    day DATE NOT NULL,
    outbox_id TEXT NOT NULL,
    PRIMARY KEY (action_id, day)
);

-- The default dictionary (API.md): computed from the platform's records.
INSERT INTO indicators (code, name, kind, unit, higher_is_better, subjects, source, formula, target_centi, description, created_at, updated_at) VALUES
('ipus_drawn_up_30d', 'IPUS opracowane w ciągu 30 dni', 'quality', '%', TRUE, 'municipality', 'computed', 'ipus_drawn_up_30d', 9000, 'Z planów zatwierdzonych w okresie: odsetek zatwierdzonych w ciągu 30 dni od daty wniosku.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('plan_employment', 'Podjęcie zatrudnienia po IPUS', 'quality', '%', TRUE, 'municipality', 'computed', 'plan_employment', NULL, 'Z planów zamkniętych w okresie: odsetek zamkniętych z wynikiem „podjęcie zatrudnienia” (por. 19 z 40 osób w seed 003).', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('plan_goals_achieved', 'Cele IPUS osiągnięte', 'quality', '%', TRUE, 'municipality', 'computed', 'plan_goals_achieved', NULL, 'Z planów zamkniętych w okresie: odsetek z celami osiągniętymi lub podjęciem zatrudnienia.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('plan_reviewed_on_time', 'Przeglądy IPUS w terminie', 'quality', '%', TRUE, 'municipality', 'computed', 'plan_reviewed_on_time', 9000, 'Z planów z datą przeglądu w okresie (już minioną): odsetek przejrzanych najpóźniej w tym dniu.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('request_routing_days', 'Czas skierowania wniosku', 'efficiency', 'days', FALSE, 'municipality', 'computed', 'request_routing_days', NULL, 'Średnia liczba dni od złożenia wniosku do pierwszego skierowania, dla wniosków złożonych w okresie.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('recipients', 'Odbiorcy usług', 'efficiency', 'people', TRUE, 'agreement', 'computed', 'recipients', NULL, 'Różne osoby z pozycją IPUS powiązaną z umową w okresie, w planie, który został zatwierdzony.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('capacity_use', 'Wykorzystanie miejsc', 'efficiency', '%', TRUE, 'agreement', 'computed', 'capacity_use', 8000, 'Odbiorcy (miejsca) lub zaplanowane godziny w okresie wobec zdolności umowy (proporcjonalnie do długości okresu).', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('cost_per_recipient', 'Koszt na odbiorcę', 'efficiency', 'PLN', FALSE, 'agreement,municipality', 'computed', 'cost_per_recipient', NULL, 'Transze lat okresu (proporcjonalnie do dni) podzielone przez liczbę odbiorców.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('cost_per_service_hour', 'Koszt godziny usługi', 'efficiency', 'PLN', FALSE, 'agreement', 'computed', 'cost_per_service_hour', NULL, 'Te same środki podzielone przez zaplanowane godziny (godziny miesięcznie × miesiące okresu).', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('own_contribution_share', 'Udział wkładu własnego', 'efficiency', '%', TRUE, 'agreement', 'computed', 'own_contribution_share', NULL, 'Wkład własny (finansowy i niefinansowy) oferty w całkowitym koszcie zadania.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('report_timeliness', 'Terminowość sprawozdań', 'quality', '%', TRUE, 'municipality', 'computed', 'report_timeliness', 10000, 'Z umów zakończonych w okresie: odsetek ze sprawozdaniem końcowym złożonym w ciągu 30 dni od końca umowy.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('community_continuity', 'Ciągłość pracy środowiskowej', 'quality', '%', TRUE, 'municipality', 'computed', 'community_continuity', NULL, 'Odsetek miesięcy okresu, w których w każdej społeczności odnotowano co najmniej jedno działanie.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
('recipient_satisfaction', 'Zadowolenie odbiorców', 'quality', 'points', TRUE, 'agreement,service,municipality', 'surveyed', 'recipient_satisfaction', 400, 'Średnia odpowiedź (1–5) na pytania ankiet oznaczone jako zadowolenie, z odpowiedzi w okresie.', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

INSERT INTO indicator_sets (code, name, cadence, indicators, created_at) VALUES
('wkus_quarterly', 'WKUS: jakość i efektywność (kwartalnie)', 'quarterly', '["ipus_drawn_up_30d","plan_reviewed_on_time","request_routing_days","recipients","capacity_use","cost_per_recipient","cost_per_service_hour","recipient_satisfaction"]', CURRENT_TIMESTAMP),
('wkus_yearly', 'WKUS: ocena roczna przed kontraktowaniem wieloletnim', 'yearly', '["ipus_drawn_up_30d","plan_employment","plan_goals_achieved","plan_reviewed_on_time","request_routing_days","recipients","capacity_use","cost_per_recipient","cost_per_service_hour","own_contribution_share","report_timeliness","community_continuity","recipient_satisfaction"]', CURRENT_TIMESTAMP);
