"""The demo's `mlflow.evaluate`-style results: two small sklearn pipelines fitted on a synthetic churn table.

Pure content: numpy, pandas and scikit-learn are imported inside the
functions; `mltui.demo` logs the metrics and files returned here.
"""

from __future__ import annotations

import json
from typing import Any

from mltui.demo_files import FileContent, csv_text, png


def churn_dataset() -> dict[str, Any]:
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


def evaluate_pipeline(data: dict[str, Any], estimator: str) -> dict[str, Any]:
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
        "confusion_matrix.png": png(confusion),
        "roc_curve_plot.png": png(roc),
        "per_class_metrics.csv": csv_text(pd.DataFrame(per_class)),
        "eval_results_table.json": json.dumps(results_table),
        "misclassified_examples.csv": csv_text(misclassified),
    }
    return {"metrics": metrics, "files": files}
