"""Clause analysis (issue 14): precision and recall per clause type and language on the hand-written hold-out
set, and the time to analyse a 30-page Chinese contract and a batch of 1,000 contracts.

    .venv/bin/python benchmarks/bench_contracts.py
    .venv/bin/python benchmarks/bench_contracts.py --batch 200 --pages 300

Three methods are scored on tests/data/contracts/holdout.jsonl (clauses written by hand, none produced by the
training generator engine/contracts/corpus.py), clause by clause:

- analysis: what `fengkong contracts analyze` uses — the rules' cues or the trained model (TF-IDF over jieba
  words and character n-grams, one logistic regression per type);
- rules: the cues alone (plain regular-expression search);
- model: the trained model alone.

Timing compares the analysis with the plain regex reference (every type's cues searched over the whole text,
no clauses, no model) in the same run, on the same generated contracts (engine/contracts/samples.py).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import time

from fengkong.engine.contracts import TYPES, analyze_text
from fengkong.engine.contracts.corpus import training_clauses
from fengkong.engine.contracts.kinds import has_cue
from fengkong.engine.contracts.model import default_model, train
from fengkong.engine.contracts.samples import chinese_contract

HOLDOUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "contracts" / "holdout.jsonl"
THRESHOLD = 0.5


def load_holdout() -> list[dict]:
    return [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def predictions(rows: list[dict]) -> dict[str, list[set[str]]]:
    probabilities = default_model().probabilities([r["text"] for r in rows])
    out: dict[str, list[set[str]]] = {"analysis": [], "rules": [], "model": []}
    for row, probs in zip(rows, probabilities, strict=True):
        rules = {k for k in TYPES if has_cue(k, row["text"])}
        model = {k for i, k in enumerate(TYPES) if probs[i] >= THRESHOLD}
        out["rules"].append(rules)
        out["model"].append(model)
        out["analysis"].append(rules | model)
    return out


def scores(rows: list[dict], predicted: list[set[str]], kind: str, language: str) -> tuple[int, float, float]:
    tp = fp = fn = 0
    for row, guess in zip(rows, predicted, strict=True):
        if row["lang"] != language:
            continue
        truth = kind in row["types"]
        tp += truth and kind in guess
        fp += (not truth) and kind in guess
        fn += truth and kind not in guess
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return tp + fn, precision, recall


def quality_table(rows: list[dict]) -> None:
    predicted = predictions(rows)
    print(f"hold-out: {len(rows)} clauses ({sum(r['lang'] == 'zh' for r in rows)} zh, "
          f"{sum(r['lang'] == 'en' for r in rows)} en), none generated")
    print(f"{'type':26} {'lang':4} {'n':>3}  {'analysis P/R':>13}  {'rules P/R':>13}  {'model P/R':>13}")
    totals: dict[str, list[float]] = {m: [0, 0, 0] for m in predicted}
    for kind in TYPES:
        for language in ("zh", "en"):
            cells = []
            for method in ("analysis", "rules", "model"):
                n, p, r = scores(rows, predicted[method], kind, language)
                cells.append(f"{p:6.2f}/{r:4.2f}")
            print(f"{kind:26} {language:4} {n:3d}  {cells[0]:>13}  {cells[1]:>13}  {cells[2]:>13}")
    for method, guesses in predicted.items():
        for row, guess in zip(rows, guesses, strict=True):
            truth = set(row["types"])
            totals[method][0] += len(truth & guess)
            totals[method][1] += len(guess - truth)
            totals[method][2] += len(truth - guess)
    for method, (tp, fp, fn) in totals.items():
        print(f"micro-average {method:9}: precision {tp / (tp + fp):.3f}  recall {tp / (tp + fn):.3f}")


def regex_reference(text: str) -> dict[str, bool]:
    return {kind: has_cue(kind, text) for kind in TYPES}


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def timing(pages: int, batch: int, repeat: int) -> None:
    start = time.perf_counter()
    train(training_clauses())
    print(f"model trained on {len(training_clauses())} generated clauses in {time.perf_counter() - start:.2f} s "
          "(once per process, at first use)")
    long = chinese_contract(seed=7, pages=pages, missing=("retention_of_title",), payment_days=120)
    contracts = [chinese_contract(seed=i, pages=3, payment_days=30 + i % 90) for i in range(batch)]
    one = best_of(repeat, lambda: analyze_text(long))
    one_ref = best_of(repeat, lambda: regex_reference(long))
    many = best_of(1, lambda: [analyze_text(c) for c in contracts])
    many_ref = best_of(1, lambda: [regex_reference(c) for c in contracts])
    print(f"{pages}-page Chinese contract ({len(long):,} characters): analysis {one * 1000:.0f} ms, "
          f"regex reference {one_ref * 1000:.1f} ms, ratio {one / one_ref:.1f}x")
    print(f"{batch:,} contracts of 3 pages: analysis {many:.2f} s ({many / batch * 1000:.1f} ms each), "
          f"regex reference {many_ref:.2f} s, ratio {many / many_ref:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}")
    quality_table(load_holdout())
    timing(args.pages, args.batch, args.repeat)


if __name__ == "__main__":
    main()
