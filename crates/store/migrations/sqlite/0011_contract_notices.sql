-- The escalation ladder (GC9): contract performance notices served by either party, each
-- step recorded as an event with its date, notes and who took it.

CREATE TABLE contract_notices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id      TEXT NOT NULL REFERENCES contracts (id),
    served_by_party  TEXT NOT NULL,
    subject          TEXT NOT NULL,
    stage            TEXT NOT NULL,
    served_on        TEXT NOT NULL,
    meeting_on       TEXT,
    withhold_percent TEXT,
    owner            TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX contract_notices_contract ON contract_notices (contract_id);

CREATE TABLE contract_notice_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id  BIGINT NOT NULL REFERENCES contract_notices (id),
    event      TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    notes      TEXT NOT NULL,
    party      TEXT NOT NULL,
    by_whom    TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX contract_notice_events_notice ON contract_notice_events (notice_id);
