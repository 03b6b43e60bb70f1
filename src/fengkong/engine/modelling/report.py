"""The validation report of a training run: a JSON document and a self-contained HTML page.

Design decisions:
- The JSON is the record (the registry will store it): parameters, the data summary and fingerprint,
  for each model its train and test figures, calibration, ROC points, score distributions and PSI, the
  IV table and the points table. The HTML is rendered from the JSON alone, so a stored report can be
  re-rendered.
- The HTML carries plotly.js inline (from the installed plotly package): it opens offline, on an
  internal network, attached to an e-mail. It declares UTF-8 (`fengkong.scoring.storage` writes it so),
  so Chinese column names render.
- Pure: the moment of the run (`created_at`) is given by the caller, and both documents are returned as
  strings; `fengkong.scoring.storage` writes them into the model directory.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import polars as pl

from . import metrics

LIBRARIES = ("fengkong", "numpy", "polars", "pandas", "scikit-learn", "optbinning", "lightgbm", "plotly")
MODEL_NAMES = {"scorecard": "Scorecard (WOE + logistic)", "gbm": "LightGBM challenger"}


def library_versions() -> dict[str, str]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def timestamp(created_at: datetime) -> str:
    """A report's `created_at`: the moment given by the caller (the engine has no clock), to the second."""
    if created_at.tzinfo is None:
        raise ValueError(f"created_at must be timezone-aware (got {created_at!r}).")
    return created_at.isoformat(timespec="seconds")


def build_report(trained, train: pl.DataFrame, test: pl.DataFrame, y_train: np.ndarray, y_test: np.ndarray,
                 summary: dict, *, created_at: datetime, fingerprint: str | None, source: str | None,
                 progress=None) -> dict:
    config, split = trained.config, trained.split
    report = {
        "format": 1,
        "created_at": timestamp(created_at),
        "source": {"file": source, "sha256": fingerprint},
        "parameters": config.as_dict(),
        "libraries": library_versions(),
        "data": summary,
        "split": {"kind": split.kind, "description": split.description, "train_rows": int(len(y_train)),
                  "test_rows": int(len(y_test)), "train_event_rate": float(np.mean(y_train)),
                  "test_event_rate": float(np.mean(y_test))},
        "models": {},
        "feature_psi": _feature_psi(trained.schema, train, test),
    }
    scale = config.scale
    if trained.scorecard is not None:
        card = trained.scorecard
        table = card.table_
        report["models"]["scorecard"] = _model_block(y_train, y_test, table.probability(train),
                                                     table.probability(test), scale)
        report["models"]["scorecard"]["features"] = table.names
        report["iv"] = sorted(({"feature": n, "type": trained.schema.types()[n], "iv": iv,
                                "selected": n in card.selected_, "note": card.dropped_.get(n, "")}
                               for n, iv in card.iv_.items()), key=lambda r: -r["iv"])
        report["points_table"] = table.points_table()
    if trained.gbm is not None:
        gbm = trained.gbm
        report["models"]["gbm"] = _model_block(y_train, y_test, gbm.predict_proba(train), gbm.predict_proba(test),
                                               scale)
        report["models"]["gbm"]["best_iteration"] = gbm.best_iteration_
        report["gbm_importance"] = sorted(({"feature": n, "gain": g} for n, g in gbm.feature_importance().items()),
                                          key=lambda r: -r["gain"])
    if progress:
        progress("validating", 1, 1)
    return report


def _model_block(y_train, y_test, p_train, p_test, scale) -> dict:
    s_train, s_test = scale.score(p_train), scale.score(p_test)
    return {"train": metrics.summary(y_train, p_train), "test": metrics.summary(y_test, p_test),
            "calibration": metrics.calibration_table(y_test, p_test),
            "roc": {"train": metrics.roc_curve(y_train, p_train), "test": metrics.roc_curve(y_test, p_test)},
            "score_histogram": metrics.histogram({"train": s_train, "test": s_test}),
            "psi_score": metrics.psi(s_train, s_test)}


def _feature_psi(schema, train: pl.DataFrame, test: pl.DataFrame) -> list[dict]:
    rows = []
    for name in schema.numeric:
        rows.append({"feature": name, "type": "numeric", "psi": metrics.psi(
            train[name].fill_nan(None).to_numpy().astype(float), test[name].fill_nan(None).to_numpy().astype(float))})
    for name in schema.categorical:
        rows.append({"feature": name, "type": "categorical",
                     "psi": metrics.psi_categorical(train[name].to_numpy(), test[name].to_numpy())})
    return sorted(rows, key=lambda r: -r["psi"])


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1, default=_json_default, allow_nan=False)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# --- HTML -------------------------------------------------------------------------------------------

def render_html(report: dict) -> str:
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    charts = []
    models = report["models"]
    roc = go.Figure()
    for key, block in models.items():
        roc.add_scatter(x=block["roc"]["test"]["fpr"], y=block["roc"]["test"]["tpr"], mode="lines",
                        name=f"{MODEL_NAMES[key]} (test AUC {block['test']['auc']:.3f})")
    roc.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance")
    roc.update_layout(title="ROC curve on the test set", xaxis_title="false positive rate (goods rejected)",
                      yaxis_title="true positive rate (bads caught)")
    charts.append(roc)
    calib = go.Figure()
    for key, block in models.items():
        rows = block["calibration"]
        calib.add_scatter(x=[r["mean_predicted"] for r in rows], y=[r["observed"] for r in rows],
                          mode="lines+markers", name=MODEL_NAMES[key])
    top = max([r["mean_predicted"] for b in models.values() for r in b["calibration"]] + [0.01])
    calib.add_scatter(x=[0, top], y=[0, top], mode="lines", line={"dash": "dot", "color": "grey"}, name="perfect")
    calib.update_layout(title="Calibration by decile (test set)", xaxis_title="mean predicted bad rate",
                        yaxis_title="observed bad rate")
    charts.append(calib)
    for key, block in models.items():
        hist = block["score_histogram"]
        edges = hist["edges"]
        mids = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=False)]
        fig = go.Figure()
        for sample, counts in hist["counts"].items():
            total = max(sum(counts), 1)
            fig.add_bar(x=mids, y=[c / total for c in counts], name=sample, opacity=0.6)
        fig.update_layout(barmode="overlay", title=f"{MODEL_NAMES[key]}: score distribution "
                          f"(PSI train→test {block['psi_score']:.3f})", xaxis_title="score (points)",
                          yaxis_title="share of rows")
        charts.append(fig)
    if report.get("iv"):
        iv = report["iv"][:40]
        fig = go.Figure(go.Bar(x=[r["iv"] for r in iv][::-1], y=[r["feature"] for r in iv][::-1], orientation="h",
                               marker_color=["#2a7" if r["selected"] else "#bbb" for r in iv][::-1]))
        fig.update_layout(title="Information value per feature (grey: not in the scorecard)",
                          height=max(300, 22 * len(iv) + 120), xaxis_title="IV")
        charts.append(fig)
    body = "\n".join(f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=False)}</div>'
                     for fig in charts)
    return PAGE.format(title=html.escape(_title(report)), plotly=get_plotlyjs(), summary=_summary_html(report),
                       charts=body, tables=_tables_html(report))


def _title(report: dict) -> str:
    return f"Credit model report — {report['source'].get('file') or 'data frame'} → {report['data']['target']['column']}"


def _summary_html(report: dict) -> str:
    data, split = report["data"], report["split"]
    target = data["target"]
    lines = [
        f"<p>Data: {data['rows']:,} rows, {data['columns']} columns, {data['features']} features "
        f"({len(data['numeric'])} numeric, {len(data['categorical'])} categorical). Target "
        f"<b>{html.escape(target['column'])}</b>, event = {html.escape(repr(target['positive']))}, event rate "
        f"{target['event_rate']:.2%}; {target['rows_without_target']} rows without a target left out.</p>",
        f"<p>Split: {html.escape(split['description'])} — {split['train_rows']:,} training rows "
        f"(event rate {split['train_event_rate']:.2%}), {split['test_rows']:,} test rows "
        f"(event rate {split['test_event_rate']:.2%}).</p>",
        f"<p>File SHA-256: <code>{html.escape(str(report['source'].get('sha256')))}</code></p>",
    ]
    head = "<tr><th>model</th><th>sample</th><th>AUC</th><th>KS</th><th>Gini</th><th>Brier</th><th>PSI</th></tr>"
    rows = [f"<tr><td>{MODEL_NAMES[k]}</td><td>{s}</td><td>{b[s]['auc']:.4f}</td><td>{b[s]['ks']:.4f}</td>"
            f"<td>{b[s]['gini']:.4f}</td><td>{b[s]['brier']:.4f}</td>"
            f"<td>{b['psi_score']:.4f}</td></tr>" for k, b in report["models"].items() for s in ("train", "test")]
    return "\n".join(lines) + f"<table>{head}{''.join(rows)}</table>"


def html_table(title: str, rows: list[dict], columns: list[str]) -> str:
    """A titled HTML table of `rows` (dicts), one column per name in `columns`; nothing when no rows."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else str(value)


def _tables_html(report: dict) -> str:
    parts = [html_table("Information value", report.get("iv", []), ["feature", "type", "iv", "selected", "note"]),
             html_table("Points table", report.get("points_table", []),
                        ["feature", "bin", "count", "event_rate", "woe", "points"])]
    for key, block in report["models"].items():
        parts.append(html_table(f"Calibration — {MODEL_NAMES[key]} (test set)", block["calibration"],
                                ["bin", "rows", "p_min", "p_max", "mean_predicted", "observed", "events"]))
    parts.append(html_table("Feature stability (PSI train → test)", report["feature_psi"], ["feature", "type", "psi"]))
    dropped = [{"column": c, "why": w} for c, w in report["data"]["dropped"].items()]
    parts.append(html_table("Columns not used", dropped, ["column", "why"]))
    params = [{"parameter": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in report["parameters"].items()]
    parts.append(html_table("Parameters", params, ["parameter", "value"]))
    libs = [{"library": k, "version": v} for k, v in report["libraries"].items()]
    parts.append(html_table("Library versions", libs, ["library", "version"]))
    return "\n".join(parts)


PAGE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: -apple-system, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 1.5rem;
       color: #222; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }}
th, td {{ border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }}
th {{ background: #f4f4f4; }}
.chart {{ max-width: 960px; }}
</style>
<script type="text/javascript">{plotly}</script>
</head><body>
<h1>{title}</h1>
{summary}
{charts}
{tables}
<p><small>PSI below 0.10: stable; 0.10–0.25: watch; above 0.25: the population has shifted.</small></p>
</body></html>
"""
