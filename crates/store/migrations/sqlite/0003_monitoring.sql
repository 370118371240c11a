-- Monitoring: effective-dated prices, challenges to submitted activity, activity plans with
-- tolerances, activity queries; submission totals and summary values.

ALTER TABLE activity_submissions ADD COLUMN n_valid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity_submissions ADD COLUMN n_challenged BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity_submissions ADD COLUMN value_pence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity_submissions ADD COLUMN priced_path TEXT;
ALTER TABLE activity_summary ADD COLUMN value_pence BIGINT NOT NULL DEFAULT 0;

CREATE TABLE tariffs (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    hrg                  TEXT NOT NULL,
    pod                  TEXT NOT NULL,
    unit_price_pence     BIGINT NOT NULL,
    trim_point_days      BIGINT,
    excess_bed_day_pence BIGINT,
    effective_from       TEXT NOT NULL,
    effective_to         TEXT,
    source               TEXT NOT NULL
);
CREATE INDEX tariffs_hrg_pod ON tariffs (hrg, pod);

CREATE TABLE mffs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_code  TEXT NOT NULL,
    mff            TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    source         TEXT NOT NULL
);
CREATE INDEX mffs_provider ON mffs (provider_code);

CREATE TABLE activity_challenges (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id BIGINT NOT NULL REFERENCES activity_submissions (id),
    provider_code TEXT NOT NULL,
    month         TEXT NOT NULL,
    line          BIGINT NOT NULL,
    record_id     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open',
    response      TEXT,
    responded_by  TEXT,
    responded_at  BIGINT
);
CREATE INDEX activity_challenges_submission ON activity_challenges (submission_id);

CREATE TABLE activity_plans (
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    pod           TEXT NOT NULL,
    month         TEXT NOT NULL,
    activity      BIGINT NOT NULL,
    value_pence   BIGINT NOT NULL,
    PRIMARY KEY (provider_code, pod, month)
);

CREATE TABLE activity_tolerances (
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    pod           TEXT NOT NULL,
    lower_bp      BIGINT NOT NULL,
    upper_bp      BIGINT NOT NULL,
    PRIMARY KEY (provider_code, pod)
);

CREATE TABLE activity_queries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    pod           TEXT NOT NULL,
    month         TEXT NOT NULL,
    variance_bp   BIGINT,
    status        TEXT NOT NULL,
    owner         TEXT NOT NULL,
    notice_date   TEXT NOT NULL,
    meeting_due   TEXT NOT NULL,
    meeting_date  TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    raised_by     TEXT NOT NULL,
    raised_at     BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX activity_queries_provider ON activity_queries (provider_code);
