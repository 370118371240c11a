-- Needs assessment: local indicator definitions (the seed catalogue ships with the code) and
-- the counts behind indicators: registers, events and their denominators, by place, year,
-- sex, age band and deprivation decile.
-- Modelled counts are not whole numbers, so counts are DOUBLE PRECISION.
-- sex: 0 persons, 1 male, 2 female. age_band: -1 all ages, else the ESP 2013 band index 0-18.
-- imd_decile: 0 all deciles, else 1-10. denominator NULL means "the population table's".

CREATE TABLE indicator_definitions (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    framework      TEXT NOT NULL,
    domain         TEXT NOT NULL,
    numerator      TEXT NOT NULL,
    denominator    TEXT NOT NULL,
    method         TEXT NOT NULL,
    multiplier     DOUBLE PRECISION NOT NULL,
    polarity       TEXT NOT NULL,
    benchmark_code TEXT NOT NULL,
    unmet_need     BIGINT NOT NULL,
    source         TEXT NOT NULL,
    source_date    TEXT NOT NULL
);

CREATE TABLE needs_measures (
    indicator_id TEXT NOT NULL,
    place_kind   TEXT NOT NULL,
    place_code   TEXT NOT NULL,
    year         BIGINT NOT NULL,
    sex          BIGINT NOT NULL,
    age_band     BIGINT NOT NULL,
    imd_decile   BIGINT NOT NULL,
    count        DOUBLE PRECISION NOT NULL,
    denominator  DOUBLE PRECISION,
    PRIMARY KEY (indicator_id, place_kind, place_code, year, sex, age_band, imd_decile)
);
CREATE INDEX needs_measures_place ON needs_measures (place_kind, place_code);
