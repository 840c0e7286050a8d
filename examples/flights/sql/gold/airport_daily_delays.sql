-- @group curation
-- @description Departures per origin airport and day: flights, delayed flights, mean delay and distance flown.
-- @tag layer=gold
-- Runs on DuckDB and PostgreSQL alike: the mean is taken over DOUBLE PRECISION so both engines return the same double.
SELECT
  origin,
  flight_date,
  count(*) AS flights,
  count(*) FILTER (WHERE is_delayed) AS delayed_flights,
  avg(CAST(delay_min AS DOUBLE PRECISION)) AS avg_delay_min,
  sum(distance_mi) AS total_distance_mi
FROM silver.flights
GROUP BY origin, flight_date
