"""The demo's artifact files: logs, configs, results, reports, plots and one file of every type.

Pure content: numpy, pandas, PIL and matplotlib are imported inside the
functions, and nothing here talks to MLflow (`mltui.demo` logs what these
return). Fixed texts live as package data in `mltui/demo_data/` and are read
with `importlib.resources`; a Python source file there carries an extra
`.txt` suffix so that no tool takes it for part of the package.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from importlib.resources import files as package_files
from pathlib import Path
from string import Template
from typing import Any

FileContent = str | bytes | Callable[[Path], None]

# Every file of the gallery run, by artifact path.
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

# The gallery's fixed files (stored under demo_data/gallery/).
GALLERY_STATIC = (
    "notes.txt",
    "stderr.err",
    "train.py",
    "run.sh",
    "README.md",
    "metrics.json",
    "config.yaml",
    "pyproject.toml",
    "model/MLmodel",
    "diagram.svg",
    "report.html",
)


def fake_sha(text: str) -> str:
    """A stable git-commit-like hash for a run's source tag."""
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


def data_bytes(name: str) -> bytes:
    """A file of `mltui/demo_data/` (`name` uses `/`; `.py` files are stored as `.py.txt`)."""
    stored = name + ".txt" if name.endswith(".py") else name
    resource = package_files("mltui").joinpath("demo_data", *stored.split("/"))
    return resource.read_bytes()


def data_text(name: str) -> str:
    return data_bytes(name).decode("utf-8")


def png(draw: Callable[[Any], None], size: tuple[float, float] = (5.0, 3.6)) -> bytes:
    """Render a matplotlib figure to PNG without pyplot (thread-safe)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=80)
    draw(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def csv_text(frame: Any, sep: str = ",") -> str:
    return frame.to_csv(index=False, sep=sep, lineterminator="\n")


def harness_history(seed: int, final: float, steps: int) -> tuple[list[float], list[float]]:
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


def stamp(ms: int) -> str:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S,") + f"{ms % 1000:03d}"


def harness_files(
    task: str,
    model: str,
    invocation: str,
    start_ms: int,
    duration: float | None,
    scores: list[float],
    latencies: list[float],
    seed: int,
    limit_samples: int | None = None,
) -> dict[str, FileContent]:
    """The artifacts of one harness invocation: config, client logs and, once finished, results and a report.

    `limit_samples` caps the samples evaluated (quick smoke runs); it shows in `artifacts/config.yml`.
    """
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
                "limit_samples": limit_samples,
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
        at = start_ms + 2_000 * client_index
        lines.append(
            f"{stamp(at)} INFO client-{client_index} starting: task={task} model={model} invocation_id={invocation}"
        )
        for request in range(lines_per_client):
            at += int(rng.integers(300, 9000))
            latency = float(rng.normal(400 + 40 * seed, 60))
            if request % 97 == 41:
                lines.append(
                    f"{stamp(at)} WARNING client-{client_index} request {request}: HTTP 429 Too Many Requests, retry 1/5 in 2.0s"
                )
                at += 2000
            if request % 151 == 77:
                lines.append(
                    f"{stamp(at)} ERROR client-{client_index} request {request}: timeout after 60s; will retry"
                )
                at += 1000
            subject = subjects[request % len(subjects)]
            correct = "correct" if rng.random() < scores[-1] else "wrong"
            lines.append(
                f"{stamp(at)} INFO client-{client_index} request {request} subject={subject} "
                f"latency_ms={latency:.1f} status=200 answer={correct}"
            )
        if not running:
            lines.append(f"{stamp(at + 500)} INFO client-{client_index} done: {lines_per_client} requests")
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
                "timing": {"start": stamp(start_ms), "runtime_seconds": duration},
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
    files["artifacts/report.html"] = Template(data_text("harness_report.html")).substitute(
        task=task, model=model, invocation=invocation, accuracy=f"{final:.3f}", rows=rows
    )
    files["artifacts/per_subject.csv"] = csv_text(per_subject)

    def plot(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.plot(range(len(scores)), scores, marker="o", label="score")
        ax.set_xlabel("step")
        ax.set_ylabel("running accuracy")
        ax.set_ylim(0, 1)
        ax.set_title(f"{task}: {model}")
        ax.grid(alpha=0.3)

    files["artifacts/score_by_step.png"] = png(plot)
    return files


def smoke_runs(base_ms: int, *, start: int, gap: int) -> list[tuple[str, dict[str, Any]]]:
    """Harness smoke runs (name, `run` keywords) whose `config.yml` differ: `limit_samples` 50, 100, 100.

    Their results, per-subject CSVs and score plots differ too, for the artifact compare view.
    """
    runs = []
    for index, (limit, score) in enumerate([(50, 0.64), (100, 0.671), (100, 0.668)]):
        seed, at = 10 + index, start + index * gap
        scores, latencies = harness_history(seed, score, 20)
        invocation = fake_sha(f"smoke-{index}")[:16]
        duration = 95.0 + 40 * index
        model = "llama-3.1-8b-instruct"
        files = harness_files("mmlu", model, invocation, base_ms + at, duration, scores, latencies, seed, limit)
        spec = {
            "start": at,
            "duration_s": duration,
            "params": {"invocation_id": invocation, "model": model, "task": "mmlu", "limit_samples": str(limit)},
            "history": {"score": scores, "latency_ms": latencies},
            "metrics": {"mmlu_accuracy": score, "num_samples": float(limit)},
            "tags": {"invocation_id": invocation, "harness": "eval-factory", "task": "mmlu"},
            "files": files,
            "source": "eval_factory/run.py",
        }
        runs.append((f"smoke-limit-{limit}" + ("-rerun" if index == 2 else ""), spec))
    return runs


def sweep_history(index: int, lr: float) -> tuple[list[float], list[float], list[float]]:
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


def gallery_files(log_start_ms: int) -> dict[str, FileContent]:
    """One artifact of each type the preview handles (hostile text aside: `mltui.demo` adds it)."""
    import numpy as np
    import pandas as pd
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(42)
    files: dict[str, FileContent] = {name: data_bytes(f"gallery/{name}") for name in GALLERY_STATIC}
    log_lines = []
    at = log_start_ms
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
        log_lines.append(f"{stamp(at)} {level} trainer: {message}")
    files["train.log"] = "\n".join(log_lines) + "\n"
    files["stdout.out"] = "".join(f"epoch {e}: train_loss={2.0 / (e + 1):.4f}\n" for e in range(20)) + "done\n"
    frame = pd.DataFrame(
        {
            "id": np.arange(1, 51),
            "tenure_months": rng.integers(1, 72, 50),
            "monthly_charges": np.round(rng.normal(70, 20, 50), 2),
            "contract": rng.choice(["month-to-month", "one-year", "two-year"], 50),
            "churned": rng.integers(0, 2, 50),
        }
    )
    files["data.csv"] = csv_text(frame)
    files["data.tsv"] = csv_text(frame, sep="\t")
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

    files["plot.png"] = png(plot)

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
    files["weights.bin"] = rng.bytes(64 * 1024)
    return files
