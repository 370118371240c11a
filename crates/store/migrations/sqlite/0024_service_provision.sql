-- The service catalogue with provision: per year, service, provider and area (a local
-- authority or the commissioner's area), what is provided, what it costs and how good it
-- is. Loading the same key again replaces it, so an import never double counts.

CREATE TABLE service_provision (
    year           BIGINT NOT NULL,
    service_code   TEXT NOT NULL,
    service_name   TEXT NOT NULL,
    need           TEXT NOT NULL,
    provider_code  TEXT NOT NULL,
    provider_name  TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    area_name      TEXT NOT NULL,
    capacity       DOUBLE PRECISION,
    activity       DOUBLE PRECISION NOT NULL,
    spend_pence    BIGINT NOT NULL,
    waiting_weeks  DOUBLE PRECISION,
    quality        DOUBLE PRECISION,
    feedback       DOUBLE PRECISION,
    qalys          DOUBLE PRECISION,
    PRIMARY KEY (year, service_code, provider_code, area_code)
);

-- Travel time from each LSOA's population-weighted centroid to a service, as given.
CREATE TABLE service_access (
    year          BIGINT NOT NULL,
    service_code  TEXT NOT NULL,
    lsoa_code     TEXT NOT NULL,
    minutes       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (year, service_code, lsoa_code)
);
