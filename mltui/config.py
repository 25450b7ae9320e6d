"""User settings kept between sessions, in one JSON file under the config dir."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

CONFIG_ENV = "MLTUI_CONFIG_DIR"
TREE_WIDTHS = ("hidden", "narrow", "normal", "wide")  # `[` and `]` step through these


def config_path() -> Path:
    """`$MLTUI_CONFIG_DIR/config.json`, else the platform's user config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override) / "config.json"
    from platformdirs import user_config_dir

    return Path(user_config_dir("mltui")) / "config.json"


@dataclass
class Config:
    """Column choices per experiment, extra lower-is-better names, live refresh interval, layout."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    lower_is_better: list[str] = field(default_factory=list)
    live_interval: float = 5.0
    filter_history: list[str] = field(default_factory=list)
    tree_width: str = "normal"  # one of TREE_WIDTHS

    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        """Read the file; a missing or damaged file gives the defaults."""
        path = path or config_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__} if isinstance(data, dict) else {}
        try:
            config = cls(**known)
        except TypeError:
            return cls()
        config.live_interval = max(1.0, float(config.live_interval or 5.0))
        if config.tree_width not in TREE_WIDTHS:
            config.tree_width = "normal"
        return config

    def save(self, path: Path | None = None) -> None:
        """Write atomically; a read-only home must not crash the app."""
        path = path or config_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass

    def step_tree_width(self, step: int) -> str:
        """The tree one width narrower (-1) or wider (+1), clamped; returns the new width."""
        index = TREE_WIDTHS.index(self.tree_width) if self.tree_width in TREE_WIDTHS else 2
        self.tree_width = TREE_WIDTHS[max(0, min(len(TREE_WIDTHS) - 1, index + step))]
        return self.tree_width

    def remember_filter(self, text: str, limit: int = 50) -> None:
        if text in self.filter_history:
            self.filter_history.remove(text)
        self.filter_history.append(text)
        del self.filter_history[:-limit]
