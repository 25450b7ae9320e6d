"""mltui: a keyboard-driven terminal UI for MLflow."""

__version__ = "0.1.0"
