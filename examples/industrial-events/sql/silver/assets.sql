-- @group dim_transformation
-- @description Each asset once, as most recently delivered (latest created_on wins).
-- @tag layer=silver
SELECT asset_id, asset_name, asset_type, created_on
FROM bronze.assets
QUALIFY row_number() OVER (PARTITION BY asset_id ORDER BY created_on DESC, _source_file DESC, _line_number DESC) = 1
