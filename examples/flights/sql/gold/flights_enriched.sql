-- @group curation
-- @kind view
-- @description Each silver flight with the name, city, state and region of its origin and destination airports.
-- @tag layer=gold
SELECT
  f.*,
  o.name AS origin_name,
  o.city AS origin_city,
  o.state AS origin_state,
  o.region AS origin_region,
  d.name AS destination_name,
  d.city AS destination_city,
  d.state AS destination_state,
  d.region AS destination_region
FROM silver.flights AS f
LEFT JOIN silver.airports AS o ON o.iata = f.origin
LEFT JOIN silver.airports AS d ON d.iata = f.destination
