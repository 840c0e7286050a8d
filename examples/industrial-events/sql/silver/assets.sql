-- @group dim_transformation
-- @description Each asset once, as most recently delivered (latest created_on wins).
-- @tag layer=silver
-- A ranked subquery rather than DuckDB's QUALIFY, so the same SQL runs on PostgreSQL.
SELECT asset_id, asset_name, asset_type, created_on
FROM (
  SELECT asset_id, asset_name, asset_type, created_on,
    row_number() OVER (PARTITION BY asset_id ORDER BY created_on DESC, _source_file DESC, _line_number DESC) AS delivery
  FROM bronze.assets
) AS ranked
WHERE delivery = 1
