-- @group dim_transformation
-- @description Airports with their US census region; 'Other' for territories and non-US state codes.
-- @tag layer=silver
SELECT
  a.iata,
  a.name,
  a.city,
  a.state,
  a.country,
  a.latitude,
  a.longitude,
  COALESCE(r.region, 'Other') AS region
FROM bronze.airports AS a
LEFT JOIN bronze.state_regions AS r ON r.state = a.state
WHERE a.iata IS NOT NULL
