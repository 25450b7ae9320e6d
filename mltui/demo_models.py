"""The demo's model registry: the classifier runs as logged models and as versions of `churn-classifier`.

Called by `mltui.demo` with its client once the classifier runs exist. The
story matches the triage one: `@champion` is the random forest in production,
`@challenger` the tuned logistic regression that might replace it, so ticking
v2 and v3 in the versions list shows what the switch would change. Works on
the client it is given; imports no `mlflow` of its own.
"""

from __future__ import annotations

from typing import Any

CLASSIFIER_MODEL = "churn-classifier"
MODEL_VERSIONS = ("logreg-baseline", "random-forest", "logreg-tuned")  # v1, v2, v3
ALIASES = {"champion": "2", "challenger": "3"}
LOGGED_METRICS = ("accuracy", "f1_score", "roc_auc")
DESCRIPTIONS = {
    "logreg-baseline": "First baseline: default logistic regression.",
    "random-forest": "In production since June. [bold red]not markup[/]",
    "logreg-tuned": "Tuned C and class weights; candidate to replace @champion.",
}


def register_classifier_models(client: Any, experiment_id: str) -> None:
    """Log a model for each classifier run in MODEL_VERSIONS and register them in that order.

    `log_metric(..., model_id=)` links each run's final metrics to its logged
    model, as `mlflow.sklearn.log_model` followed by an evaluation would.
    """
    runs = {run.info.run_name: run for run in client.search_runs([experiment_id], max_results=100)}
    client.create_registered_model(
        CLASSIFIER_MODEL, tags={"team": "churn"}, description="Predicts churn from the monthly usage table."
    )
    for name in MODEL_VERSIONS:
        run_id, metrics = runs[name].info.run_id, runs[name].data.metrics
        model_type = "sklearn.RandomForestClassifier" if "forest" in name else "sklearn.LogisticRegression"
        logged = client.create_logged_model(experiment_id, name="model", source_run_id=run_id, model_type=model_type)
        for key in LOGGED_METRICS:
            if key in metrics:
                client.log_metric(run_id, key, metrics[key], model_id=logged.model_id)
        client.finalize_logged_model(logged.model_id, "READY")
        client.create_model_version(
            CLASSIFIER_MODEL,
            source=f"runs:/{run_id}/model",
            run_id=run_id,
            description=DESCRIPTIONS[name],
            tags={"framework": "sklearn"},
            model_id=logged.model_id,
        )
    for alias, version in ALIASES.items():
        client.set_registered_model_alias(CLASSIFIER_MODEL, alias, version)
    client.set_model_version_tag(CLASSIFIER_MODEL, ALIASES["champion"], "validated", "2025-06-02")
