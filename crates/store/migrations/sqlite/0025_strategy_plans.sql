-- Strategy: the strategic, operating and organisational development plans; every version of
-- each with its board approval when given; objectives with the measure that shows their
-- progress and what they link to; and the operating plan's activity and financial schedule
-- per provider and point of delivery, reconciled with the contracts' plans.

CREATE TABLE strategy_plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    first_year  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE strategy_plan_versions (
    plan_id      BIGINT NOT NULL REFERENCES strategy_plans (id),
    version      BIGINT NOT NULL,
    summary      TEXT NOT NULL,
    changes      TEXT NOT NULL,
    drafted_by   TEXT NOT NULL,
    drafted_at   BIGINT NOT NULL,
    board        TEXT,
    approved_on  TEXT,
    minute       TEXT,
    recorded_by  TEXT,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE strategy_objectives (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id           BIGINT NOT NULL REFERENCES strategy_plans (id),
    title             TEXT NOT NULL,
    measure           TEXT NOT NULL,
    baseline          TEXT NOT NULL,
    target            TEXT NOT NULL,
    higher_is_better  BIGINT NOT NULL,
    starts            TEXT NOT NULL,
    due               TEXT NOT NULL,
    links             TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);

CREATE TABLE strategy_plan_schedules (
    plan_id        BIGINT NOT NULL REFERENCES strategy_plans (id),
    provider_code  TEXT NOT NULL,
    pod            TEXT NOT NULL,
    activity       BIGINT NOT NULL,
    value_pence    BIGINT NOT NULL,
    PRIMARY KEY (plan_id, provider_code, pod)
);
