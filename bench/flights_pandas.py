"""The flights example's transforms in pandas (the seed's stack), run by bench/run.ts on the same inputs."""
# One JSON argument: {"flightsCsv", "airportsCsv", "regionsCsv"}. Prints one result line like the Node scenarios.
# Timing starts at the first read and ends after the last table is written: interpreter start and `import pandas`
# are left out, as Node's start and module loading are for the Sluice runs.
import json
import resource
import shutil
import sys
import tempfile
import time

import numpy as np
import pandas as pd

RESULT_PREFIX = "@@bench-result "
CODE = r"[A-Z0-9]{3}"


def read_csv(path, **options):
    # DuckDB's read_csv treats only empty fields as NULL; pandas' default also turns "NA", "NULL", ... into NaN.
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **options)


def try_int32(series):
    """TRY_CAST(x AS INTEGER): NULL when missing, not a number or out of range."""
    numbers = pd.to_numeric(series, errors="coerce")
    return numbers.where(numbers.between(-(2**31), 2**31 - 1)).astype("Int32")


def valid_code(series):
    return series.notna() & series.fillna("").str.fullmatch(CODE)


def validated_flights(bronze):
    date, origin, destination = bronze["date"], bronze["origin"], bronze["destination"]
    delay, distance = try_int32(bronze["delay"]), try_int32(bronze["distance"])
    reasons = [
        (date.isna(), "missing departure time"),
        (~valid_code(origin), "invalid origin airport code"),
        (~valid_code(destination), "invalid destination airport code"),
        (origin == destination, "origin equals destination"),
        (delay.isna(), "missing or non-integer delay"),
        ((distance.isna() | (distance <= 0)).fillna(True).astype(bool), "missing or non-positive distance"),
    ]
    reject = np.select([c.to_numpy(dtype=bool) for c, _ in reasons], [r for _, r in reasons], default=None)
    return pd.DataFrame(
        {
            "departed_at": date,
            "flight_date": date.dt.normalize(),
            "origin": origin,
            "destination": destination,
            "delay_min": delay,
            "distance_mi": distance,
            "reject_reason": reject,
        }
    )


def main():
    args = json.loads(sys.argv[1])
    out = tempfile.mkdtemp(prefix="sluice-bench-pandas-")
    steps, frames, read_ms = {}, {}, 0.0

    def step(key, build):
        started = time.perf_counter()
        frames[key] = build()
        steps[key] = (time.perf_counter() - started) * 1000

    def bronze_flights():
        nonlocal read_ms
        started = time.perf_counter()
        raw = read_csv(args["flightsCsv"], parse_dates=["date"])
        read_ms += (time.perf_counter() - started) * 1000
        raw["_batch_id"] = "bench"
        raw["_ingested_at"] = pd.Timestamp.now()
        raw["_source"] = "vega-datasets/data/flights-3m.parquet"
        return raw

    def read(path, **options):
        nonlocal read_ms
        started = time.perf_counter()
        frame = read_csv(path, **options)
        read_ms += (time.perf_counter() - started) * 1000
        return frame

    try:
        started = time.perf_counter()
        step("bronze/flights", bronze_flights)
        step("bronze/airports", lambda: read(args["airportsCsv"], dtype={c: str for c in ["iata", "name", "city", "state", "country"]}))
        step("bronze/state_regions", lambda: read(args["regionsCsv"], dtype=str))
        # A view in Sluice, computed once here and reused by both of its readers (pandas' advantage).
        step("silver/flights_validated", lambda: validated_flights(frames["bronze/flights"]))
        valid = frames["silver/flights_validated"]["reject_reason"].isna()
        step("silver/flights_quarantine", lambda: frames["silver/flights_validated"][~valid])

        def silver_flights():
            flights = frames["silver/flights_validated"][valid].drop(columns="reject_reason")
            flights["is_delayed"] = (flights["delay_min"] > 15).astype(bool)
            return flights.drop_duplicates(ignore_index=True)

        step("silver/flights", silver_flights)

        def silver_airports():
            airports = frames["bronze/airports"]
            joined = airports[airports["iata"].notna()].merge(frames["bronze/state_regions"], on="state", how="left")
            joined["region"] = joined["region"].fillna("Other")
            return joined

        step("silver/airports", silver_airports)
        # gold/flights_enriched is a view: Sluice and DuckDB store its query, compute nothing, so neither does pandas.

        def airport_daily_delays():
            return (
                frames["silver/flights"]
                .groupby(["origin", "flight_date"], sort=False)
                .agg(
                    flights=("origin", "size"),
                    delayed_flights=("is_delayed", "sum"),
                    avg_delay_min=("delay_min", "mean"),
                    total_distance_mi=("distance_mi", "sum"),
                )
                .reset_index()
            )

        step("gold/airport_daily_delays", airport_daily_delays)

        def region_monthly_summary():
            flights = frames["silver/flights"][["origin", "flight_date", "is_delayed", "delay_min"]]
            regions = frames["silver/airports"][["iata", "region"]]
            joined = flights.merge(regions, left_on="origin", right_on="iata", how="left")
            joined["region"] = joined["region"].fillna("Other")
            joined["month"] = joined["flight_date"].to_numpy().astype("datetime64[M]")
            summary = (
                joined.groupby(["region", "month"], sort=False)
                .agg(flights=("region", "size"), delayed_flights=("is_delayed", "sum"), avg_delay_min=("delay_min", "mean"))
                .reset_index()
            )
            summary["pct_delayed"] = 100.0 * summary["delayed_flights"] / summary["flights"]
            return summary

        step("gold/region_monthly_summary", region_monthly_summary)
        transformed = time.perf_counter()
        # Tables are persisted (pickle: the fastest format Debian's pandas writes without pyarrow); views are not.
        for key, frame in frames.items():
            if key != "silver/flights_validated":
                frame.to_pickle(f"{out}/{key.replace('/', '.')}.pkl")
        finished = time.perf_counter()
        total_ms = (finished - started) * 1000
        write_ms = (finished - transformed) * 1000
        result = {
            "readMs": read_ms,
            "transformMs": total_ms - read_ms - write_ms,
            "writeMs": write_ms,
            "totalMs": total_ms,
            "materializeMs": total_ms,
            "openMs": 0,
            "closeMs": 0,
            "steps": steps,
            "rowCounts": {key: len(frame) for key, frame in frames.items()},
            "pandasVersion": pd.__version__,
            "pythonVersion": sys.version.split()[0],
            "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        print(RESULT_PREFIX + json.dumps(result), flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
