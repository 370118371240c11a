-- Tender evaluation: each evaluator's declaration of interests before seeing bids (with how
-- a declared conflict is managed), each evaluator's independent 0–5 score and comment per bid
-- and criterion, and the moderated consensus score with its reasons.

CREATE TABLE tender_declarations (
    tender_id    BIGINT NOT NULL REFERENCES tenders (id),
    user_id      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    has_conflict BIGINT NOT NULL,
    details      TEXT NOT NULL,
    management   TEXT NOT NULL,
    declared_at  BIGINT NOT NULL,
    PRIMARY KEY (tender_id, user_id)
);

CREATE TABLE tender_scores (
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    bidder    TEXT NOT NULL,
    position  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    name      TEXT NOT NULL,
    score     BIGINT NOT NULL,
    comment   TEXT NOT NULL,
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (tender_id, bidder, position, user_id)
);

CREATE TABLE tender_moderated_scores (
    tender_id    BIGINT NOT NULL REFERENCES tenders (id),
    bidder       TEXT NOT NULL,
    position     BIGINT NOT NULL,
    score        BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    moderated_by TEXT NOT NULL,
    moderated_at BIGINT NOT NULL,
    PRIMARY KEY (tender_id, bidder, position)
);
