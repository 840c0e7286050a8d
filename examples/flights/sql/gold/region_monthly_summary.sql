-- @group curation
-- @description Departures per census region of the origin airport and month, with the share delayed (0-100).
-- @tag layer=gold
SELECT
  COALESCE(a.region, 'Other') AS region,
  CAST(date_trunc('month', f.flight_date) AS DATE) AS month,
  count(*) AS flights,
  count(*) FILTER (WHERE f.is_delayed) AS delayed_flights,
  avg(f.delay_min) AS avg_delay_min,
  100.0 * count(*) FILTER (WHERE f.is_delayed) / count(*) AS pct_delayed
FROM silver.flights AS f
LEFT JOIN silver.airports AS a ON a.iata = f.origin
GROUP BY ALL
