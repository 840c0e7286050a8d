-- Flight events from landing.flights: one row per version of an event (event_id + content), typed.
-- A re-delivered event replaces its own row; a correction (same event_id, new content) adds a version, and silver takes the latest.
-- A row that cannot be typed goes to bronze.flights_quarantine with the reason and its payload (incremental.rejectColumn), never failing the batch.
WITH raw AS (
  SELECT payload, payload->>'event_id' AS event_id, payload->>'date' AS date, payload->>'delay' AS delay, payload->>'distance' AS distance,
    payload->>'origin' AS origin, payload->>'destination' AS destination, _seq, _received_at, _origin
  FROM landing.flights
),
typed AS (
  SELECT *, TRY_CAST(event_id AS BIGINT) AS id, TRY_CAST(date AS TIMESTAMP) AS ts, TRY_CAST(delay AS BIGINT) AS delay_n, TRY_CAST(distance AS BIGINT) AS distance_n,
    CASE
      WHEN TRY_CAST(event_id AS BIGINT) IS NULL OR NOT regexp_full_match(event_id, '-?[0-9]+') THEN 'event_id is not an integer'
      WHEN date IS NOT NULL AND TRY_CAST(date AS TIMESTAMP) IS NULL THEN 'date is not a timestamp'
      WHEN delay IS NOT NULL AND TRY_CAST(delay AS BIGINT) IS NULL THEN 'delay is not an integer'
      WHEN distance IS NOT NULL AND TRY_CAST(distance AS BIGINT) IS NULL THEN 'distance is not an integer'
    END AS reason
  FROM raw
)
SELECT
  id AS event_id,
  md5(row(ts, delay_n, distance_n, origin, destination)::VARCHAR) AS _version,
  ts AS date,
  delay_n AS delay,
  distance_n AS distance,
  origin,
  destination,
  reason AS _reject_reason,
  CASE WHEN reason IS NOT NULL THEN payload::VARCHAR END AS _payload,
  _seq,
  $run_id AS _batch_id,
  _received_at AS _ingested_at,
  _origin AS _source
FROM typed
QUALIFY row_number() OVER (PARTITION BY id, _version ORDER BY _seq DESC) = 1
