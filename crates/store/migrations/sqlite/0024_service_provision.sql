-- The service catalogue with provision: per year, service, provider and area (a local
-- authority or the commissioner's area), what is provided, what it costs and how good it
-- is. Loading the same key again replaces it, so an import never double counts.

CREATE TABLE service_provision (
    year           BIGINT NOT NULL,
    service_code   TEXT NOT NULL,
    service_name   TEXT NOT NULL,
    need           TEXT NOT NULL,
    provider_code  TEXT NOT NULL,
    provider_name  TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    area_name      TEXT NOT NULL,
    capacity       DOUBLE PRECISION,
    activity       DOUBLE PRECISION NOT NULL,
    spend_pence    BIGINT NOT NULL,
    waiting_weeks  DOUBLE PRECISION,
    quality        DOUBLE PRECISION,
    feedback       DOUBLE PRECISION,
    qalys          DOUBLE PRECISION,
    PRIMARY KEY (year, service_code, provider_code, area_code)
);

-- Travel time from each LSOA's population-weighted centroid to a service, as given.
CREATE TABLE service_access (
    year          BIGINT NOT NULL,
    service_code  TEXT NOT NULL,
    lsoa_code     TEXT NOT NULL,
    minutes       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (year, service_code, lsoa_code)
);

-- Prioritisation workshops: criteria with weights (JSON), the budget, options (linked to the
-- gap each answers) with cost, benefit and constraints, each participant's scores, and the
-- decisions taken with their rationale.
CREATE TABLE priority_workshops (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    area_code     TEXT NOT NULL,
    title         TEXT NOT NULL,
    weighting     TEXT NOT NULL,
    criteria      TEXT NOT NULL,
    budget_pence  BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE priority_options (
    workshop_id   BIGINT NOT NULL REFERENCES priority_workshops (id),
    option_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    need          TEXT NOT NULL,
    gap_kind      TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    cost_pence    BIGINT NOT NULL,
    benefit       DOUBLE PRECISION NOT NULL,
    mandatory     BIGINT NOT NULL,
    option_group  TEXT NOT NULL,
    requires      TEXT NOT NULL,
    PRIMARY KEY (workshop_id, option_id)
);

CREATE TABLE priority_scores (
    workshop_id   BIGINT NOT NULL REFERENCES priority_workshops (id),
    participant   TEXT NOT NULL,
    option_id     TEXT NOT NULL,
    criterion_id  TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    entered_at    BIGINT NOT NULL,
    PRIMARY KEY (workshop_id, participant, option_id, criterion_id)
);

CREATE TABLE priority_decisions (
    workshop_id   BIGINT NOT NULL REFERENCES priority_workshops (id),
    option_id     TEXT NOT NULL,
    decision      TEXT NOT NULL,
    rationale     TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    BIGINT NOT NULL,
    PRIMARY KEY (workshop_id, option_id)
);
