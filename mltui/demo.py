"""The built-in demo store that `mltui demo` opens.

`ensure_demo()` builds, once, a SQLite tracking store under the user's cache
directory with real `MlflowClient` calls (explicit run ids, no fluent global
state, so it is safe in a worker thread) and returns its URI. The contents
mirror the product's use cases: comparing two classifier runs, `evaluate`
outputs, evaluation-harness invocations spanning two experiments, a
hyper-parameter sweep with child runs, one artifact of every previewable type,
deleted things and hostile or odd values. Everything is deterministic: fixed
seeds, fixed names, fixed timestamps (run ids are MLflow's own uuids).

Besides `mltui.store`, this is the one module allowed to import `mlflow`: it
logs the demo with a client of its own, before the UI opens the store, from
`demo_evaluate` (sklearn pipelines scored like `mlflow.evaluate`), `demo_files`
(artifacts), `demo_models` (the registry) and `demo_data/`. `mlflow`, numpy,
pandas, sklearn and matplotlib are imported in functions: the CLI imports this early.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mltui.demo_evaluate import churn_dataset, evaluate_pipeline
from mltui.demo_files import (
    GALLERY_FILES,
    FileContent,
    data_text,
    fake_sha,
    gallery_files,
    harness_files,
    harness_history,
    smoke_runs,
    sweep_history,
)
from mltui.demo_models import register_classifier_models

DEMO_DIR_ENV = "MLTUI_DEMO_DIR"
DEMO_VERSION = "demo-v3"  # v2: the model registry; v3: harness smoke runs, the hostile run no longer first
MARKER = ".complete"
BUILDING = ".building"

# 2025-06-02 09:00:00 UTC: every timestamp in the demo is an offset from here.
BASE_TIME_MS = 1_748_854_800_000
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

# Names the UI tests and screenshots rely on.
CLASSIFIER_EXPERIMENT = "/Users/ana/churn/classifier"
EVALUATE_EXPERIMENT = "/Users/ana/churn/evaluate"
MMLU_EXPERIMENT = "eval-harness/mmlu"
GSM8K_EXPERIMENT = "eval-harness/gsm8k"
SMOKE_EXPERIMENT = "eval-harness/smoke"
SWEEP_EXPERIMENT = "sweeps/lr-sweep"
GALLERY_EXPERIMENT = "demo/artifacts"
EDGE_EXPERIMENT = "demo/edge-cases"
DELETED_EXPERIMENT = "old/deprecated"

MARKUP_RUN_NAME = "[bold red]x[/]"
SHARED_INVOCATION_ID = "71f3f3199ea5e1f0"
OTHER_INVOCATION_ID = "c2a9e0d41b7f3865"
SWEEP_LRS = ("0.1", "0.01", "0.001", "0.0001")

HOSTILE_TEXT = (
    "Untrusted content: none of this may act on the terminal or the UI.\n"
    "OSC 52 clipboard write: \x1b]52;c;SGVsbG8=\x07\n"
    "Rich markup link: [link=https://evil.example]click[/link]\n"
    "ANSI colour: \x1b[31mred\x1b[0m\n"
    "Rich markup style: [bold red]not bold, not red[/]\n"
)


# ---------------------------------------------------------------- locations


def demo_root() -> Path:
    """Where the demo store lives: `$MLTUI_DEMO_DIR`, else the user cache dir."""
    override = os.environ.get(DEMO_DIR_ENV)
    if override:
        return Path(override).expanduser().absolute()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mltui")) / DEMO_VERSION


def demo_uri(root: Path | None = None) -> str:
    """The tracking URI of the demo store under `root`."""
    root = _absolute(root if root is not None else demo_root())
    return f"sqlite:///{root.as_posix()}/mlflow.db"


def ensure_demo(root: Path | None = None, rebuild: bool = False) -> str:
    """Build the demo store unless a complete one is there; return its URI.

    A folder left half-built (no `.complete` marker but our `.building` one,
    or empty) is wiped and rebuilt; `rebuild` treats a complete one the same.
    A non-empty folder that this module did not create is never wiped: that
    raises `FileExistsError`.
    """
    root = _absolute(root if root is not None else demo_root())
    if rebuild and (root / MARKER).exists():
        (root / MARKER).rename(root / BUILDING)
    if (root / MARKER).exists():
        return demo_uri(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(root):
        if (root / MARKER).exists():  # another process finished it meanwhile
            return demo_uri(root)
        if root.exists():
            if any(root.iterdir()) and not (root / BUILDING).exists():
                raise FileExistsError(f"{root} is not empty and is not a demo store; refusing to wipe it")
            shutil.rmtree(root)
        return build_demo(root)


def build_demo(root: Path) -> str:
    """Build the demo store into `root` (missing or empty); return its URI."""
    root = _absolute(root)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    (root / BUILDING).write_text("mltui demo store being built\n")
    uri = demo_uri(root)
    from mlflow import MlflowClient
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    # Create the schema with an artifact root inside `root`, so that even the
    # "Default" experiment (id 0) does not point at ./mlruns of the cwd.
    SqlAlchemyStore(uri, (root / "artifacts").as_uri()).engine.dispose()
    builder = _Builder(MlflowClient(uri), root)
    builder.build()
    (root / BUILDING).unlink()
    (root / MARKER).write_text(f"{DEMO_VERSION}\n")
    return uri


def _absolute(path: Path | str) -> Path:
    return Path(path).expanduser().absolute()


@contextlib.contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    """Serialise builds of one root across processes (best effort, POSIX)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; a clash rebuilds at worst
        yield
        return
    lock_path = root.parent / f".{root.name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- the builder


class _Builder:
    """Logs every experiment and run of the demo with one client."""

    def __init__(self, client: Any, root: Path) -> None:
        self.client = client
        self.root = root
        self.user = "ana"

    # -- primitives

    def experiment(self, name: str, description: str | None = None) -> str:
        folder = self.root / "artifacts" / Path(*name.strip("/").split("/"))
        tags = {"mlflow.note.content": description} if description else None
        return self.client.create_experiment(name, artifact_location=folder.as_uri(), tags=tags)

    def run(
        self,
        experiment_id: str,
        name: str,
        *,
        start: int,
        duration_s: float | None,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        history: dict[str, list[float]] | None = None,
        tags: dict[str, str] | None = None,
        files: dict[str, FileContent] | None = None,
        parent: str | None = None,
        source: str = "train.py",
    ) -> str:
        """Create one run. `start` is ms after BASE_TIME_MS; `duration_s` None leaves it RUNNING."""
        from mlflow.entities import Metric, Param

        start_time = BASE_TIME_MS + start
        all_tags = {
            "mlflow.user": self.user,
            "mlflow.source.type": "LOCAL",
            "mlflow.source.name": source,
            "mlflow.source.git.commit": fake_sha(name + experiment_id),
        }
        if parent:
            all_tags["mlflow.parentRunId"] = parent
        all_tags.update(tags or {})
        run_id = self.client.create_run(experiment_id, start_time=start_time, tags=all_tags, run_name=name).info.run_id
        span = int((duration_s or 600) * 1000)
        entries: list[Any] = []
        for key, values in (history or {}).items():
            for step, value in enumerate(values):
                stamp = start_time + (span * (step + 1)) // (len(values) + 1)
                entries.append(Metric(key, float(value), stamp, step))
        for key, value in (metrics or {}).items():
            entries.append(Metric(key, float(value), start_time + span, 0))
        param_list = [Param(key, str(value)) for key, value in (params or {}).items()]
        # log_batch takes at most 1000 metrics and 100 params a call.
        while entries or param_list:
            self.client.log_batch(run_id, metrics=entries[:1000], params=param_list[:100])
            entries, param_list = entries[1000:], param_list[100:]
        if files:
            self.log_files(run_id, files)
        if duration_s is not None:
            self.client.set_terminated(run_id, "FINISHED", end_time=start_time + int(duration_s * 1000))
        return run_id

    def log_files(self, run_id: str, files: dict[str, FileContent]) -> None:
        with tempfile.TemporaryDirectory(prefix="mltui-demo-") as tmp:
            staging = Path(tmp)
            for rel, content in files.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if callable(content):
                    content(target)
                elif isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content, encoding="utf-8", newline="\n")
            self.client.log_artifacts(run_id, str(staging))

    # -- the whole store

    def build(self) -> None:
        self.classifier()
        self.evaluate()
        self.eval_harness()
        self.eval_harness_smoke()
        self.sweep()
        self.gallery()
        self.edge_cases()
        self.deleted_experiment()

    # -- 1. two classifier runs to compare

    def classifier(self) -> None:
        """Runs read from `demo_data/classifier_runs.json`, in its order; `deleted` ones are soft-deleted."""
        exp = self.experiment(CLASSIFIER_EXPERIMENT, "Churn classifier: baseline vs tuned logistic regression.")
        for spec in json.loads(data_text("classifier_runs.json")):
            run_id = self.run(
                exp,
                spec["name"],
                start=spec["start_hours"] * HOUR_MS,
                duration_s=spec["duration_s"],
                params=spec["params"],
                metrics=spec["metrics"],
                tags=spec["tags"],
            )
            if spec.get("deleted"):
                self.client.delete_run(run_id)
        register_classifier_models(self.client, exp)

    # -- 2. runs shaped like mlflow.evaluate on sklearn pipelines

    def evaluate(self) -> None:
        exp = self.experiment(EVALUATE_EXPERIMENT, "mlflow.evaluate-style results for two sklearn pipelines.")
        data = churn_dataset()
        pipelines = [
            ("eval-logreg-pipeline", "LogisticRegression", {"classifier__C": "0.5", "classifier__max_iter": "200"}),
            (
                "eval-forest-pipeline",
                "RandomForestClassifier",
                {"classifier__n_estimators": "60", "classifier__max_depth": "6"},
            ),
        ]
        for index, (name, estimator, params) in enumerate(pipelines):
            result = evaluate_pipeline(data, estimator)
            self.run(
                exp,
                name,
                start=DAY_MS + index * HOUR_MS,
                duration_s=37.5 + 21.0 * index,
                params={
                    "estimator": estimator,
                    "model_type": "classifier",
                    "targets": "churned",
                    "evaluators": "default",
                    **params,
                },
                metrics=result["metrics"],
                tags={
                    "team": "churn",
                    "mlflow.loggedArtifacts": json.dumps([{"path": "eval_results_table.json", "type": "table"}]),
                },
                files=result["files"],
                source="evaluate.py",
            )

    # -- 3. evaluation-harness invocations spanning two experiments

    def eval_harness(self) -> None:
        mmlu = self.experiment(MMLU_EXPERIMENT, "Eval harness: MMLU (5-shot).")
        gsm8k = self.experiment(GSM8K_EXPERIMENT, "Eval harness: GSM8K (8-shot, chain of thought).")
        plan = [
            # experiment, task, model, invocation, start, duration (None: RUNNING), final score
            (mmlu, "mmlu", "llama-3.1-8b-instruct", SHARED_INVOCATION_ID, 2 * DAY_MS, 1843.0, 0.683),
            (gsm8k, "gsm8k", "llama-3.1-8b-instruct", SHARED_INVOCATION_ID, 2 * DAY_MS + 31 * MINUTE_MS, 2710.0, 0.772),
            (mmlu, "mmlu", "mistral-7b-instruct", OTHER_INVOCATION_ID, 3 * DAY_MS, 2125.0, 0.624),
            (gsm8k, "gsm8k", "mistral-7b-instruct", OTHER_INVOCATION_ID, 3 * DAY_MS + 36 * MINUTE_MS, None, 0.521),
        ]
        for seed, (exp, task, model, invocation, start, duration, score) in enumerate(plan):
            running = duration is None
            steps = 12 if running else 20
            scores, latencies = harness_history(seed, score, steps)
            metrics = (
                {}
                if duration is None
                else {
                    f"{task}_accuracy": score,
                    f"{task}_accuracy_stderr": round(0.004 + 0.001 * seed, 4),
                    "num_samples": 1319.0 if task == "gsm8k" else 14042.0,
                    "total_time_s": duration,
                }
            )
            files = harness_files(task, model, invocation, BASE_TIME_MS + start, duration, scores, latencies, seed)
            self.run(
                exp,
                model,
                start=start,
                duration_s=duration,
                params={
                    "invocation_id": invocation,
                    "model": model,
                    "task": task,
                    "num_fewshot": "8" if task == "gsm8k" else "5",
                    "temperature": "0.0",
                    "max_new_tokens": "512" if task == "gsm8k" else "32",
                    "parallelism": "2",
                },
                history={"score": scores, "latency_ms": latencies},
                metrics=metrics,
                tags={"invocation_id": invocation, "harness": "eval-factory", "task": task},
                files=files,
                source="eval_factory/run.py",
            )

    def eval_harness_smoke(self) -> None:
        """Quick harness runs whose configs differ (`limit_samples` 50 vs 100): `c` compares their artifacts."""
        exp = self.experiment(SMOKE_EXPERIMENT, "Eval harness smoke tests: MMLU on a few samples.")
        for name, spec in smoke_runs(BASE_TIME_MS, start=5 * DAY_MS, gap=20 * MINUTE_MS):
            self.run(exp, name, **spec)

    # -- 4. a sweep: parent with four child runs

    def sweep(self) -> None:
        exp = self.experiment(SWEEP_EXPERIMENT, "Learning-rate sweep over two backbones.")
        start = 5 * DAY_MS
        parent = self.client.create_run(
            exp,
            start_time=BASE_TIME_MS + start,
            run_name="sweep-parent",
            tags={
                "mlflow.user": self.user,
                "mlflow.source.type": "LOCAL",
                "mlflow.source.name": "sweep.py",
                "sweep": "lr",
            },
        ).info.run_id
        best = 0.0
        for index, lr in enumerate(SWEEP_LRS):
            model = "resnet" if index % 2 == 0 else "vit"
            val_loss, val_acc, train_loss = sweep_history(index, float(lr))
            best = max(best, max(val_acc))
            self.run(
                exp,
                f"lr-{lr}",
                start=start + index * 25 * MINUTE_MS,
                duration_s=1380.0 + 97.0 * index,
                params={"lr": lr, "seed": str(index + 1), "model": model, "epochs": "10", "batch_size": "64"},
                history={"val_loss": val_loss, "val_accuracy": val_acc, "train_loss": train_loss},
                tags={"sweep": "lr"},
                parent=parent,
            )
        from mlflow.entities import Metric, Param

        end = BASE_TIME_MS + start + 4 * 25 * MINUTE_MS + 10 * MINUTE_MS
        self.client.log_batch(
            parent,
            metrics=[Metric("best_val_accuracy", best, end, 0)],
            params=[Param("sweep_param", "lr"), Param("n_trials", str(len(SWEEP_LRS)))],
        )
        self.client.set_terminated(parent, "FINISHED", end_time=end)

    # -- 5. one artifact of every type

    def gallery(self) -> None:
        files = {**gallery_files(BASE_TIME_MS + 6 * DAY_MS), "hostile.txt": HOSTILE_TEXT}
        assert set(files) == set(GALLERY_FILES), sorted(set(files) ^ set(GALLERY_FILES))
        exp = self.experiment(GALLERY_EXPERIMENT, "One artifact of each type the preview pane handles.")
        self.run(
            exp,
            "artifact-gallery",
            start=6 * DAY_MS,
            duration_s=95.0,
            params={"purpose": "preview every artifact type"},
            metrics={"files": float(len(GALLERY_FILES))},
            files=files,
        )

    # -- 6/7. odd values, deleted things

    def edge_cases(self) -> None:
        exp = self.experiment(EDGE_EXPERIMENT, "Values a UI must survive.")
        long_value = ("0123456789abcdef" * 320)[:5000]
        self.run(
            exp,
            "odd-values",
            start=7 * DAY_MS,
            duration_s=3.0,
            params={
                "long_value": long_value,
                "empty": "",
                "unicode": "café · 日本語 · ✓",
                "markup": "[bold]not bold[/bold]",
                "multiline": "first line\nsecond line",
            },
            metrics={
                "nan_metric": float("nan"),
                "pos_inf": float("inf"),
                "neg_inf": float("-inf"),
                "tiny": 1e-12,
                "huge": 1e12,
                "negative": -3.5,
                "zero": 0.0,
            },
            history={"loss_with_nan": [1.0, 0.8, float("nan"), 0.5, 0.4]},
            tags={"long_tag": long_value},
        )

    def deleted_experiment(self) -> None:
        exp = self.experiment(DELETED_EXPERIMENT, "Superseded by /Users/ana/churn/classifier.")
        self.run(
            exp, "legacy-run", start=-30 * DAY_MS, duration_s=300.0, params={"C": "1.0"}, metrics={"accuracy": 0.8}
        )
        self.client.delete_experiment(exp)
