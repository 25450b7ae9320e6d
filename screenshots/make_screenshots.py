"""Rebuild the SVG screenshots in this folder from the demo store.

    python screenshots/make_screenshots.py

Each shot drives the real app with Textual's Pilot, as a user would.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mltui.app import MltuiApp  # noqa: E402
from mltui.demo import CLASSIFIER_EXPERIMENT, ensure_demo  # noqa: E402
from mltui.store import Store  # noqa: E402
from mltui.widgets.run_list import RunList  # noqa: E402

SIZE = (160, 44)


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def tick_names(app, pilot, names: list[str]) -> None:
    """Tick runs by name, in order (the first becomes the baseline)."""
    runs = app.query_one(RunList)
    for name in names:
        run_id = next(r.run_id for r in runs.runs.values() if r.name == name)
        runs.table.move_to(run_id)
        await pilot.press("space")


async def diff_view(uri: str) -> None:
    app = MltuiApp(Store(uri, read_only=True), experiment=CLASSIFIER_EXPERIMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await tick_names(app, pilot, ["logreg-baseline", "logreg-tuned"])
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "diff.svg"))


def main() -> None:
    uri = ensure_demo()
    asyncio.run(diff_view(uri))
    print(f"wrote {HERE / 'diff.svg'}")


if __name__ == "__main__":
    main()
