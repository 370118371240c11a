-- Service specifications, each version kept whole (its content as JSON) with who changed it
-- and why; the service change a specification makes, with its scrutiny and consultation
-- (dates YYYY-MM-DD); and the specification a tender buys.

CREATE TABLE specifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    buyer      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE specification_versions (
    specification_id BIGINT NOT NULL REFERENCES specifications (id),
    version          BIGINT NOT NULL,
    content          TEXT NOT NULL,
    note             TEXT NOT NULL,
    changed_by       TEXT NOT NULL,
    changed_at       BIGINT NOT NULL,
    PRIMARY KEY (specification_id, version)
);

CREATE TABLE service_changes (
    specification_id     BIGINT PRIMARY KEY REFERENCES specifications (id),
    substantial          BIGINT NOT NULL,
    hosc_consulted_on    TEXT,
    hosc_responded_on    TEXT,
    hosc_response        TEXT NOT NULL,
    consultation_opens   TEXT,
    consultation_closes  TEXT,
    consultation_outcome TEXT NOT NULL,
    recorded_by          TEXT NOT NULL,
    recorded_at          BIGINT NOT NULL
);

ALTER TABLE tenders ADD COLUMN specification_id BIGINT REFERENCES specifications (id);
