-- The milestones of a remedial (or immediate) action plan agreed on a contract performance
-- notice: what is to be done, by when, by whom, the consequence of missing it, and when it
-- was met.

CREATE TABLE contract_notice_milestones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id   BIGINT NOT NULL REFERENCES contract_notices (id),
    description TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    consequence TEXT NOT NULL,
    met_on      TEXT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX contract_notice_milestones_notice ON contract_notice_milestones (notice_id);
