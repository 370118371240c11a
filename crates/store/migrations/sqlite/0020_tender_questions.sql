-- Clarifications: a bidder's question and the commissioner's answer, published to every
-- bidder without saying who asked. Requirements published with a tender: documents every bid
-- must attach and pass/fail questions every bid must answer. A bid's answers to them and its
-- attachments (held as base64 text, as contract documents are).

CREATE TABLE tender_clarifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id    BIGINT NOT NULL REFERENCES tenders (id),
    asked_by_org TEXT NOT NULL,
    question     TEXT NOT NULL,
    asked_at     BIGINT NOT NULL,
    answer       TEXT,
    answered_by  TEXT,
    answered_at  BIGINT
);

CREATE TABLE tender_requirements (
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    kind      TEXT NOT NULL,
    position  BIGINT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (tender_id, kind, position)
);

CREATE TABLE bid_answers (
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    bidder    TEXT NOT NULL,
    position  BIGINT NOT NULL,
    answer    BIGINT NOT NULL,
    evidence  TEXT NOT NULL,
    PRIMARY KEY (tender_id, bidder, position)
);

CREATE TABLE bid_documents (
    tender_id   BIGINT NOT NULL REFERENCES tenders (id),
    bidder      TEXT NOT NULL,
    position    BIGINT NOT NULL,
    file_name   TEXT NOT NULL,
    content     TEXT NOT NULL,
    size        BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (tender_id, bidder, position)
);
