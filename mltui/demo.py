"""The built-in demo store that `mltui demo` opens.

`ensure_demo()` builds, once, a SQLite tracking store under the user's cache
directory with real `MlflowClient` calls (explicit run ids, no fluent global
state, so it is safe in a worker thread) and returns its URI. The contents
mirror the product's use cases: comparing two classifier runs, `evaluate`
outputs, evaluation-harness invocations spanning two experiments, a
hyper-parameter sweep with child runs, one artifact of every previewable type,
deleted things and hostile or odd values. Everything is deterministic: fixed
seeds, fixed names, fixed timestamps (run ids are MLflow's own uuids).

`mlflow`, numpy, pandas, scikit-learn and matplotlib are imported inside the
functions: the CLI imports this module before the UI starts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DEMO_DIR_ENV = "MLTUI_DEMO_DIR"
DEMO_VERSION = "demo-v1"
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

GALLERY_FILES = (
    "notes.txt",
    "train.log",
    "stdout.out",
    "stderr.err",
    "train.py",
    "run.sh",
    "README.md",
    "metrics.json",
    "config.yaml",
    "pyproject.toml",
    "model/MLmodel",
    "data.csv",
    "data.tsv",
    "table.parquet",
    "plot.png",
    "photo.jpg",
    "anim.gif",
    "diagram.svg",
    "report.html",
    "weights.bin",
    "hostile.txt",
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

FileContent = str | bytes | Callable[[Path], None]


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
            "mlflow.source.git.commit": _fake_sha(name + experiment_id),
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
        self.sweep()
        self.gallery()
        self.edge_cases()
        self.deleted_experiment()

    # -- 1. two classifier runs to compare

    def classifier(self) -> None:
        exp = self.experiment(CLASSIFIER_EXPERIMENT, "Churn classifier: baseline vs tuned logistic regression.")
        common = {"model": "logreg", "team": "churn"}
        self.run(
            exp,
            "logreg-baseline",
            start=0,
            duration_s=184.2,
            params={"C": "1.0", "max_iter": "100", "solver": "lbfgs"},
            metrics={"accuracy": 0.85, "precision": 0.88, "recall": 0.82, "f1_score": 0.85, "log_loss": 0.38},
            tags=common,
        )
        self.run(
            exp,
            "logreg-tuned",
            start=2 * HOUR_MS,
            duration_s=251.7,
            params={"C": "0.5", "max_iter": "100", "solver": "lbfgs"},
            metrics={
                "accuracy": 0.92,
                "precision": 0.91,
                "recall": 0.93,
                "f1_score": 0.92,
                "log_loss": 0.24,
                "roc_auc": 0.96,
            },
            tags={
                **common,
                "mlflow.note.content": (
                    "## Tuned\n\nHalved `C` after a 5-fold grid search over "
                    "{0.1, 0.5, 1.0, 2.0}. Recall is up 11 points; use this as the new baseline."
                ),
            },
        )
        self.run(
            exp,
            "random-forest",
            start=3 * HOUR_MS,
            duration_s=612.9,
            params={"n_estimators": "200", "max_depth": "8", "min_samples_leaf": "2"},
            metrics={
                "accuracy": 0.89,
                "precision": 0.90,
                "recall": 0.86,
                "f1_score": 0.88,
                "log_loss": 0.29,
                "roc_auc": 0.94,
            },
            tags={"model": "random-forest", "team": "churn"},
        )
        self.run(
            exp,
            MARKUP_RUN_NAME,
            start=4 * HOUR_MS,
            duration_s=12.0,
            params={"C": "1.0", "comment": "[bold red]not red[/] [link=https://evil.example]click[/link]"},
            metrics={"accuracy": 0.5},
            tags={"team": "churn", "model": "[i]logreg[/i]"},
        )
        discarded = self.run(
            exp,
            "logreg-discarded",
            start=1 * HOUR_MS,
            duration_s=40.3,
            params={"C": "10.0", "max_iter": "20", "solver": "lbfgs"},
            metrics={"accuracy": 0.71, "precision": 0.69, "recall": 0.74, "f1_score": 0.71, "log_loss": 0.61},
            tags=common,
        )
        self.client.delete_run(discarded)

    # -- 2. runs shaped like mlflow.evaluate on sklearn pipelines

    def evaluate(self) -> None:
        exp = self.experiment(EVALUATE_EXPERIMENT, "mlflow.evaluate-style results for two sklearn pipelines.")
        data = _churn_dataset()
        pipelines = [
            ("eval-logreg-pipeline", "LogisticRegression", {"classifier__C": "0.5", "classifier__max_iter": "200"}),
            (
                "eval-forest-pipeline",
                "RandomForestClassifier",
                {"classifier__n_estimators": "60", "classifier__max_depth": "6"},
            ),
        ]
        for index, (name, estimator, params) in enumerate(pipelines):
            result = _evaluate_pipeline(data, estimator)
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
            scores, latencies = _harness_history(seed, score, steps)
            metrics = (
                {}
                if running
                else {
                    f"{task}_accuracy": score,
                    f"{task}_accuracy_stderr": round(0.004 + 0.001 * seed, 4),
                    "num_samples": 1319.0 if task == "gsm8k" else 14042.0,
                    "total_time_s": duration,
                }
            )
            files = _harness_files(task, model, invocation, start, duration, scores, latencies, seed)
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
            val_loss, val_acc, train_loss = _sweep_history(index, float(lr))
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
        exp = self.experiment(GALLERY_EXPERIMENT, "One artifact of each type the preview pane handles.")
        self.run(
            exp,
            "artifact-gallery",
            start=6 * DAY_MS,
            duration_s=95.0,
            params={"purpose": "preview every artifact type"},
            metrics={"files": float(len(GALLERY_FILES))},
            files=_gallery_files(),
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


# ---------------------------------------------------------------- content


def _fake_sha(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


def _png(draw: Callable[[Any], None], size: tuple[float, float] = (5.0, 3.6)) -> bytes:
    """Render a matplotlib figure to PNG without pyplot (thread-safe)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=80)
    draw(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _csv(frame: Any, sep: str = ",") -> str:
    return frame.to_csv(index=False, sep=sep, lineterminator="\n")


def _churn_dataset() -> dict[str, Any]:
    """A small synthetic churn table, split once."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20250602)
    n = 600
    tenure = rng.integers(1, 72, n)
    charges = np.round(rng.normal(70, 20, n).clip(18, 130), 2)
    calls = rng.poisson(1.5, n)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n, p=[0.55, 0.25, 0.2])
    reason = rng.choice(["tech_support", "billing", "sales"], n, p=[0.4, 0.35, 0.25])
    logit = (
        -0.05 * tenure
        + 0.03 * (charges - 70)
        + 0.6 * calls
        + 1.2 * (contract == "month-to-month")
        + 0.5 * (reason == "tech_support")
        - 0.8
        + rng.normal(0, 0.9, n)
    )
    churned = (logit > 0).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{10000 + i}" for i in range(n)],
            "tenure_months": tenure,
            "monthly_charges": charges,
            "support_calls": calls,
            "contract": contract,
            "contact_reason": reason,
            "churned": churned,
        }
    )
    return {"train": frame.iloc[:400].reset_index(drop=True), "test": frame.iloc[400:].reset_index(drop=True)}


def _evaluate_pipeline(data: dict[str, Any], estimator: str) -> dict[str, Any]:
    """Fit a tiny sklearn pipeline and log what `mlflow.evaluate` would."""
    import numpy as np
    import pandas as pd
    from sklearn import metrics as skm
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    features = ["tenure_months", "monthly_charges", "support_calls", "contract", "contact_reason"]
    classifier = (
        LogisticRegression(C=0.5, max_iter=200)
        if estimator == "LogisticRegression"
        else RandomForestClassifier(n_estimators=60, max_depth=6, random_state=0, n_jobs=1)
    )
    pipe = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["tenure_months", "monthly_charges", "support_calls"]),
                        ("cat", OneHotEncoder(), ["contract", "contact_reason"]),
                    ]
                ),
            ),
            ("classifier", classifier),
        ]
    )
    train, test = data["train"], data["test"]
    pipe.fit(train[features], train["churned"])
    y = test["churned"].to_numpy()
    proba = pipe.predict_proba(test[features])[:, 1]
    pred = (proba >= 0.5).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    tech = (test["contact_reason"] == "tech_support").to_numpy()
    metrics = {
        "example_count": float(len(y)),
        "accuracy_score": skm.accuracy_score(y, pred),
        "precision_score": skm.precision_score(y, pred, zero_division=0),
        "recall_score": skm.recall_score(y, pred, zero_division=0),
        "f1_score": skm.f1_score(y, pred, zero_division=0),
        "log_loss": skm.log_loss(y, proba, labels=[0, 1]),
        "roc_auc": skm.roc_auc_score(y, proba),
        "precision_recall_auc": skm.average_precision_score(y, proba),
        "true_negatives": float(tn),
        "false_positives": float(fp),
        "false_negatives": float(fn),
        "true_positives": float(tp),
        "f1_tech_support": skm.f1_score(y[tech], pred[tech], zero_division=0),
    }
    metrics = {key: round(float(value), 6) for key, value in metrics.items()}

    per_class = []
    for positive in (0, 1):
        yt, yp = (y == positive).astype(int), (pred == positive).astype(int)
        c_tn, c_fp, c_fn, c_tp = skm.confusion_matrix(yt, yp, labels=[0, 1]).ravel()
        score = proba if positive == 1 else 1 - proba
        per_class.append(
            {
                "positive_class": positive,
                "true_negatives": c_tn,
                "false_positives": c_fp,
                "false_negatives": c_fn,
                "true_positives": c_tp,
                "recall": round(skm.recall_score(yt, yp, zero_division=0), 6),
                "precision": round(skm.precision_score(yt, yp, zero_division=0), 6),
                "f1score": round(skm.f1_score(yt, yp, zero_division=0), 6),
                "roc_auc": round(skm.roc_auc_score(yt, score), 6),
                "precision_recall_auc": round(skm.average_precision_score(yt, score), 6),
            }
        )

    table = test[features + ["churned"]].copy()
    table.insert(0, "customer_id", test["customer_id"])
    table["prediction"] = pred
    table["probability"] = np.round(proba, 4)
    rows = table.head(60)
    results_table = {"columns": list(rows.columns), "data": json.loads(rows.to_json(orient="values"))}
    misclassified = table[table["prediction"] != table["churned"]]

    matrix = np.array([[tn, fp], [fn, tp]])
    fpr, tpr, _ = skm.roc_curve(y, proba)

    def confusion(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.imshow(matrix, cmap="Blues")
        for (row, col), count in np.ndenumerate(matrix):
            ax.text(
                col, row, str(count), ha="center", va="center", color="white" if count > matrix.max() / 2 else "black"
            )
        ax.set_xticks([0, 1], ["0", "1"])
        ax.set_yticks([0, 1], ["0", "1"])
        ax.set_xlabel("Predicted label")
        ax.set_ylabel("True label")
        ax.set_title(f"Normalized confusion matrix ({estimator})")

    def roc(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.plot(fpr, tpr, label=f"AUC={metrics['roc_auc']:.3f}")
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
        ax.set_xlabel("False Positive Rate (Positive label: 1)")
        ax.set_ylabel("True Positive Rate (Positive label: 1)")
        ax.set_title("ROC curve")
        ax.legend(loc="lower right")

    files: dict[str, FileContent] = {
        "confusion_matrix.png": _png(confusion),
        "roc_curve_plot.png": _png(roc),
        "per_class_metrics.csv": _csv(pd.DataFrame(per_class)),
        "eval_results_table.json": json.dumps(results_table),
        "misclassified_examples.csv": _csv(misclassified),
    }
    return {"metrics": metrics, "files": files}


def _harness_history(seed: int, final: float, steps: int) -> tuple[list[float], list[float]]:
    """Running accuracy converging to `final`, and per-batch latency in ms."""
    import numpy as np

    rng = np.random.default_rng(1000 + seed)
    total = 20
    scores, latencies = [], []
    for step in range(steps):
        spread = 0.12 * (1 - step / total)
        scores.append(round(float(np.clip(final + rng.normal(0, spread), 0, 1)), 4))
        latencies.append(round(float(380 + 45 * seed + rng.normal(0, 35) + (120 if step % 7 == 3 else 0)), 1))
    if steps == total:
        scores[-1] = final
    return scores, latencies


def _stamp(ms: int) -> str:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S,") + f"{ms % 1000:03d}"


def _harness_files(
    task: str,
    model: str,
    invocation: str,
    start: int,
    duration: float | None,
    scores: list[float],
    latencies: list[float],
    seed: int,
) -> dict[str, FileContent]:
    import numpy as np
    import pandas as pd
    import yaml

    running = duration is None
    config = {
        "invocation_id": invocation,
        "target": {
            "api_endpoint": {"type": "chat", "model_id": model, "url": "http://127.0.0.1:8000/v1/chat/completions"}
        },
        "config": {
            "type": task,
            "params": {
                "limit_samples": None,
                "max_new_tokens": 512 if task == "gsm8k" else 32,
                "temperature": 0.0,
                "top_p": 1.0,
                "parallelism": 2,
                "request_timeout": 60,
                "max_retries": 5,
                "extra": {"num_fewshot": 8 if task == "gsm8k" else 5},
            },
        },
    }
    files: dict[str, FileContent] = {"artifacts/config.yml": yaml.safe_dump(config, sort_keys=False)}

    rng = np.random.default_rng(2000 + seed)
    subjects = (
        [
            "abstract_algebra",
            "anatomy",
            "astronomy",
            "college_biology",
            "college_physics",
            "econometrics",
            "formal_logic",
            "high_school_history",
            "philosophy",
            "virology",
        ]
        if task == "mmlu"
        else ["arithmetic", "fractions", "percentages", "rates", "geometry", "money"]
    )
    lines_per_client = 160 if running else 300
    for client_index in range(2):
        lines = []
        at = BASE_TIME_MS + start + 2_000 * client_index
        lines.append(
            f"{_stamp(at)} INFO client-{client_index} starting: task={task} model={model} invocation_id={invocation}"
        )
        for request in range(lines_per_client):
            at += int(rng.integers(300, 9000))
            latency = float(rng.normal(400 + 40 * seed, 60))
            if request % 97 == 41:
                lines.append(
                    f"{_stamp(at)} WARNING client-{client_index} request {request}: HTTP 429 Too Many Requests, retry 1/5 in 2.0s"
                )
                at += 2000
            if request % 151 == 77:
                lines.append(
                    f"{_stamp(at)} ERROR client-{client_index} request {request}: timeout after 60s; will retry"
                )
                at += 1000
            subject = subjects[request % len(subjects)]
            correct = "correct" if rng.random() < scores[-1] else "wrong"
            lines.append(
                f"{_stamp(at)} INFO client-{client_index} request {request} subject={subject} "
                f"latency_ms={latency:.1f} status=200 answer={correct}"
            )
        if not running:
            lines.append(f"{_stamp(at + 500)} INFO client-{client_index} done: {lines_per_client} requests")
        files[f"logs/client-{client_index}.log"] = "\n".join(lines) + "\n"
    if running:
        return files

    final = scores[-1]
    per_subject = pd.DataFrame(
        {
            "subject": subjects,
            "accuracy": np.round(np.clip(final + rng.normal(0, 0.08, len(subjects)), 0, 1), 4),
            "samples": rng.integers(100, 400, len(subjects)),
        }
    )
    results = {
        "tasks": {
            task: {
                "metrics": {
                    "accuracy": {
                        "scores": {"micro": {"value": final, "stats": {"stderr": round(0.004 + 0.001 * seed, 4)}}}
                    }
                }
            }
        },
        "groups": {
            s: {"metrics": {"accuracy": {"value": float(a)}}}
            for s, a in zip(per_subject["subject"], per_subject["accuracy"])
        },
    }
    files["artifacts/results.yml"] = yaml.safe_dump(results, sort_keys=False)
    files["artifacts/eval_factory_metrics.json"] = (
        json.dumps(
            {
                "invocation_id": invocation,
                "model": model,
                "task": task,
                "response_stats": {
                    "count": 2 * lines_per_client,
                    "avg_latency_ms": round(float(np.mean(latencies)), 1),
                    "max_latency_ms": max(latencies),
                    "errors": 2 * (lines_per_client // 151 + 1),
                },
                "timing": {"start": _stamp(BASE_TIME_MS + start), "runtime_seconds": duration},
                "scores": {"accuracy": final},
            },
            indent=2,
        )
        + "\n"
    )
    rows = "\n".join(
        f"      <tr><td>{s}</td><td>{a:.4f}</td><td>{n}</td></tr>"
        for s, a, n in zip(per_subject["subject"], per_subject["accuracy"], per_subject["samples"])
    )
    files["artifacts/report.html"] = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{task} report: {model}</title>
<style>body{{font-family:sans-serif}} td,th{{padding:2px 8px;border:1px solid #ccc}}</style></head>
<body>
  <h1>{task} &mdash; {model}</h1>
  <p>Invocation <code>{invocation}</code>. Overall accuracy <b>{final:.3f}</b>.</p>
  <table>
    <thead><tr><th>subject</th><th>accuracy</th><th>samples</th></tr></thead>
    <tbody>
{rows}
    </tbody>
  </table>
</body>
</html>
"""
    files["artifacts/per_subject.csv"] = _csv(per_subject)

    def plot(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.plot(range(len(scores)), scores, marker="o", label="score")
        ax.set_xlabel("step")
        ax.set_ylabel("running accuracy")
        ax.set_ylim(0, 1)
        ax.set_title(f"{task}: {model}")
        ax.grid(alpha=0.3)

    files["artifacts/score_by_step.png"] = _png(plot)
    return files


def _sweep_history(index: int, lr: float) -> tuple[list[float], list[float], list[float]]:
    import math

    import numpy as np

    rng = np.random.default_rng(3000 + index)
    # 1e-3 converges best, 1e-1 is noisy, 1e-4 is slow.
    quality = {0.1: 0.55, 0.01: 0.8, 0.001: 1.0, 0.0001: 0.45}[lr]
    val_loss, val_acc, train_loss = [], [], []
    for epoch in range(10):
        progress = 1 - math.exp(-(epoch + 1) * quality / 2.5)
        noise = rng.normal(0, 0.04 if lr == 0.1 else 0.01)
        val_loss.append(round(2.3 - 1.9 * progress * quality + noise, 4))
        val_acc.append(round(min(0.99, 0.1 + 0.85 * progress * quality - noise / 4), 4))
        train_loss.append(round(2.3 - 2.05 * progress * quality + noise / 2, 4))
    return val_loss, val_acc, train_loss


def _gallery_files() -> dict[str, FileContent]:
    import numpy as np
    import pandas as pd
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(42)
    files: dict[str, FileContent] = {}
    files["notes.txt"] = (
        "Gallery notes\n=============\n\nEvery file here exercises one preview path.\n"
        "Plain text wraps; long lines do not break the layout. " + "lorem ipsum " * 30 + "\n"
    )

    log_lines = []
    at = BASE_TIME_MS + 6 * DAY_MS
    loss = 2.3
    for step in range(3000):
        at += int(rng.integers(80, 400))
        loss = max(0.05, loss * 0.999 + float(rng.normal(0, 0.01)))
        level = "WARNING" if step % 500 == 250 else "INFO"
        message = (
            "grad norm spiked; clipping to 1.0"
            if level == "WARNING"
            else f"step={step} loss={loss:.4f} lr=0.001 throughput={rng.normal(950, 40):.0f} samples/s"
        )
        log_lines.append(f"{_stamp(at)} {level} trainer: {message}")
    files["train.log"] = "\n".join(log_lines) + "\n"
    files["stdout.out"] = "".join(f"epoch {e}: train_loss={2.0 / (e + 1):.4f}\n" for e in range(20)) + "done\n"
    files["stderr.err"] = (
        "UserWarning: X has feature names, but StandardScaler was fitted without feature names\n"
        'Traceback (most recent call last):\n  File "train.py", line 12, in <module>\n'
        "    main()\nKeyboardInterrupt\n"
    )
    files["train.py"] = '''"""Train the churn classifier."""
import argparse

from sklearn.linear_model import LogisticRegression


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    args = parser.parse_args()
    model = LogisticRegression(C=args.C, max_iter=100)
    print(model)


if __name__ == "__main__":
    main()
'''
    files["run.sh"] = (
        '#!/usr/bin/env bash\nset -euo pipefail\nfor c in 0.1 0.5 1.0; do\n  python train.py --C "$c"\ndone\n'
    )
    files["README.md"] = (
        "# Artifact gallery\n\nOne file of each type. **Markdown** renders; "
        "`code` stays code.\n\n| file | type |\n| --- | --- |\n| plot.png | image |\n"
        "| data.csv | table |\n\n- item one\n- item two\n"
    )
    files["metrics.json"] = (
        json.dumps(
            {"accuracy": 0.92, "f1_score": 0.92, "per_class": {"0": 0.94, "1": 0.89}, "confusion": [[120, 8], [9, 63]]},
            indent=2,
        )
        + "\n"
    )
    files["config.yaml"] = (
        "model:\n  name: logreg\n  C: 0.5\n  max_iter: 100\ndata:\n  path: s3://bucket/churn.parquet\n"
        "  test_size: 0.2\nseed: 42\n"
    )
    files["pyproject.toml"] = (
        '[project]\nname = "churn"\nversion = "0.3.0"\ndependencies = ["scikit-learn>=1.3", '
        '"pandas>=2.0"]\n\n[tool.ruff]\nline-length = 100\n'
    )
    files["model/MLmodel"] = """artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.2
mlflow_version: 3.17.2
model_size_bytes: 1843
model_uuid: 3c2f6d1e9b7a4f0c8e5d2a1b0c9f8e7d
signature:
  inputs: '[{"type": "double", "name": "tenure_months", "required": true}, {"type": "double", "name": "monthly_charges", "required": true}]'
  outputs: '[{"type": "long", "required": true}]'
utc_time_created: '2025-06-08 09:01:35.000000'
"""
    frame = pd.DataFrame(
        {
            "id": np.arange(1, 51),
            "tenure_months": rng.integers(1, 72, 50),
            "monthly_charges": np.round(rng.normal(70, 20, 50), 2),
            "contract": rng.choice(["month-to-month", "one-year", "two-year"], 50),
            "churned": rng.integers(0, 2, 50),
        }
    )
    files["data.csv"] = _csv(frame)
    files["data.tsv"] = _csv(frame, sep="\t")
    files["table.parquet"] = lambda path: frame.to_parquet(path, engine="pyarrow", index=False)

    def plot(fig: Any) -> None:
        ax = fig.add_subplot()
        steps = np.arange(100)
        ax.plot(steps, 2.3 * np.exp(-steps / 30) + 0.1, label="train_loss")
        ax.plot(steps, 2.3 * np.exp(-steps / 35) + 0.18, label="val_loss")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()
        ax.grid(alpha=0.3)

    files["plot.png"] = _png(plot)

    yy, xx = np.mgrid[0:120, 0:160]
    photo = np.stack([xx * 255 // 159, yy * 255 // 119, np.full_like(xx, 140)], axis=-1)
    photo = (photo + rng.normal(0, 12, photo.shape)).clip(0, 255).astype("uint8")

    def jpeg(path: Path) -> None:
        Image.fromarray(photo, "RGB").save(path, format="JPEG", quality=85)

    files["photo.jpg"] = jpeg

    def gif(path: Path) -> None:
        frames = []
        for index in range(8):
            frame_image = Image.new("RGB", (64, 64), (20, 20, 40))
            draw = ImageDraw.Draw(frame_image)
            x = 4 + index * 6
            draw.ellipse((x, 20, x + 16, 36), fill=(230, 120, 40))
            frames.append(frame_image)
        frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=120, loop=0)

    files["anim.gif"] = gif
    files["diagram.svg"] = """<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">
  <rect x="10" y="40" width="80" height="40" rx="6" fill="#dbeafe" stroke="#1e3a8a"/>
  <text x="50" y="65" text-anchor="middle" font-size="12">data</text>
  <rect x="120" y="40" width="80" height="40" rx="6" fill="#dcfce7" stroke="#14532d"/>
  <text x="160" y="65" text-anchor="middle" font-size="12">train</text>
  <rect x="230" y="40" width="80" height="40" rx="6" fill="#fef9c3" stroke="#713f12"/>
  <text x="270" y="65" text-anchor="middle" font-size="12">evaluate</text>
  <path d="M90 60 H120 M200 60 H230" stroke="#111" marker-end="url(#a)"/>
  <defs><marker id="a" markerWidth="6" markerHeight="6" refX="5" refY="3" orient="auto">
    <path d="M0,0 L6,3 L0,6 z"/></marker></defs>
</svg>
"""
    files["report.html"] = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gallery report</title>
<script>alert("scripts must not run in a preview")</script></head>
<body><h1>Run report</h1><p>Accuracy <b>0.92</b>.</p>
<table><tr><th>metric</th><th>value</th></tr><tr><td>accuracy</td><td>0.92</td></tr>
<tr><td>f1_score</td><td>0.92</td></tr></table></body></html>
"""
    files["weights.bin"] = rng.bytes(64 * 1024)
    files["hostile.txt"] = HOSTILE_TEXT
    assert set(files) == set(GALLERY_FILES), sorted(set(files) ^ set(GALLERY_FILES))
    return files
