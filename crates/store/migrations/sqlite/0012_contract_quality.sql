-- Contract performance: KPI definitions gain what they count, their level and effective
-- dates; monthly results keep the counts a provider returned and who returned them; quality
-- and experience returns (Friends and Family Test, complaints, clinical audit, PROMs); and
-- evaluation records with the recommendation and findings for the next plan.

ALTER TABLE contract_kpis ADD COLUMN numerator TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_kpis ADD COLUMN denominator TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_kpis ADD COLUMN level TEXT NOT NULL DEFAULT 'local';
ALTER TABLE contract_kpis ADD COLUMN effective_from TEXT;
ALTER TABLE contract_kpis ADD COLUMN effective_to TEXT;

ALTER TABLE contract_kpi_results ADD COLUMN numerator BIGINT;
ALTER TABLE contract_kpi_results ADD COLUMN denominator BIGINT;
ALTER TABLE contract_kpi_results ADD COLUMN submitted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_kpi_results ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE contract_quality_returns (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    kind        TEXT NOT NULL,
    measure     TEXT NOT NULL,
    month       TEXT NOT NULL,
    numerator   BIGINT,
    denominator BIGINT,
    score       TEXT,
    PRIMARY KEY (contract_id, kind, measure, month)
);

CREATE TABLE contract_evaluations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id    TEXT NOT NULL REFERENCES contracts (id),
    review_date    TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    rationale      TEXT NOT NULL,
    findings       TEXT NOT NULL,
    next_year      TEXT NOT NULL,
    report         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX contract_evaluations_contract ON contract_evaluations (contract_id);
