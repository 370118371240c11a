-- Tenders: the published criteria and price weight, the stage on the lifecycle, the deadline
-- for bids (UTC, YYYY-MM-DDTHH:MM), and one bid per bidder, replaced until the deadline.

CREATE TABLE tenders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    process       TEXT NOT NULL,
    stage         TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    price_weight  TEXT NOT NULL,
    price_formula TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE tender_criteria (
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    position  BIGINT NOT NULL,
    name      TEXT NOT NULL,
    weight    TEXT NOT NULL,
    minimum   BIGINT NOT NULL,
    PRIMARY KEY (tender_id, position)
);

CREATE TABLE tender_bids (
    tender_id    BIGINT NOT NULL REFERENCES tenders (id),
    bidder       TEXT NOT NULL REFERENCES organisations (code),
    price_pence  BIGINT NOT NULL,
    response     TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (tender_id, bidder)
);
