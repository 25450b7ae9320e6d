"""Time the real `mltui` from launch to its first painted frame, in a pseudo-terminal, against `import mlflow`.

    python bench/bench_first_frame.py                 # on a small store made here, 3 rounds
    python bench/bench_first_frame.py --store PATH    # on an existing mlflow.db
    python bench/bench_first_frame.py --experiment 0  # to the first rows of an experiment (first rows, too)

`python -m mltui STORE` runs in a 120x40 pty; the clock starts before the
process is spawned and stops when the experiment tree's border title has
been written to the terminal (Textual writes the whole first frame at once). The
pty answers the device-attributes query the way a terminal without Sixel
does, so image support detection costs what it costs in a real terminal.
`python -c "import mlflow"` is timed the same way (launch to exit). Prints
min / median of the rounds and the ratio of the medians (goal: 0.3 or less).

With `--experiment`, also times launch to the first run row ("FINISHED"
painted in the run list): first rows through the SQL fast path.

Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAME = b" Experiments "  # the tree's border title: in the first frame, whatever has the focus
ROW = b"FINISHED"


def small_store(root: Path) -> Path:
    """One experiment with 50 runs, logged with real MlflowClient calls (made once per call of this script)."""
    code = f"""
from mlflow import MlflowClient
c = MlflowClient("sqlite:///{root}/mlflow.db")
e = c.create_experiment("bench", artifact_location="{(root / "artifacts").as_uri()}")
for i in range(50):
    r = c.create_run(e, run_name=f"run-{{i}}")
    c.log_metric(r.info.run_id, "acc", i / 50)
    c.set_terminated(r.info.run_id)
print(e)
"""
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return root / "mlflow.db"


def in_pty(argv: list[str], until: list[bytes], timeout: float = 60.0) -> list[float | None]:
    """Seconds from spawn until each marker has appeared in the terminal output (None: never)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 800))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COLUMNS="120", LINES="40")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen: list[float | None] = [None] * len(until)
    output = b""
    try:
        while time.perf_counter() - start < timeout and None in seen:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            output += chunk
            if b"\x1b[c" in chunk:  # device attributes: a VT220-like terminal without Sixel
                os.write(master, b"\x1b[?62;22c")
            now = time.perf_counter() - start
            for i, marker in enumerate(until):
                if seen[i] is None and marker in output:
                    seen[i] = now
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)
    return seen


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return time.perf_counter() - start


def fmt(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} s" if values else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--experiment")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    # Both sides start from bytecode, as after `pip install`: mlflow's is written at install
    # time, an editable mltui's only on first import (never under PYTHONDONTWRITEBYTECODE).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mltui")], check=True)
    with tempfile.TemporaryDirectory(prefix="mltui-bench-") as tmp:
        store = args.store or small_store(Path(tmp))
        experiment = args.experiment or ("1" if args.store is None else None)
        command = [sys.executable, "-m", "mltui", str(store)] + (["-e", experiment] if experiment else [])
        frames, rows, imports = [], [], []
        for _ in range(args.rounds):
            frame, row = in_pty(command, [FRAME, ROW] if experiment else [FRAME])[:2] + [None] * (not experiment)
            imports.append(timed([sys.executable, "-c", "import mlflow"]))
            if frame is None:
                raise SystemExit("mltui painted no frame within the timeout")
            frames.append(frame)
            if row is not None:
                rows.append(row)
            print(
                f"  round: first frame {frame:.2f} s, first rows {row or float('nan'):.2f} s, "
                f"import mlflow {imports[-1]:.2f} s",
                flush=True,
            )
    print(f"first frame (launch to the painted frame): {fmt(frames)}")
    if experiment:
        print(f"first rows (launch to a run row painted): {fmt(rows)}")
    print(f"python -c 'import mlflow': {fmt(imports)}")
    print(f"ratio first frame / import mlflow (medians): {statistics.median(frames) / statistics.median(imports):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
