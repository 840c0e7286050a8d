-- @group fact_transformation
-- @description Each event once: the first delivery of every event_id.
-- @tag layer=silver
SELECT created_ts, event_id, asset_id, value
FROM bronze.events
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _source_file, _line_number) = 1
