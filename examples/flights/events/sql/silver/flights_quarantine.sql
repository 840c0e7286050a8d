-- Flight events rejected by validation, each with the reason (rebuilt off the hot path whenever bronze changed).
SELECT * EXCLUDE (_batch_id) FROM silver.flights_validated WHERE reject_reason IS NOT NULL
