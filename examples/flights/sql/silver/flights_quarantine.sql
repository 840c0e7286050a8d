-- @group fact_transformation
-- @description Source flights rejected by silver.flights, each with the reason.
-- @tag layer=silver
SELECT * FROM silver.flights_validated WHERE reject_reason IS NOT NULL
