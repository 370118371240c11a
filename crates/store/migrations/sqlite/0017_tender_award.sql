-- Award: the intention-to-award notice (the chosen provider and the day it was published,
-- which starts the standstill), representations received during the standstill with the
-- review decision's date, and the contract the award created.

ALTER TABLE tenders ADD COLUMN intended_provider TEXT;
ALTER TABLE tenders ADD COLUMN intention_published TEXT;
ALTER TABLE tenders ADD COLUMN review_decision TEXT;
ALTER TABLE tenders ADD COLUMN contract_id TEXT;

CREATE TABLE tender_representations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id   BIGINT NOT NULL REFERENCES tenders (id),
    provider    TEXT NOT NULL,
    received_on TEXT NOT NULL,
    summary     TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
