-- Invoices received for a contract and month, to reconcile against the payment statement and
-- the activity data. A second invoice for the same month replaces the first.

CREATE TABLE invoices (
    contract_id    TEXT NOT NULL REFERENCES contracts (id),
    month          TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    value_pence    BIGINT NOT NULL,
    PRIMARY KEY (contract_id, month)
);
