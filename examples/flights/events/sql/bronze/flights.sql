-- Flight events from landing.flights, one row per event_id (a re-delivered event replaces its row).
SELECT
  CAST(payload->>'event_id' AS BIGINT) AS event_id,
  CAST(payload->>'date' AS TIMESTAMP) AS date,
  TRY_CAST(payload->>'delay' AS BIGINT) AS delay,
  TRY_CAST(payload->>'distance' AS BIGINT) AS distance,
  payload->>'origin' AS origin,
  payload->>'destination' AS destination,
  $run_id AS _batch_id,
  _received_at AS _ingested_at,
  _origin AS _source
FROM landing.flights
WHERE TRY_CAST(payload->>'event_id' AS BIGINT) IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY CAST(payload->>'event_id' AS BIGINT) ORDER BY _seq DESC) = 1
