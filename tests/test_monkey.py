"""A seeded monkey: thousands of random keys on the real app over the demo store (issue 15).

Keys come from every binding the live app offers (collected from its widgets, so
new panes join in), plus navigation, Enter, Escape, space and printable characters.
It must never crash, and must still answer `?` at the end. A failure prints the seed
and the last 50 keys; replay with MLTUI_MONKEY_SEED=<seed>.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import string
import time
import traceback
from collections import deque
from pathlib import Path

import pytest
from ui_text import screen_text

from mltui import demo
from mltui.app import MltuiApp
from mltui.store import Store

SEED = int(os.environ.get("MLTUI_MONKEY_SEED", "15"))
READ_ONLY_KEYS = int(os.environ.get("MLTUI_MONKEY_KEYS", "5000"))
WRITABLE_KEYS = 1_500
PAUSE_EVERY = 25  # keys between pauses that let workers and screens settle
NEVER = {"q", "ctrl+c", "ctrl+q"}  # quitting ends the run: not what we test here
NAVIGATION = ["up", "down", "left", "right", "tab", "shift+tab", "enter", "escape", "space", "pageup", "pagedown",
              "home", "end"]  # fmt: skip
PRINTABLE = [c for c in string.ascii_letters + string.digits + "=.-_>'* " if c not in NEVER]
pytestmark = pytest.mark.timeout(
    900
)  # read-only: 5-6 min on an idle 2-core machine (about 65 ms a key); far more when shared
BURSTS = [
    ("a", "tab", "e"),
    ("a", "tab", "down", "p"),
    ("a", "tab", "down", "down", "p"),
    ("A", "space", "down", "space"),
]
MODAL_KEYS = ["y", "n", "x", "l", "S", "ctrl+s", "escape", "enter"]  # the dialogs' own keys


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("monkey-demo") / "demo-v1"
    return {"root": root, "uri": demo.ensure_demo(root)}


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """No external program runs (`o`) and exports/saves land in a temp dir, not the checkout."""
    for name in ("PAGER", "EDITOR", "VISUAL"):
        monkeypatch.setenv(name, "true")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def live_binding_keys(app: MltuiApp) -> set[str]:
    """Every key bound by the app, its screen and the widgets on it right now."""
    keys: set[str] = set()
    for node in [app, app.screen, *app.screen.walk_children(with_self=False)]:
        for key in node._bindings.key_to_bindings:
            keys.add(key)
    return keys - NEVER


def key_pool(app: MltuiApp) -> list[tuple[str, ...]]:
    """Bound keys weigh most; navigation next; printable characters feed the input boxes.

    A few short bursts (tick all, Tab to the diff, export or chart) reach the screens
    that need several keys in a row, which single random keys seldom line up.
    """
    bound = sorted(live_binding_keys(app) | set(MODAL_KEYS))
    singles = [k for k in bound if k != "ctrl+p"] * 3 + ["ctrl+p"] + NAVIGATION * 3 + PRINTABLE
    return [(key,) for key in singles] + BURSTS


async def drive(app: MltuiApp, pilot, seed: int, count: int) -> dict[str, int]:
    """Press `count` random keys; fail with the seed and the last 50 keys on any error."""
    rng = random.Random(seed)
    pool = key_pool(app)
    recent: deque[str] = deque(maxlen=50)
    screens: dict[str, int] = {}
    pressed = 0
    try:
        while pressed < count:
            for key in rng.choice(pool):
                recent.append(key)
                await pilot.press(key)
                pressed += 1
                name = type(app.screen).__name__
                screens[name] = screens.get(name, 0) + 1
                if pressed % PAUSE_EVERY == 0:
                    await pilot.pause()
                if app._exception is not None or not app.is_running:
                    raise AssertionError(f"the app stopped (exception: {app._exception!r})")
        await pilot.pause()
        assert app._exception is None, app._exception
    except BaseException as exc:
        pytest.fail(
            f"monkey failed: seed {seed} (MLTUI_MONKEY_SEED={seed}), after {pressed} keys; the last {len(recent)}:\n"
            f"{' '.join(recent)}\n{''.join(traceback.format_exception(exc))}\n{screen_text(app)}",
            pytrace=False,
        )
    return screens


async def assert_responsive(app: MltuiApp, pilot) -> None:
    """Escape out of whatever is open, then `?` must open the help screen."""
    stacks = []
    for _ in range(12):
        stacks.append([type(s).__name__ for s in app.screen_stack])
        if len(app.screen_stack) == 1 and len(stacks) > 2:
            break
        await pilot.press("escape")
        await pilot.pause(0.1)
    assert len(app.screen_stack) == 1, f"Escape did not close every screen: {stacks}\n{screen_text(app)}"
    await pilot.press("question_mark")
    await pilot.pause(0.1)
    assert type(app.screen).__name__ == "HelpScreen", f"{stacks}\n{screen_text(app)}"
    text = screen_text(app)
    assert "tab" in text.lower() and "help" in text.lower()
    await pilot.press("escape")
    await pilot.pause()
    assert type(app.screen).__name__ != "HelpScreen"


MODAL_SCREENS = {"HelpScreen", "CommandPalette", "GotoScreen", "PickColumnsScreen", "PickOneScreen", "ChartScreen",
                 "ExportScreen", "SaveArtifactScreen"}  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_monkey_read_only(demo_store, sandbox):
    started = time.monotonic()
    db = demo_store["root"] / "mlflow.db"
    before = digest(db)
    app = MltuiApp(Store(demo_store["uri"], read_only=True), experiment=demo.CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        screens = await drive(app, pilot, SEED, READ_ONLY_KEYS)
        await assert_responsive(app, pilot)
    assert app.return_code in (None, 0)
    print(f"\nread-only monkey: {READ_ONLY_KEYS} keys in {time.monotonic() - started:.1f} s; keys per screen {screens}")
    assert digest(db) == before, "--read-only wrote to the store"
    opened = set(screens) & MODAL_SCREENS
    assert len(opened) >= 5, f"the monkey opened too few screens: {screens}"


async def test_monkey_writable_copy(demo_store, sandbox):
    """Writes on: tags, renames, notes, deletes and their confirmations, on a copy of the store."""
    started = time.monotonic()
    copy = sandbox / "demo-copy"
    shutil.copytree(demo_store["root"], copy)
    uri = f"sqlite:///{copy / 'mlflow.db'}"
    app = MltuiApp(Store(uri), experiment=demo.CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        screens = await drive(app, pilot, SEED + 1, WRITABLE_KEYS)
        await assert_responsive(app, pilot)
    assert app.return_code in (None, 0)
    print(f"\nwritable monkey: {WRITABLE_KEYS} keys in {time.monotonic() - started:.1f} s; keys per screen {screens}")
