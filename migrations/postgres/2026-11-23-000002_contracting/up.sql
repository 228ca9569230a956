-- Contracting: organizations, cooperation programs and their consultation,
-- open competitions with criteria, offers with budget lines, the commission
-- and its scores, agreements with tranches, annexes and reports.
-- Money is integer grosze (BIGINT). Kept in step with the other tree (identical here).

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    name TEXT NOT NULL,
    legal_form TEXT NOT NULL,
    krs TEXT,
    nip TEXT NOT NULL,
    regon TEXT NOT NULL,
    address TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    iban TEXT,
    alerts BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (municipality, nip)
);

CREATE TABLE programs (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    title TEXT NOT NULL,
    year_from INTEGER NOT NULL,
    year_to INTEGER NOT NULL,
    goals TEXT NOT NULL,
    priorities TEXT NOT NULL,
    forms TEXT NOT NULL,
    yearly_funds TEXT NOT NULL,
    budget_grosze BIGINT NOT NULL,
    competition_rules TEXT NOT NULL,
    status TEXT NOT NULL,
    consultation_until DATE,
    resolution_number TEXT,
    resolution_date DATE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX programs_municipality_idx ON programs (municipality, status);
CREATE INDEX programs_created_by_idx ON programs (created_by);

CREATE TABLE program_comments (
    id TEXT PRIMARY KEY NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT REFERENCES organizations (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX program_comments_program_idx ON program_comments (program_id, created_at);
CREATE INDEX program_comments_author_idx ON program_comments (author_id);
CREATE INDEX program_comments_organization_idx ON program_comments (organization_id);

CREATE TABLE competitions (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    program_id TEXT REFERENCES programs (id),
    title TEXT NOT NULL,
    task TEXT NOT NULL,
    service_code TEXT,
    financing TEXT NOT NULL,
    funds_grosze BIGINT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    offer_deadline DATE NOT NULL,
    award_rules TEXT NOT NULL,
    conditions TEXT NOT NULL,
    award_procedure TEXT NOT NULL,
    prior_funding TEXT NOT NULL,
    status TEXT NOT NULL,
    published_at TIMESTAMP,
    resolved_at TIMESTAMP,
    cancel_reason TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX competitions_municipality_idx ON competitions (municipality, status);
CREATE INDEX competitions_program_idx ON competitions (program_id);
CREATE INDEX competitions_created_by_idx ON competitions (created_by);

CREATE TABLE criteria (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    weight INTEGER NOT NULL,
    max_points INTEGER NOT NULL
);
CREATE INDEX criteria_competition_idx ON criteria (competition_id, position);

CREATE TABLE offers (
    id TEXT PRIMARY KEY NOT NULL,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    schedule TEXT NOT NULL,
    expected_results TEXT NOT NULL,
    indicators TEXT NOT NULL,
    bidder_profile TEXT NOT NULL,
    requested_grosze BIGINT NOT NULL,
    own_contribution_grosze BIGINT NOT NULL,
    in_kind_grosze BIGINT NOT NULL,
    volunteer_hours INTEGER NOT NULL,
    declarations BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    formal_note TEXT,
    awarded_grosze BIGINT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (competition_id, organization_id)
);
CREATE INDEX offers_organization_idx ON offers (organization_id);
CREATE INDEX offers_created_by_idx ON offers (created_by);

CREATE TABLE budget_lines (
    id TEXT PRIMARY KEY NOT NULL,
    offer_id TEXT NOT NULL REFERENCES offers (id),
    position INTEGER NOT NULL,
    year INTEGER NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    amount_grosze BIGINT NOT NULL
);
CREATE INDEX budget_lines_offer_idx ON budget_lines (offer_id, position);

CREATE TABLE commission_members (
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    declared_at TIMESTAMP,
    no_conflict BOOLEAN,
    statement TEXT,
    PRIMARY KEY (competition_id, user_id)
);
CREATE INDEX commission_members_user_idx ON commission_members (user_id);

CREATE TABLE scores (
    id TEXT PRIMARY KEY NOT NULL,
    offer_id TEXT NOT NULL REFERENCES offers (id),
    member_id TEXT NOT NULL REFERENCES users (id),
    criterion_id TEXT NOT NULL REFERENCES criteria (id),
    points INTEGER NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (offer_id, member_id, criterion_id)
);
CREATE INDEX scores_member_idx ON scores (member_id);
CREATE INDEX scores_criterion_idx ON scores (criterion_id);

CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    competition_id TEXT REFERENCES competitions (id),
    offer_id TEXT REFERENCES offers (id),
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    mode TEXT NOT NULL,
    financing TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    indicators TEXT NOT NULL,
    capacity_unit TEXT,
    capacity_per_year INTEGER,
    status TEXT NOT NULL,
    public_comment_until DATE,
    terminated_at TIMESTAMP,
    termination_reason TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_municipality_idx ON agreements (municipality, status);
CREATE INDEX agreements_organization_idx ON agreements (organization_id);
CREATE INDEX agreements_competition_idx ON agreements (competition_id);
CREATE INDEX agreements_offer_idx ON agreements (offer_id);
CREATE INDEX agreements_created_by_idx ON agreements (created_by);

CREATE TABLE tranches (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    year INTEGER NOT NULL,
    amount_grosze BIGINT NOT NULL,
    UNIQUE (agreement_id, year)
);

CREATE TABLE annexes (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX annexes_agreement_idx ON annexes (agreement_id);
CREATE INDEX annexes_created_by_idx ON annexes (created_by);

CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    body TEXT NOT NULL,
    spent_grosze BIGINT NOT NULL,
    spent_own_grosze BIGINT NOT NULL,
    indicator_values TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_agreement_idx ON reports (agreement_id, submitted_at);
CREATE INDEX reports_submitted_by_idx ON reports (submitted_by);
