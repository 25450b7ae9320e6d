"""Build (once) a big SQLite MLflow store for the benchmarks.

    python bench/build_big_store.py               # 100,000 runs -> bench/.stores/big/mlflow.db
    python bench/build_big_store.py --runs 2000   # quick check   -> bench/.stores/runs-2000/mlflow.db
    python bench/build_big_store.py --rebuild     # throw the old one away first

Logging 100,000 runs through MlflowClient takes over an hour (~44 ms a run), so
MLflow only creates the schema (`MlflowClient(...)` + `create_experiment`) and
the rows are bulk-inserted with sqlite3 `executemany` into `runs`,
`latest_metrics`, `metrics`, `params` and `tags`. Every value is a pure
function of the run's index (`run_spec(i)`), so the benchmarks and the
verification below can recompute what any run must contain.

A store is reused when its marker file `complete.json` matches the requested
shape; a folder without it (an interrupted build) is rebuilt. Not a test:
pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FULL_SIZE = 100_000
FORMAT = 1  # bump when run_spec changes, so old stores are rebuilt
STORES = Path(__file__).resolve().parent / ".stores"
BASE_TIME_MS = 1_700_000_000_000  # 2023-11-14, the oldest run
RUN_SPACING_MS = 60_000  # one run a minute: start times are distinct, newest = highest index
CHUNK = 5_000  # runs per executemany batch

METRIC_KEYS = [
    "loss",
    "val_loss",
    "accuracy",
    "val_accuracy",
    "f1_score",
    "precision",
    "recall",
    "auc",
    "rmse",
    "mae",
    "epoch_time",
    "learning_rate",
    "grad_norm",
    "throughput",
    "perplexity",
    "bleu",
    "top5_accuracy",
    "train_time",
    "memory_gb",
    "score",
]
PARAM_KEYS = [
    "lr",
    "batch_size",
    "optimizer",
    "epochs",
    "dropout",
    "weight_decay",
    "model",
    "seed",
    "hidden_size",
    "num_layers",
    "activation",
    "warmup_steps",
    "scheduler",
    "momentum",
    "dataset",
    "augment",
    "max_len",
    "beta1",
    "beta2",
    "clip_norm",
]
USERS = ["alice", "bob", "carol", "dave", "erin"]
MODELS = ["resnet50", "vit-b16", "bert-base", "gpt2-small", "xgboost", "logreg"]
FINAL_STEP = 99


@dataclass
class RunSpec:
    """Everything the store holds for run number `i` (0 = oldest)."""

    run_id: str
    name: str
    user: str
    start_time: int
    end_time: int
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def _unit(i: int, j: int) -> float:
    """A deterministic pseudo-random float in [0, 1) for (run i, slot j)."""
    x = (i * 2_654_435_761 + j * 40_503 + 12_345) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 2_246_822_519) & 0xFFFFFFFF
    x ^= x >> 13
    return x / 4_294_967_296


def run_spec(i: int, n_metrics: int = 20, n_params: int = 20) -> RunSpec:
    """The contents of run `i`: a pure function, so anyone can check the store."""
    run_id = hashlib.md5(f"mltui-bench-run-{i}".encode()).hexdigest()  # 32 hex digits
    model = MODELS[i % len(MODELS)]
    user = USERS[i % len(USERS)]
    name = f"{model}-{i:06d}"
    start = BASE_TIME_MS + i * RUN_SPACING_MS
    end = start + 5_000 + int(_unit(i, 999) * 3_600_000)
    metrics = {}
    for j in range(n_metrics):
        key = METRIC_KEYS[j] if j < len(METRIC_KEYS) else f"metric_{j:03d}"
        u = _unit(i, j)
        if key in ("throughput", "epoch_time", "train_time"):
            value = round(10 + u * 5000, 3)
        elif key in ("memory_gb", "grad_norm", "perplexity"):
            value = round(1 + u * 40, 4)
        elif key == "learning_rate":
            value = 10 ** -(1 + round(u * 4))
        else:
            value = u
        metrics[key] = value
    choices = {
        "optimizer": ["adam", "adamw", "sgd", "lion"],
        "model": MODELS,
        "activation": ["relu", "gelu", "silu"],
        "scheduler": ["cosine", "linear", "constant"],
        "dataset": ["imagenet-1k", "cifar10", "squad-v2", "wmt14"],
        "augment": ["true", "false"],
    }
    params = {}
    for j in range(n_params):
        key = PARAM_KEYS[j] if j < len(PARAM_KEYS) else f"param_{j:03d}"
        u = _unit(i, 100 + j)
        if key == "model":
            params[key] = model
        elif key in choices:
            options = choices[key]
            params[key] = options[int(u * len(options))]
        elif key == "seed":
            params[key] = str(i)
        elif key in ("batch_size", "hidden_size", "max_len"):
            params[key] = str(2 ** (4 + int(u * 7)))
        elif key in ("epochs", "num_layers", "warmup_steps"):
            params[key] = str(1 + int(u * 100))
        else:
            params[key] = repr(round(u, 5))
    tags = {
        "mlflow.runName": name,
        "mlflow.user": user,
        "mlflow.source.name": "train.py",
        "mlflow.source.type": "LOCAL",
        "team": ["vision", "nlp", "tabular"][i % 3],
    }
    return RunSpec(run_id, name, user, start, end, metrics, params, tags)


# --------------------------------------------------------------------------- locations


def store_dir(runs: int) -> Path:
    return STORES / "big" if runs == FULL_SIZE else STORES / f"runs-{runs}"


def store_uri(runs: int) -> str:
    return f"sqlite:///{store_dir(runs) / 'mlflow.db'}"


def experiment_name(runs: int) -> str:
    return f"bench-{runs}"


def read_marker(runs: int) -> dict | None:
    """The marker of a complete store of this shape, else None."""
    marker = store_dir(runs) / "complete.json"
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    wanted = {"format": FORMAT, "runs": runs, "metrics": 20, "params": 20}
    if any(data.get(k) != v for k, v in wanted.items()) or not (store_dir(runs) / "mlflow.db").is_file():
        return None
    return data


# --------------------------------------------------------------------------- building


def _columns(con: sqlite3.Connection, table: str) -> list[tuple[str, bool, bool]]:
    """(name, not_null, has_default) of each column, from PRAGMA table_info."""
    return [(r[1], bool(r[3]), r[4] is not None) for r in con.execute(f"PRAGMA table_info({table})")]


def _check_schema(con: sqlite3.Connection, filled: dict[str, list[str]]) -> None:
    """Fail loudly when MLflow's schema grew a NOT NULL column we would leave empty."""
    for table, ours in filled.items():
        for name, not_null, has_default in _columns(con, table):
            if not_null and not has_default and name not in ours:
                raise SystemExit(f"schema changed: {table}.{name} is NOT NULL and this builder does not fill it")
        unknown = set(ours) - {c[0] for c in _columns(con, table)}
        if unknown:
            raise SystemExit(f"schema changed: {table} has no column(s) {sorted(unknown)}")


RUN_COLUMNS = [
    "run_uuid",
    "name",
    "source_type",
    "source_name",
    "entry_point_name",
    "user_id",
    "status",
    "start_time",
    "end_time",
    "source_version",
    "lifecycle_stage",
    "artifact_uri",
    "experiment_id",
    "deleted_time",
]
LATEST_COLUMNS = ["key", "value", "timestamp", "step", "is_nan", "run_uuid"]
METRIC_COLUMNS = ["key", "value", "timestamp", "run_uuid", "step", "is_nan"]
PARAM_COLUMNS = ["key", "value", "run_uuid"]
TAG_COLUMNS = ["key", "value", "run_uuid"]


def _insert(con: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    con.executemany(sql, rows)


def build(runs: int, quiet: bool = False) -> dict:
    """Create the schema with MLflow, then bulk-insert `runs` runs; return the marker data."""
    folder = store_dir(runs)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db = folder / "mlflow.db"
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))

    t0 = time.perf_counter()
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{db}")
    artifacts = (folder / "artifacts").as_uri()
    exp_id = client.create_experiment(experiment_name(runs), artifact_location=artifacts)
    t_schema = time.perf_counter() - t0
    say(f"schema created by MLflow in {t_schema:.1f} s (experiment {exp_id}); inserting {runs:,} runs…")

    con = sqlite3.connect(db)
    _check_schema(
        con,
        {
            "runs": RUN_COLUMNS,
            "latest_metrics": LATEST_COLUMNS,
            "metrics": METRIC_COLUMNS,
            "params": PARAM_COLUMNS,
            "tags": TAG_COLUMNS,
        },
    )
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA journal_mode = MEMORY")
    con.execute("PRAGMA cache_size = -400000")  # 400 MB page cache while building

    # Secondary indexes are cheaper to build once at the end than to keep up row by row.
    # (No ANALYZE: a store MLflow filled itself has no sqlite_stat1, so query plans stay the same.)
    tables = ("runs", "latest_metrics", "metrics", "params", "tags")
    indexes = con.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(tables))})",
        tables,
    ).fetchall()
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')

    counts = dict.fromkeys(tables, 0)
    t1 = time.perf_counter()
    exp_int = int(exp_id)
    for lo in range(0, runs, CHUNK):
        run_rows, latest_rows, metric_rows, param_rows, tag_rows = [], [], [], [], []
        for i in range(lo, min(runs, lo + CHUNK)):
            spec = run_spec(i)
            rid = spec.run_id
            run_rows.append(
                (
                    rid,
                    spec.name,
                    "UNKNOWN",
                    "",
                    "",
                    spec.user,
                    "FINISHED",
                    spec.start_time,
                    spec.end_time,
                    "",
                    "active",
                    f"{artifacts}/{rid}/artifacts",
                    exp_int,
                    None,
                )
            )
            for key, value in spec.metrics.items():
                latest_rows.append((key, value, spec.end_time, FINAL_STEP, 0, rid))
                metric_rows.append((key, value, spec.end_time, rid, FINAL_STEP, 0))
            param_rows.extend((key, value, rid) for key, value in spec.params.items())
            tag_rows.extend((key, value, rid) for key, value in spec.tags.items())
        with con:
            _insert(con, "runs", RUN_COLUMNS, run_rows)
            _insert(con, "latest_metrics", LATEST_COLUMNS, latest_rows)
            _insert(con, "metrics", METRIC_COLUMNS, metric_rows)
            _insert(con, "params", PARAM_COLUMNS, param_rows)
            _insert(con, "tags", TAG_COLUMNS, tag_rows)
        for table, rows in zip(tables, (run_rows, latest_rows, metric_rows, param_rows, tag_rows)):
            counts[table] += len(rows)
        done = min(runs, lo + CHUNK)
        if not quiet and (done % 20_000 == 0 or done == runs):
            rate = done / (time.perf_counter() - t1)
            say(f"  {done:>7,} runs inserted ({rate:,.0f} runs/s)")
    t_insert = time.perf_counter() - t1

    t2 = time.perf_counter()
    with con:
        for _, sql in indexes:
            con.execute(sql)
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    t_index = time.perf_counter() - t2

    t3 = time.perf_counter()
    checks = verify(runs, exp_id)
    t_verify = time.perf_counter() - t3

    marker = {
        "format": FORMAT,
        "runs": runs,
        "metrics": 20,
        "params": 20,
        "tags": 5,
        "experiment_id": exp_id,
        "experiment_name": experiment_name(runs),
        "uri": store_uri(runs),
        "rows": counts,
        "db_bytes": db.stat().st_size,
        "seconds": {
            "schema": round(t_schema, 2),
            "insert": round(t_insert, 2),
            "indexes": round(t_index, 2),
            "verify": round(t_verify, 2),
            "total": round(time.perf_counter() - t0, 2),
        },
        "checks": checks,
    }
    (folder / "complete.json").write_text(json.dumps(marker, indent=2))
    return marker


# --------------------------------------------------------------------------- verification


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _compare(run, spec: RunSpec, exp_id: str) -> list[str]:
    """Differences between an mlflow `Run` and what we inserted (empty = same)."""
    problems = []
    info, data = run.info, run.data
    for what, got, want in [
        ("run_id", info.run_id, spec.run_id),
        ("run_name", info.run_name, spec.name),
        ("experiment_id", info.experiment_id, exp_id),
        ("status", info.status, "FINISHED"),
        ("lifecycle_stage", info.lifecycle_stage, "active"),
        ("start_time", info.start_time, spec.start_time),
        ("end_time", info.end_time, spec.end_time),
        ("user_id", info.user_id, spec.user),
        ("params", dict(data.params), spec.params),
        ("tags", dict(data.tags), spec.tags),
        ("metric keys", sorted(data.metrics), sorted(spec.metrics)),
    ]:
        if got != want:
            problems.append(f"{what}: got {got!r}, inserted {want!r}")
    for key, want in spec.metrics.items():
        got = data.metrics.get(key)
        if got is None or not _close(got, want):
            problems.append(f"metric {key}: got {got!r}, inserted {want!r}")
    if not info.artifact_uri.endswith(f"/{spec.run_id}/artifacts"):
        problems.append(f"artifact_uri {info.artifact_uri!r}")
    return problems


def verify(runs: int, exp_id: str) -> dict:
    """Read the store back through MlflowClient: search a page, get_run, metric history."""
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    client = MlflowClient(store_uri(runs))
    page = client.search_runs([exp_id], max_results=100, run_view_type=ViewType.ACTIVE_ONLY)
    problems = []
    want_first = min(100, runs)
    if len(page) != want_first:
        problems.append(f"first page has {len(page)} runs, expected {want_first}")
    # MLflow's default order is start_time DESC: the first run is the newest (highest index).
    for k, run in enumerate(page[:3]):
        problems += _compare(run, run_spec(runs - 1 - k), exp_id)
    middle = runs // 2
    got = client.get_run(run_spec(middle).run_id)
    problems += _compare(got, run_spec(middle), exp_id)
    history = client.get_metric_history(run_spec(middle).run_id, "accuracy")
    if [(m.step, m.value) for m in history] != [(FINAL_STEP, run_spec(middle).metrics["accuracy"])]:
        problems.append(f"metric history of accuracy: {history!r}")
    filtered = client.search_runs([exp_id], filter_string=f"params.seed = '{middle}'", max_results=10)
    if [r.info.run_id for r in filtered] != [run_spec(middle).run_id]:
        problems.append(f"filter params.seed = '{middle}' found {[r.info.run_id for r in filtered]}")
    con = sqlite3.connect(f"file:{store_dir(runs) / 'mlflow.db'}?mode=ro", uri=True)
    total = con.execute(
        "SELECT COUNT(*) FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active'", (int(exp_id),)
    ).fetchone()[0]
    con.close()
    if total != runs:
        problems.append(f"runs table holds {total} runs, expected {runs}")
    if problems:
        raise SystemExit("verification FAILED:\n  " + "\n  ".join(problems))
    return {
        "first_page": len(page),
        "compared_runs": 4,
        "get_run": "ok",
        "history": "ok",
        "filter": "ok",
        "sql_count": total,
    }


def ensure_store(runs: int = FULL_SIZE, rebuild: bool = False, quiet: bool = False) -> dict:
    """The marker of a complete store with `runs` runs, building it when needed."""
    marker = None if rebuild else read_marker(runs)
    if marker is not None:
        marker = dict(marker, reused=True)
        return marker
    return dict(build(runs, quiet=quiet), reused=False)


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=FULL_SIZE, help=f"runs to insert (default {FULL_SIZE:,})")
    parser.add_argument("--rebuild", action="store_true", help="delete and rebuild even if complete")
    parser.add_argument("--verify", action="store_true", help="re-run the read-back checks on a reused store")
    args = parser.parse_args(argv)
    if args.runs < 100:
        parser.error("--runs must be at least 100")

    wall = time.perf_counter()
    marker = ensure_store(args.runs, rebuild=args.rebuild)
    if marker["reused"] and args.verify:
        marker["checks"] = verify(args.runs, marker["experiment_id"])
    secs = marker["seconds"]
    rows = marker["rows"]
    print()
    print(f"MLflow bench store: {marker['runs']:,} runs x 20 metrics x 20 params x 5 tags")
    print(
        _table(
            [
                ("database", str(store_dir(args.runs) / "mlflow.db")),
                ("uri", marker["uri"]),
                ("experiment", f"{marker['experiment_name']} (id {marker['experiment_id']})"),
                ("status", "reused (complete.json present)" if marker["reused"] else "built now"),
                ("size on disk", f"{marker['db_bytes'] / 1e6:,.0f} MB"),
                ("rows", ", ".join(f"{t} {n:,}" for t, n in rows.items())),
                ("build: schema by MLflow", f"{secs['schema']:.1f} s"),
                (
                    "build: bulk insert",
                    f"{secs['insert']:.1f} s ({marker['runs'] / max(secs['insert'], 1e-9):,.0f} runs/s)",
                ),
                ("build: recreate indexes", f"{secs['indexes']:.1f} s"),
                ("build: read-back checks", f"{secs['verify']:.1f} s"),
                ("build: total", f"{secs['total']:.1f} s"),
                ("checks", ", ".join(f"{k} {v}" for k, v in marker["checks"].items())),
                ("this invocation", f"{time.perf_counter() - wall:.1f} s"),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
