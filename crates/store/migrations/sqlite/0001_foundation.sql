-- Foundation: reference data (organisations, areas, deprivation, population), services,
-- accounts and sessions, the audit log and the import register.
-- Integers are BIGINT and flags are BIGINT 0/1 so that both backends decode the same types.
-- Calendar dates are TEXT 'YYYY-MM-DD'; instants are BIGINT milliseconds since the Unix epoch.

CREATE TABLE organisations (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    provider_type TEXT,
    parent_code   TEXT,
    region_code   TEXT,
    postcode      TEXT,
    opened        TEXT,
    closed        TEXT
);
CREATE INDEX organisations_kind ON organisations (kind);
CREATE INDEX organisations_parent ON organisations (parent_code);

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT
);
CREATE INDEX areas_parent ON areas (parent_code);
CREATE INDEX areas_kind ON areas (kind);

CREATE TABLE deprivation (
    lsoa_code     TEXT PRIMARY KEY REFERENCES areas (code),
    imd_rank      BIGINT,
    imd_decile    BIGINT NOT NULL,
    income_decile BIGINT
);

CREATE TABLE population (
    area_code TEXT NOT NULL REFERENCES areas (code),
    year      BIGINT NOT NULL,
    sex       BIGINT NOT NULL,
    age_band  BIGINT NOT NULL,
    persons   BIGINT NOT NULL,
    PRIMARY KEY (area_code, year, sex, age_band)
);

CREATE TABLE practice_lists (
    practice_code TEXT PRIMARY KEY REFERENCES organisations (code),
    registered    BIGINT NOT NULL,
    as_of         TEXT NOT NULL
);

CREATE TABLE footprints (
    org_code  TEXT PRIMARY KEY REFERENCES organisations (code),
    area_code TEXT NOT NULL REFERENCES areas (code)
);

CREATE TABLE services (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    pod           TEXT NOT NULL,
    tfc           BIGINT NOT NULL
);
CREATE INDEX services_provider ON services (provider_code);

CREATE TABLE activity_summary (
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    pod           TEXT NOT NULL,
    month         TEXT NOT NULL,
    activity      BIGINT NOT NULL,
    los_days      BIGINT NOT NULL,
    PRIMARY KEY (provider_code, pod, month)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    email                TEXT NOT NULL,
    name                 TEXT NOT NULL,
    org_code             TEXT NOT NULL REFERENCES organisations (code),
    password_hash        TEXT NOT NULL,
    failed_sign_ins      BIGINT NOT NULL DEFAULT 0,
    locked_at            BIGINT,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    org_code    TEXT,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows        BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    at          BIGINT NOT NULL
);
