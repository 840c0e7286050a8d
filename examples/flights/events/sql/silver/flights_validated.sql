-- Typed flight events with a rejection reason per row (NULL when valid), as in the batch pipeline; every version of each event.
SELECT
  event_id,
  date AS departed_at,
  CAST(date AS DATE) AS flight_date,
  origin,
  destination,
  TRY_CAST(delay AS INTEGER) AS delay_min,
  TRY_CAST(distance AS INTEGER) AS distance_mi,
  CASE
    WHEN date IS NULL THEN 'missing departure time'
    WHEN origin IS NULL OR NOT regexp_full_match(origin, '[A-Z0-9]{3}') THEN 'invalid origin airport code'
    WHEN destination IS NULL OR NOT regexp_full_match(destination, '[A-Z0-9]{3}') THEN 'invalid destination airport code'
    WHEN origin = destination THEN 'origin equals destination'
    WHEN TRY_CAST(delay AS INTEGER) IS NULL THEN 'missing or non-integer delay'
    WHEN TRY_CAST(distance AS INTEGER) IS NULL OR TRY_CAST(distance AS INTEGER) <= 0 THEN 'missing or non-positive distance'
  END AS reject_reason,
  _seq,
  _batch_id
FROM bronze.flights
