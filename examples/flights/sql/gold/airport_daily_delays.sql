-- @group curation
-- @description Departures per origin airport and day: flights, delayed flights, mean delay and distance flown.
-- @tag layer=gold
SELECT
  origin,
  flight_date,
  count(*) AS flights,
  count(*) FILTER (WHERE is_delayed) AS delayed_flights,
  avg(delay_min) AS avg_delay_min,
  sum(distance_mi) AS total_distance_mi
FROM silver.flights
GROUP BY origin, flight_date
