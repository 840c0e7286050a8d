-- @group fact_transformation
-- @kind view
-- @description Typed flights with a rejection reason per row (NULL when valid); feeds silver.flights and its quarantine.
-- Runs on DuckDB and PostgreSQL alike (no TRY_CAST): bronze delay and distance are BIGINT, so the only failed cast to
-- INTEGER is a value out of its range. regexp_full_match is DuckDB's; the PostgreSQL warehouse provides it.
SELECT
  date AS departed_at,
  CAST(date AS DATE) AS flight_date,
  origin,
  destination,
  CASE WHEN delay BETWEEN -2147483648 AND 2147483647 THEN CAST(delay AS INTEGER) END AS delay_min,
  CASE WHEN distance BETWEEN -2147483648 AND 2147483647 THEN CAST(distance AS INTEGER) END AS distance_mi,
  CASE
    WHEN date IS NULL THEN 'missing departure time'
    WHEN origin IS NULL OR NOT regexp_full_match(origin, '[A-Z0-9]{3}') THEN 'invalid origin airport code'
    WHEN destination IS NULL OR NOT regexp_full_match(destination, '[A-Z0-9]{3}') THEN 'invalid destination airport code'
    WHEN origin = destination THEN 'origin equals destination'
    WHEN delay IS NULL OR delay NOT BETWEEN -2147483648 AND 2147483647 THEN 'missing or non-integer delay'
    WHEN distance IS NULL OR distance NOT BETWEEN 1 AND 2147483647 THEN 'missing or non-positive distance'
  END AS reject_reason
FROM bronze.flights
