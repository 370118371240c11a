-- Transparency: the buyer of each decision and tender, when a tender was published and the
-- day it was awarded, as the OCDS export says them; the day a modification's transparency
-- notice was published; and OCDS releases imported from other publishers (Contracts Finder,
-- Find a Tender), kept whole with the facts the red-flag indicators read. A release is
-- identified by its ocid and id, so importing a package again replaces its releases rather
-- than adding them twice.

ALTER TABLE procurement_decisions ADD COLUMN buyer TEXT;
ALTER TABLE tenders ADD COLUMN buyer TEXT;
ALTER TABLE tenders ADD COLUMN published_at BIGINT;
ALTER TABLE tenders ADD COLUMN awarded_on TEXT;
ALTER TABLE contract_variations ADD COLUMN notice_published TEXT;

CREATE TABLE ocds_releases (
    ocid                TEXT NOT NULL,
    release_id          TEXT NOT NULL,
    release_date        TEXT NOT NULL,
    tags                TEXT NOT NULL,
    buyer               TEXT NOT NULL,
    title               TEXT NOT NULL,
    cpv                 TEXT NOT NULL,
    method              TEXT,
    method_details      TEXT,
    tender_start        TEXT,
    tender_end          TEXT,
    number_of_tenderers BIGINT,
    value_pence         BIGINT,
    award_date          TEXT,
    award_value_pence   BIGINT,
    suppliers           TEXT NOT NULL,
    standstill_end      TEXT,
    source              TEXT NOT NULL,
    body                TEXT NOT NULL,
    imported_at         BIGINT NOT NULL,
    PRIMARY KEY (ocid, release_id)
);
