-- @group fact_transformation
-- @description Cleansed flights: one row per distinct source flight, typed, with is_delayed (delay over 15 minutes).
-- @tag layer=silver
SELECT DISTINCT
  departed_at,
  flight_date,
  origin,
  destination,
  delay_min,
  distance_mi,
  delay_min > 15 AS is_delayed
FROM silver.flights_validated
WHERE reject_reason IS NULL
