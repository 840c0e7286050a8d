-- Cleansed flights, merged batch by batch: one row per distinct flight, whichever event brought it.
SELECT DISTINCT
  departed_at,
  flight_date,
  origin,
  destination,
  delay_min,
  distance_mi,
  delay_min > 15 AS is_delayed,
  $run_id AS _batch_id
FROM silver.flights_validated
WHERE reject_reason IS NULL AND _batch_id = $run_id
