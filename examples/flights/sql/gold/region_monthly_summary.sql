-- @group curation
-- @description Departures per census region of the origin airport and month, with the share delayed (0-100).
-- @tag layer=gold
-- Runs on DuckDB and PostgreSQL alike: DOUBLE PRECISION arithmetic (PostgreSQL would use NUMERIC for avg and 100.0 * ...)
-- and the grouping spelled out (PostgreSQL has no GROUP BY ALL).
SELECT
  COALESCE(a.region, 'Other') AS region,
  CAST(date_trunc('month', f.flight_date) AS DATE) AS month,
  count(*) AS flights,
  count(*) FILTER (WHERE f.is_delayed) AS delayed_flights,
  avg(CAST(f.delay_min AS DOUBLE PRECISION)) AS avg_delay_min,
  CAST(100 * count(*) FILTER (WHERE f.is_delayed) AS DOUBLE PRECISION) / count(*) AS pct_delayed
FROM silver.flights AS f
LEFT JOIN silver.airports AS a ON a.iata = f.origin
GROUP BY COALESCE(a.region, 'Other'), CAST(date_trunc('month', f.flight_date) AS DATE)
