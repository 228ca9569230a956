-- Issue 9: the social services program (CUS act art. 4) and the diagnosis
-- of needs and potential it rests on. Kept in step with the other tree.

-- A dated diagnosis: needs and potential written by hand, `figures`
-- computed from the platform's records while a draft and frozen (JSON) when
-- published.
CREATE TABLE diagnoses (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    title TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    needs TEXT NOT NULL,
    potential TEXT NOT NULL,
    status TEXT NOT NULL,
    figures TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX diagnoses_municipality_idx ON diagnoses (municipality, created_at);
CREATE INDEX diagnoses_created_by_idx ON diagnoses (created_by);

-- One version of a program. Versions of one program share `lineage` (the
-- first version's id); an amendment `amends` the version in force.
CREATE TABLE social_programs (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    lineage TEXT NOT NULL,
    version INTEGER NOT NULL,
    amends TEXT REFERENCES social_programs (id),
    diagnosis_id TEXT REFERENCES diagnoses (id),
    title TEXT NOT NULL,
    year_from INTEGER NOT NULL,
    year_to INTEGER NOT NULL,
    goals TEXT NOT NULL,
    status TEXT NOT NULL,
    consultation_until DATE,
    resolution_number TEXT,
    resolution_date DATE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (lineage, version)
);
CREATE INDEX social_programs_municipality_idx ON social_programs (municipality, status);
CREATE INDEX social_programs_amends_idx ON social_programs (amends);
CREATE INDEX social_programs_diagnosis_idx ON social_programs (diagnosis_id);
CREATE INDEX social_programs_created_by_idx ON social_programs (created_by);

-- The services a version plans. A service keeps its `id` across versions
-- (an amendment copies it), so competitions and agreements that name it
-- (`program_service_id`) follow the program through amendments.
-- `years`: JSON [{year, people, hours, budget_grosze}]; `indicators`: JSON
-- list of indicator codes.
CREATE TABLE social_program_services (
    program_id TEXT NOT NULL REFERENCES social_programs (id),
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    service_code TEXT NOT NULL,
    target_group TEXT NOT NULL,
    delivery TEXT NOT NULL,
    years TEXT NOT NULL,
    indicators TEXT NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX social_program_services_id_idx ON social_program_services (id);

-- Every move of a version, with the council's resolution when it decides.
CREATE TABLE social_program_events (
    id TEXT PRIMARY KEY NOT NULL,
    program_id TEXT NOT NULL REFERENCES social_programs (id),
    status TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    resolution_number TEXT,
    resolution_date DATE,
    at TIMESTAMP NOT NULL
);
CREATE INDEX social_program_events_program_idx ON social_program_events (program_id, at);
CREATE INDEX social_program_events_actor_idx ON social_program_events (actor_id);

-- Public consultation: a comment by a resident, an NGO or the organizer,
-- and the organizer's answer (accepted or not). The consultation report
-- shows the author's kind only.
CREATE TABLE social_program_comments (
    id TEXT PRIMARY KEY NOT NULL,
    program_id TEXT NOT NULL REFERENCES social_programs (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    author_kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    answer TEXT,
    accepted BOOLEAN,
    answered_by TEXT REFERENCES users (id),
    answered_at TIMESTAMP
);
CREATE INDEX social_program_comments_program_idx ON social_program_comments (program_id, created_at);
CREATE INDEX social_program_comments_author_idx ON social_program_comments (author_id);
CREATE INDEX social_program_comments_answered_by_idx ON social_program_comments (answered_by);

-- A year's evaluation as sent to the council: the computed report frozen
-- (JSON) when the organizer publishes it.
CREATE TABLE social_program_evaluations (
    program_id TEXT NOT NULL REFERENCES social_programs (id),
    year INTEGER NOT NULL,
    report TEXT NOT NULL,
    published_by TEXT NOT NULL REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (program_id, year)
);
CREATE INDEX social_program_evaluations_published_by_idx ON social_program_evaluations (published_by);

-- What a competition or an agreement implements (a service's stable id).
ALTER TABLE competitions ADD COLUMN program_service_id TEXT;
ALTER TABLE agreements ADD COLUMN program_service_id TEXT;
CREATE INDEX competitions_program_service_idx ON competitions (program_service_id);
CREATE INDEX agreements_program_service_idx ON agreements (program_service_id);
