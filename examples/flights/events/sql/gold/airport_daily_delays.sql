-- Departures per origin airport and day, recomputed only for the (origin, day) pairs of the current batch.
WITH touched AS (
  SELECT DISTINCT origin, flight_date FROM silver.flights WHERE _batch_id = $run_id
)
SELECT
  f.origin,
  f.flight_date,
  count(*) AS flights,
  count(*) FILTER (WHERE f.is_delayed) AS delayed_flights,
  avg(f.delay_min) AS avg_delay_min,
  sum(f.distance_mi) AS total_distance_mi
FROM silver.flights AS f
JOIN touched AS t ON t.origin = f.origin AND t.flight_date = f.flight_date
GROUP BY f.origin, f.flight_date
