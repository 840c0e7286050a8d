-- @group fact_transformation
-- @description Each event once: the first delivery of every event_id.
-- @tag layer=silver
-- A ranked subquery rather than DuckDB's QUALIFY, so the same SQL runs on PostgreSQL.
SELECT created_ts, event_id, asset_id, value
FROM (
  SELECT created_ts, event_id, asset_id, value, row_number() OVER (PARTITION BY event_id ORDER BY _source_file, _line_number) AS delivery
  FROM bronze.events
) AS ranked
WHERE delivery = 1
