"""The built-in demo store: built once with real MLflow calls, read back with a real client."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from mltui import demo


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "demo-v1"
    uri = demo.ensure_demo(root)
    from mlflow import MlflowClient

    return {"root": root, "uri": uri, "client": MlflowClient(uri)}


def _experiment(client, name):
    experiment = client.get_experiment_by_name(name)
    assert experiment is not None, name
    return experiment


def _runs(client, name, **kwargs):
    runs = client.search_runs([_experiment(client, name).experiment_id], **kwargs)
    return {run.info.run_name: run for run in runs}


def _walk(client, run_id, path=None):
    for entry in client.list_artifacts(run_id, path):
        if entry.is_dir:
            yield from _walk(client, run_id, entry.path)
        else:
            yield entry.path


def test_import_does_not_import_mlflow():
    code = "import sys, mltui.demo; print('mlflow' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("MLTUI_DEMO_DIR", str(tmp_path / "here"))
    assert demo.demo_root() == tmp_path / "here"
    assert demo.demo_uri() == f"sqlite:///{(tmp_path / 'here').as_posix()}/mlflow.db"
    monkeypatch.delenv("MLTUI_DEMO_DIR")
    assert demo.demo_root().name == demo.DEMO_VERSION
    assert "mltui" in demo.demo_root().parts


def test_uri_and_marker(built):
    assert built["uri"] == demo.demo_uri(built["root"])
    assert (built["root"] / ".complete").is_file()
    assert not (built["root"] / ".building").exists()
    assert (built["root"] / "mlflow.db").is_file()


def test_ensure_demo_does_not_rebuild(built):
    db = built["root"] / "mlflow.db"
    before = (db.stat().st_mtime_ns, (built["root"] / ".complete").stat().st_mtime_ns)
    assert demo.ensure_demo(built["root"]) == built["uri"]
    assert (db.stat().st_mtime_ns, (built["root"] / ".complete").stat().st_mtime_ns) == before


def test_ensure_demo_rebuilds_half_built_dir(tmp_path, monkeypatch):
    root = tmp_path / "demo-v1"
    root.mkdir()
    (root / ".building").write_text("")
    (root / "junk.txt").write_text("left over")
    calls = []

    def fake_build(path):
        calls.append(sorted(p.name for p in Path(path).iterdir()) if Path(path).exists() else None)
        return "built"

    monkeypatch.setattr(demo, "build_demo", fake_build)
    assert demo.ensure_demo(root) == "built"
    assert calls == [None]  # wiped before building


def test_ensure_demo_refuses_foreign_dir(tmp_path):
    (tmp_path / "precious.txt").write_text("do not delete")
    with pytest.raises(FileExistsError):
        demo.ensure_demo(tmp_path)
    assert (tmp_path / "precious.txt").exists()


def test_experiment_names(built):
    from mlflow.entities import ViewType

    client = built["client"]
    active = {e.name for e in client.search_experiments()}
    assert {
        "/Users/ana/churn/classifier",
        "/Users/ana/churn/evaluate",
        "eval-harness/mmlu",
        "eval-harness/gsm8k",
        "sweeps/lr-sweep",
        "demo/artifacts",
        "demo/edge-cases",
    } <= active
    assert "old/deprecated" not in active
    deleted = {e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)}
    assert deleted == {"old/deprecated"}
    for experiment in client.search_experiments(view_type=ViewType.ALL):
        assert experiment.artifact_location.startswith((built["root"] / "artifacts").as_uri())


def test_classifier_runs(built):
    client = built["client"]
    runs = _runs(client, "/Users/ana/churn/classifier")
    assert set(runs) == {"logreg-baseline", "logreg-tuned", "random-forest", "[bold red]x[/]"}
    base, tuned = runs["logreg-baseline"], runs["logreg-tuned"]
    assert {k: base.data.metrics[k] for k in ("accuracy", "precision", "recall", "f1_score")} == {
        "accuracy": 0.85,
        "precision": 0.88,
        "recall": 0.82,
        "f1_score": 0.85,
    }
    assert {k: tuned.data.metrics[k] for k in ("accuracy", "precision", "recall", "f1_score")} == {
        "accuracy": 0.92,
        "precision": 0.91,
        "recall": 0.93,
        "f1_score": 0.92,
    }
    assert base.data.metrics["log_loss"] > tuned.data.metrics["log_loss"]
    assert "roc_auc" not in base.data.metrics and "roc_auc" in tuned.data.metrics
    assert base.data.params == {"C": "1.0", "max_iter": "100", "solver": "lbfgs"}
    assert tuned.data.params == {"C": "0.5", "max_iter": "100", "solver": "lbfgs"}
    for run in (base, tuned):
        assert run.data.tags["model"] == "logreg" and run.data.tags["team"] == "churn"
    assert tuned.data.tags["mlflow.note.content"]
    assert {"n_estimators", "max_depth"} <= set(runs["random-forest"].data.params)
    assert "[link=" in runs["[bold red]x[/]"].data.params["comment"]
    assert base.info.end_time - base.info.start_time != tuned.info.end_time - tuned.info.start_time


def test_model_registry(built):
    """churn-classifier: v1..v3 from the classifier runs, @champion v2, @challenger v3, each a logged model."""
    client = built["client"]
    runs = _runs(client, "/Users/ana/churn/classifier")
    model = client.get_registered_model("churn-classifier")
    assert {alias: str(version) for alias, version in model.aliases.items()} == {"champion": "2", "challenger": "3"}
    versions = {int(v.version): v for v in client.search_model_versions("name='churn-classifier'")}
    by_run = {run.info.run_id: name for name, run in runs.items()}
    assert {n: by_run[v.run_id] for n, v in versions.items()} == {
        1: "logreg-baseline",
        2: "random-forest",
        3: "logreg-tuned",
    }
    logged = client.search_logged_models(
        experiment_ids=[_experiment(client, "/Users/ana/churn/classifier").experiment_id]
    )
    assert {by_run[m.source_run_id] for m in logged} == {"logreg-baseline", "random-forest", "logreg-tuned"}
    assert all(m.metrics for m in logged)


def test_deleted_run(built):
    from mlflow.entities import ViewType

    runs = _runs(built["client"], "/Users/ana/churn/classifier", run_view_type=ViewType.DELETED_ONLY)
    assert set(runs) == {"logreg-discarded"}


def test_evaluate_runs(built):
    client = built["client"]
    runs = _runs(client, "/Users/ana/churn/evaluate")
    assert set(runs) == {"eval-logreg-pipeline", "eval-forest-pipeline"}
    for run in runs.values():
        assert {
            "accuracy_score",
            "f1_score",
            "precision_score",
            "recall_score",
            "log_loss",
            "roc_auc",
            "example_count",
            "true_positives",
            "true_negatives",
            "false_positives",
            "false_negatives",
            "f1_tech_support",
        } <= set(run.data.metrics)
        assert 0.5 < run.data.metrics["accuracy_score"] <= 1
        files = set(_walk(client, run.info.run_id))
        assert files == {
            "confusion_matrix.png",
            "per_class_metrics.csv",
            "eval_results_table.json",
            "misclassified_examples.csv",
            "roc_curve_plot.png",
        }
        local = client.download_artifacts(run.info.run_id, "eval_results_table.json", str(built["root"] / "dl"))
        table = json.loads(Path(local).read_text())
        assert set(table) == {"columns", "data"} and all(len(row) == len(table["columns"]) for row in table["data"])


def test_invocation_spans_two_experiments(built):
    client = built["client"]
    ids = [_experiment(client, n).experiment_id for n in ("eval-harness/mmlu", "eval-harness/gsm8k")]
    found = client.search_runs(ids, filter_string="params.invocation_id = '71f3f3199ea5e1f0'")
    assert sorted(run.info.experiment_id for run in found) == sorted(ids)
    for run in found:
        assert run.data.tags["invocation_id"] == "71f3f3199ea5e1f0"
        assert run.info.status == "FINISHED"
        history = client.get_metric_history(run.info.run_id, "score")
        assert [m.step for m in history] == list(range(20))
        assert len(client.get_metric_history(run.info.run_id, "latency_ms")) == 20
        files = set(_walk(client, run.info.run_id))
        assert {
            "artifacts/config.yml",
            "artifacts/results.yml",
            "artifacts/eval_factory_metrics.json",
            "artifacts/report.html",
            "logs/client-0.log",
            "logs/client-1.log",
        } <= files
        assert any(f.endswith(".png") for f in files) and any(f.endswith(".csv") for f in files)
        report = client.download_artifacts(run.info.run_id, "artifacts/report.html", str(built["root"] / "dl"))
        text = Path(report).read_text()
        assert "$" not in text and f"<code>{run.data.params['invocation_id']}</code>" in text  # template filled
    others = client.search_runs(ids, filter_string="params.invocation_id = 'c2a9e0d41b7f3865'")
    assert len(others) == 2
    statuses = sorted(run.info.status for run in client.search_runs(ids))
    assert statuses == ["FINISHED", "FINISHED", "FINISHED", "RUNNING"]


def test_sweep(built):
    client = built["client"]
    runs = _runs(client, "sweeps/lr-sweep")
    parent = runs.pop("sweep-parent")
    assert len(runs) == 4
    assert sorted(run.data.params["lr"] for run in runs.values()) == sorted(["0.1", "0.01", "0.001", "0.0001"])
    assert {run.data.params["model"] for run in runs.values()} == {"resnet", "vit"}
    for run in runs.values():
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert "seed" in run.data.params
        assert len(client.get_metric_history(run.info.run_id, "val_loss")) == 10
        assert len(client.get_metric_history(run.info.run_id, "val_accuracy")) == 10


def test_gallery_artifacts(built):
    client = built["client"]
    run = _runs(client, "demo/artifacts")["artifact-gallery"]
    files = set(_walk(client, run.info.run_id))
    assert files == set(demo.GALLERY_FILES)
    assert "model/MLmodel" in files
    out = built["root"] / "dl-gallery"
    report = Path(client.download_artifacts(run.info.run_id, "report.html", str(out))).read_text()
    assert "<h1>Run report</h1>" in report  # a fixed text, from package data
    hostile = Path(client.download_artifacts(run.info.run_id, "hostile.txt", str(out))).read_text()
    assert "\x1b]52;c;SGVsbG8=\x07" in hostile
    assert "[link=https://evil.example]click[/link]" in hostile
    assert "\x1b[31mred\x1b[0m" in hostile
    log = Path(client.download_artifacts(run.info.run_id, "train.log", str(out))).read_text()
    assert log.count("\n") >= 2000
    png = Path(client.download_artifacts(run.info.run_id, "plot.png", str(out))).read_bytes()
    assert png.startswith(b"\x89PNG")
    import pandas as pd

    table = pd.read_parquet(client.download_artifacts(run.info.run_id, "table.parquet", str(out)))
    assert len(table) == 50


def test_odd_values(built):
    run = _runs(built["client"], "demo/edge-cases")["odd-values"]
    assert math.isnan(run.data.metrics["nan_metric"])
    assert run.data.metrics["pos_inf"] > 1e300  # the SQL store clamps inf to the largest float
    assert run.data.metrics["neg_inf"] < -1e300
    assert len(run.data.params["long_value"]) == 5000
    assert run.data.params["empty"] == ""


def test_deterministic_values(built, tmp_path):
    """A second build gives the same metrics (run ids differ, values do not)."""
    from mlflow import MlflowClient

    other = MlflowClient(demo.build_demo(tmp_path / "again"))

    def values(client):
        return {
            (run.info.run_name, key): value
            for name in ("/Users/ana/churn/evaluate", "sweeps/lr-sweep")
            for run in _runs(client, name).values()
            for key, value in run.data.metrics.items()
        }

    assert values(other) == values(built["client"])


def test_rebuild_replaces_a_complete_demo_but_never_a_foreign_folder(tmp_path):
    from mltui.demo import MARKER, ensure_demo

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        ensure_demo(foreign, rebuild=True)
    assert (foreign / "precious.txt").read_text() == "keep me"
    root = tmp_path / "demo"
    build = f"from mltui.demo import ensure_demo; ensure_demo({str(root)!r}, rebuild=True)"
    for _ in range(2):  # a fresh process each time, as `mltui demo --rebuild` runs
        before = (root / MARKER).stat().st_mtime_ns if (root / MARKER).exists() else None
        subprocess.run([sys.executable, "-c", build], check=True, capture_output=True, timeout=120)
        assert (root / MARKER).stat().st_mtime_ns != before


def test_fixed_texts_are_package_data_read_without_mlflow():
    code = (
        "import sys; from mltui import demo_files as f; "
        "print(all(f.data_bytes('gallery/' + n) for n in f.GALLERY_STATIC), 'mlflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
    from mltui.demo_files import data_text

    assert data_text("gallery/train.py").startswith('"""Train the churn classifier."""')  # stored as .py.txt
    runs = json.loads(data_text("classifier_runs.json"))
    assert [run["name"] for run in runs][:2] == ["logreg-baseline", "logreg-tuned"]
    assert demo.MARKUP_RUN_NAME in {run["name"] for run in runs}
