-- The contract register: parties, term (with extension options as comma-separated months),
-- notice period, value in pence, payment mechanism and the named owner of its deadlines.

CREATE TABLE contracts (
    id                         TEXT PRIMARY KEY,
    title                      TEXT NOT NULL,
    commissioner_code          TEXT NOT NULL REFERENCES organisations (code),
    provider_code              TEXT NOT NULL REFERENCES organisations (code),
    start_date                 TEXT NOT NULL,
    end_date                   TEXT NOT NULL,
    notice_months              BIGINT NOT NULL,
    extension_months           TEXT NOT NULL,
    annual_value_pence         BIGINT NOT NULL,
    mechanism                  TEXT NOT NULL,
    fixed_value_pence          BIGINT,
    elective_baseline_pence    BIGINT,
    owner                      TEXT NOT NULL
);
CREATE INDEX contracts_provider ON contracts (provider_code);
CREATE INDEX contracts_commissioner ON contracts (commissioner_code);
