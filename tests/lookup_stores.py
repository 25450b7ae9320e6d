"""A store whose run ids are chosen: two share the prefix `7b81`, so lookups can be ambiguous.

MLflow picks run ids itself; the ids are changed afterwards in the SQLite
schema MLflow created (every table keyed by `run_uuid`), before anything reads them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import log_run, make_experiment, new_client

BERT_ID = "7b81393b" + "0" * 24
LSTM_ID = "7b81aaaa" + "1" * 24
RUN_TABLES = ("runs", "tags", "params", "metrics", "latest_metrics")


def set_run_id(db: Path, old: str, new: str) -> None:
    con = sqlite3.connect(db)
    try:
        with con:
            for table in RUN_TABLES:
                con.execute(f"UPDATE {table} SET run_uuid = ? WHERE run_uuid = ?", (new, old))
    finally:
        con.close()


@pytest.fixture(scope="module")
def twin_prefix_store(tmp_path_factory):
    """`nlp/sentiment` (Sentiment-BERT 7b81393b…, sentiment-lstm 7b81aaaa…), `vision` (a
    SENTIMENT probe, resnet) and `edge` (±inf metrics, which SQLite keeps as ±max float)."""
    root = tmp_path_factory.mktemp("prefixes")
    client = new_client(root)
    nlp = make_experiment(client, root, "nlp/sentiment")
    vision = make_experiment(client, root, "vision")
    edge = make_experiment(client, root, "edge")
    bert = log_run(client, nlp, "Sentiment-BERT", {"f1": 0.91, "loss": 0.2}, {"lr": "0.01"}, start_time=3_000)
    lstm = log_run(client, nlp, "sentiment-lstm", {"f1": 0.84, "loss": 0.3}, {"lr": "0.1"}, start_time=2_000)
    probe = log_run(client, vision, "SENTIMENT_probe", {"acc": 0.5}, start_time=1_000)
    resnet = log_run(client, vision, "resnet", {"acc": 0.9}, start_time=500)
    odd = log_run(client, edge, "odd-values", {"pos_inf": float("inf"), "neg_inf": float("-inf"), "x": 1.0})
    plain = log_run(client, edge, "plain-values", {"pos_inf": 5.0, "neg_inf": 2.0, "x": 3.0})
    db = root / "mlflow.db"
    set_run_id(db, bert, BERT_ID)
    set_run_id(db, lstm, LSTM_ID)
    ids = {"bert": BERT_ID, "lstm": LSTM_ID, "probe": probe, "resnet": resnet, "odd": odd, "plain": plain}
    return {"uri": f"sqlite:///{db}", "db": db, "root": root, "ids": ids}
