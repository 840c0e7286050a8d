-- Flight events rejected by silver.flights, each with the reason.
SELECT * FROM silver.flights_validated WHERE reject_reason IS NOT NULL AND _batch_id = $run_id
