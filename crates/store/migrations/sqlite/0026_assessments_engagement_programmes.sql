-- Self-assessment against the World Class Commissioning competencies and the two
-- self-evaluation checklists, each item's level with its evidence and action plan per
-- period; the stakeholder register; consultations attached to a stage of the cycle with
-- their questions, the stakeholders invited, the responses and the "you said, we did"
-- outcomes; and commissioning programmes, which gather the artefacts of one cycle.

CREATE TABLE strategy_assessments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    framework   TEXT NOT NULL,
    period      BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (framework, period)
);

CREATE TABLE strategy_assessment_items (
    assessment_id  BIGINT NOT NULL REFERENCES strategy_assessments (id),
    item           BIGINT NOT NULL,
    level          BIGINT NOT NULL,
    evidence       TEXT NOT NULL,
    action         TEXT NOT NULL,
    owner          TEXT NOT NULL,
    due            TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, item)
);

CREATE TABLE stakeholders (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    organisation_code  TEXT,
    contact            TEXT NOT NULL,
    interests          TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE consultations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    stage       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    summary     TEXT NOT NULL,
    opens       TEXT NOT NULL,
    closes      TEXT NOT NULL,
    questions   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE consultation_invitees (
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id),
    stakeholder_id   BIGINT NOT NULL REFERENCES stakeholders (id),
    PRIMARY KEY (consultation_id, stakeholder_id)
);

CREATE TABLE consultation_responses (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id),
    respondent       TEXT NOT NULL,
    respondent_kind  TEXT NOT NULL,
    user_id          BIGINT,
    stakeholder_id   BIGINT REFERENCES stakeholders (id),
    answers          TEXT NOT NULL,
    submitted_at     BIGINT NOT NULL
);

CREATE INDEX consultation_responses_by_consultation ON consultation_responses (consultation_id);

CREATE TABLE consultation_outcomes (
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id),
    seq              BIGINT NOT NULL,
    you_said         TEXT NOT NULL,
    we_did           TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, seq)
);

CREATE TABLE programmes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    links       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
