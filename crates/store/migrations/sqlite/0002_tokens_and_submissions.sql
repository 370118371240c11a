-- API tokens (hashed, revocable, scoped to one organisation and role) and the register of
-- monthly activity submissions.

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL,
    name         TEXT NOT NULL,
    org_code     TEXT NOT NULL REFERENCES organisations (code),
    role         TEXT NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_org ON api_tokens (org_code);

CREATE TABLE activity_submissions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_code TEXT NOT NULL REFERENCES organisations (code),
    month         TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    stored_path   TEXT NOT NULL,
    n_rows        BIGINT NOT NULL,
    n_unreadable  BIGINT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  BIGINT NOT NULL,
    superseded_at BIGINT
);
CREATE INDEX activity_submissions_provider_month ON activity_submissions (provider_code, month);
