-- 'Any qualified provider' accreditation: a scheme publishes its qualification requirements
-- (one per line); providers apply, answering each with evidence; the commissioner accredits
-- those meeting every requirement, or refuses with reasons. One application per provider,
-- replaced until it is decided.

CREATE TABLE accreditation_schemes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    requirements TEXT NOT NULL,
    buyer        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE accreditation_applications (
    scheme_id  BIGINT NOT NULL REFERENCES accreditation_schemes (id),
    provider   TEXT NOT NULL REFERENCES organisations (code),
    evidence   TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    PRIMARY KEY (scheme_id, provider)
);
