-- Departures per origin airport and day, recomputed only for the (origin, day) pairs the batch touched:
-- those of every version of its events, so a correction that moves a flight updates the day it left too.
-- Identical flights count once, as in the batch pipeline; a pair left without flights is deleted (_empty).
WITH touched AS (
  SELECT DISTINCT origin, CAST(date AS DATE) AS flight_date FROM bronze.flights
  WHERE event_id IN (SELECT event_id FROM bronze.flights WHERE _batch_id = $run_id) AND origin IS NOT NULL AND date IS NOT NULL
),
flights AS (
  SELECT DISTINCT f.departed_at, f.flight_date, f.origin, f.destination, f.delay_min, f.distance_mi, f.is_delayed
  FROM silver.flights AS f SEMI JOIN touched AS t ON t.origin = f.origin AND t.flight_date = f.flight_date
)
SELECT
  t.origin,
  t.flight_date,
  count(f.origin) AS flights,
  count(f.origin) FILTER (WHERE f.is_delayed) AS delayed_flights,
  avg(f.delay_min) AS avg_delay_min,
  sum(f.distance_mi) AS total_distance_mi,
  count(f.origin) = 0 AS _empty
FROM touched AS t
LEFT JOIN flights AS f ON t.origin = f.origin AND t.flight_date = f.flight_date
GROUP BY t.origin, t.flight_date
