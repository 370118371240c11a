-- Lots: a tender divided into lots is one tender per lot, sharing the criteria, deadline and
-- specification; each names the first lot's tender (`lot_of`, itself for the first) and its
-- number, and is bid for, evaluated and awarded on its own.

ALTER TABLE tenders ADD COLUMN lot_of BIGINT;
ALTER TABLE tenders ADD COLUMN lot_number BIGINT;
