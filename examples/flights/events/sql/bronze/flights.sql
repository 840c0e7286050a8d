-- Flight events from landing.flights: one row per version of an event (event_id + content), typed.
-- A re-delivered event replaces its own row; a correction (same event_id, new content) adds a version, and silver takes the latest.
-- A row that cannot be typed goes to bronze.flights_quarantine with the reason (incremental.rejectColumn), never failing the batch.
SELECT
  TRY_CAST(payload->>'event_id' AS BIGINT) AS event_id,
  md5(row(TRY_CAST(payload->>'date' AS TIMESTAMP), TRY_CAST(payload->>'delay' AS BIGINT), TRY_CAST(payload->>'distance' AS BIGINT), payload->>'origin', payload->>'destination')::VARCHAR) AS _version,
  TRY_CAST(payload->>'date' AS TIMESTAMP) AS date,
  TRY_CAST(payload->>'delay' AS BIGINT) AS delay,
  TRY_CAST(payload->>'distance' AS BIGINT) AS distance,
  payload->>'origin' AS origin,
  payload->>'destination' AS destination,
  CASE
    WHEN NOT regexp_full_match(coalesce(payload->>'event_id', ''), '-?[0-9]+') OR TRY_CAST(payload->>'event_id' AS BIGINT) IS NULL THEN 'event_id is not an integer'
    WHEN payload->>'date' IS NOT NULL AND TRY_CAST(payload->>'date' AS TIMESTAMP) IS NULL THEN 'date is not a timestamp'
    WHEN payload->>'delay' IS NOT NULL AND TRY_CAST(payload->>'delay' AS BIGINT) IS NULL THEN 'delay is not an integer'
    WHEN payload->>'distance' IS NOT NULL AND TRY_CAST(payload->>'distance' AS BIGINT) IS NULL THEN 'distance is not an integer'
  END AS _reject_reason,
  payload::VARCHAR AS _payload,
  _seq,
  $run_id AS _batch_id,
  _received_at AS _ingested_at,
  _origin AS _source
FROM landing.flights
QUALIFY row_number() OVER (PARTITION BY event_id, _version ORDER BY _seq DESC) = 1
