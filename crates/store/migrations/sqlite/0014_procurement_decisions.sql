-- Provider Selection Regime route decisions: the answers given, the processes the rules
-- allowed with their reasons, the process chosen, why, and who decided (Reg 24 records).

CREATE TABLE procurement_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    cpv         TEXT NOT NULL,
    answers     TEXT NOT NULL,
    allowed     TEXT NOT NULL,
    reasons     TEXT NOT NULL,
    chosen      TEXT NOT NULL,
    rationale   TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  BIGINT NOT NULL
);
