"""JSON, YAML and TOML documents (MLmodel, conda.yaml, configs): parsed for the tree view."""

from __future__ import annotations

import json
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, released as tomli
    import tomli as tomllib


def parse_structured(text: str, kind: str) -> Any:
    """Parse JSON, YAML or TOML text; ValueError on malformed input."""
    try:
        if kind in ("json", "mlflow_table"):
            return json.loads(text)
        if kind == "yaml":
            import yaml

            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if kind == "toml":
            return tomllib.loads(text)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    raise ValueError(f"not a structured kind: {kind}")


def pretty_structured(text: str, kind: str) -> str:
    """Pretty-print JSON; YAML and TOML are checked and kept as written (comments survive)."""
    data = parse_structured(text, kind)
    if kind in ("json", "mlflow_table"):
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return text
