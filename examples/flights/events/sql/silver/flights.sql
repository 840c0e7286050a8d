-- Cleansed flights, one row per event: the latest version received of each event of this batch.
-- An invalid latest version goes to silver.flights_quarantine with its reason and takes the event out of silver.
SELECT
  event_id,
  departed_at,
  flight_date,
  origin,
  destination,
  delay_min,
  distance_mi,
  delay_min > 15 AS is_delayed,
  reject_reason,
  $run_id AS _batch_id
FROM silver.flights_validated
WHERE event_id IN (SELECT event_id FROM bronze.flights WHERE _batch_id = $run_id)
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _seq DESC) = 1
