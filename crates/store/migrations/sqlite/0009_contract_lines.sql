-- Contract service lines (annual plan, phasing, tolerance), KPIs and national quality
-- requirements with monthly results, documents, and best-practice tariff uplifts with the
-- spells that met their criteria.

CREATE TABLE contract_service_lines (
    contract_id         TEXT NOT NULL REFERENCES contracts (id),
    service             TEXT NOT NULL,
    pod                 TEXT NOT NULL,
    year                TEXT NOT NULL,
    annual_activity     BIGINT NOT NULL,
    annual_value_pence  BIGINT NOT NULL,
    phasing             TEXT NOT NULL,
    lower_bp            BIGINT NOT NULL,
    upper_bp            BIGINT NOT NULL,
    PRIMARY KEY (contract_id, service, pod, year)
);

CREATE TABLE contract_kpis (
    contract_id      TEXT NOT NULL REFERENCES contracts (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    threshold        TEXT NOT NULL,
    higher_is_better BIGINT NOT NULL,
    consequence      TEXT NOT NULL,
    withhold_percent TEXT,
    source           TEXT NOT NULL,
    PRIMARY KEY (contract_id, code)
);

CREATE TABLE contract_kpi_results (
    contract_id TEXT NOT NULL,
    code        TEXT NOT NULL,
    month       TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (contract_id, code, month),
    FOREIGN KEY (contract_id, code) REFERENCES contract_kpis (contract_id, code)
);

CREATE TABLE contract_documents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id    TEXT NOT NULL REFERENCES contracts (id),
    title          TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    content_base64 TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    BIGINT NOT NULL
);
CREATE INDEX contract_documents_contract ON contract_documents (contract_id);

ALTER TABLE tariffs ADD COLUMN bpt_uplift_pence BIGINT;

CREATE TABLE contract_bpt_attainment (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    month       TEXT NOT NULL,
    hrg         TEXT NOT NULL,
    pod         TEXT NOT NULL,
    spells_met  BIGINT NOT NULL,
    PRIMARY KEY (contract_id, month, hrg, pod)
);
