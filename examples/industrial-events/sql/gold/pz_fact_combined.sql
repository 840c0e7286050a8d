-- @group curation
-- @description Every event exactly once with its asset's name and type and its hourly partition (YYYY-MM-DD-HH).
-- @tag layer=gold
-- strftime is DuckDB's; the PostgreSQL warehouse provides it for the common specifiers.
SELECT
  e.created_ts,
  e.event_id,
  e.asset_id,
  e.value,
  strftime(e.created_ts, '%Y-%m-%d-%H') AS hourly_partition,
  a.asset_name,
  a.asset_type
FROM silver.events AS e
LEFT JOIN silver.assets AS a ON a.asset_id = e.asset_id
