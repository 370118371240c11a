-- Contract variations: what changed, by how much, on what ground, and what the Provider
-- Selection Regime makes of it (recorded when agreed, so the record shows what was known).

CREATE TABLE contract_variations (
    contract_id                   TEXT NOT NULL REFERENCES contracts (id),
    number                        BIGINT NOT NULL,
    agreed_on                     TEXT NOT NULL,
    description                   TEXT NOT NULL,
    annual_change_pence           BIGINT NOT NULL,
    lifetime_change_pence         BIGINT NOT NULL,
    ground                        TEXT NOT NULL,
    materially_different          BIGINT NOT NULL,
    transparency_notice_required  BIGINT NOT NULL,
    considerable_change           BIGINT NOT NULL,
    PRIMARY KEY (contract_id, number)
);
