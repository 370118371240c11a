-- CQUIN-style indicators of a contract: thresholds and the latest performance, as exact
-- decimal text, and which way is better.

CREATE TABLE contract_cquin_indicators (
    contract_id      TEXT NOT NULL REFERENCES contracts (id),
    name             TEXT NOT NULL,
    minimum          TEXT NOT NULL,
    maximum          TEXT NOT NULL,
    performance      TEXT NOT NULL,
    higher_is_better BIGINT NOT NULL,
    PRIMARY KEY (contract_id, name)
);
