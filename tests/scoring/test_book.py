"""The cycle's scoring of the book: champion and challengers, idempotence, drift alerts, the cycle hook."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from django.db.models import F
from tests.conftest import AS_OF

from fengkong.core.models import AuditEvent
from fengkong.cycle.actions import run_cycle
from fengkong.engine.modelling import model_dir
from fengkong.notifications.models import InboxMessage
from fengkong.receivables.models import Invoice
from fengkong.scoring import actions, book_scores, registry, storage
from fengkong.scoring.models import CustomerModelScore, ModelMonitor


def crown(model, users):
    asked = actions.request_promotion(actor=users["credit_analyst"], model=model, reason="promote")
    actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=True)


def scores_of(model) -> list[tuple]:
    return sorted(CustomerModelScore.objects.filter(model=model).values_list("customer_id", "probability", "score",
                                                                             "reasons"))


def test_the_champion_and_each_challenger_score_every_customer(ledger_book, register_trained, users):
    card, gbm = register_trained()
    crown(card, users)
    counts = book_scores.score_book(as_of=AS_OF)
    assert counts["customer_models"] == 2 and counts["customers_scored"] > 50
    assert CustomerModelScore.objects.filter(model=card).count() == CustomerModelScore.objects.filter(model=gbm).count() \
        == counts["customers_scored"]
    reasons = [r for s in CustomerModelScore.objects.filter(model=card) for r in s.reasons]
    assert reasons and all(set(r) == {"feature", "value", "effect"} for r in reasons)
    assert all(len(s.reasons) <= 3 for s in CustomerModelScore.objects.all())
    customer = CustomerModelScore.objects.filter(model=card).first().customer
    assert [m for m, _s in book_scores.customer_scores(customer)] == [card, gbm]


def test_scoring_twice_on_a_day_leaves_the_same_rows(ledger_book, register_trained):
    card, gbm = register_trained()
    first = book_scores.score_book(as_of=AS_OF)
    before = scores_of(card), scores_of(gbm), list(ModelMonitor.objects.values_list("model", "as_of", "score_psi"))
    assert book_scores.score_book(as_of=AS_OF) == first
    assert (scores_of(card), scores_of(gbm), list(ModelMonitor.objects.values_list("model", "as_of", "score_psi"))) \
        == before


def test_retired_models_are_not_scored_and_their_scores_are_not_shown(ledger_book, register_trained, users):
    card, gbm = register_trained()
    crown(card, users)
    crown(gbm, users)
    book_scores.score_book(as_of=AS_OF)
    assert not CustomerModelScore.objects.filter(model=card).exists()
    customer = CustomerModelScore.objects.filter(model=gbm).first().customer
    assert [m for m, _s in book_scores.customer_scores(customer)] == [gbm]


def reference_of_today(trained, versions):
    """Training distributions taken from today's book itself: no drift by construction."""
    frame = book_scores.customer_features(AS_OF)
    scored = model_dir.predict(storage.load_model(trained["directory"]), frame, reasons=False)
    return {v.kind: {"score": registry.score_bins(scored[registry.SCORE_COLUMNS[v.kind][1]]),
                     "features": registry.feature_bins(frame, v.features)} for v in versions}


def test_a_shifted_feature_raises_one_drift_alert_and_an_unshifted_book_none(ledger_book, trained, register_trained,
                                                                             users):
    versions = register_trained()
    for v in versions:
        v.reference = reference_of_today(trained, versions)[v.kind]
        v.save(update_fields=["reference"])
    book_scores.score_book(as_of=AS_OF)
    assert not ModelMonitor.objects.filter(drifted=True).exists()
    assert all(m.score_psi < 0.01 for m in ModelMonitor.objects.all())

    Invoice.objects.update(amount=F("amount") * 100, open_amount=F("open_amount") * 100)  # the book in cents
    later = AS_OF + timedelta(days=1)
    counts = book_scores.score_book(as_of=later)
    monitors = ModelMonitor.objects.filter(as_of=later)
    assert counts["drifted"] == 2 and all(m.drifted for m in monitors)
    assert all(m.feature_psi["sales_12m_fen"] > 0.25 for m in monitors if "sales_12m_fen" in m.feature_psi)
    alerts = InboxMessage.objects.filter(user=users["risk_manager"], title__startswith="Model drift")
    assert alerts.count() == 2 and alerts.first().link.startswith("/models/")
    book_scores.score_book(as_of=later)
    assert alerts.count() == 2 and AuditEvent.objects.filter(action="model.drift").count() == 2


def test_a_model_without_training_distributions_is_scored_but_not_monitored(ledger_book, register_trained):
    versions = register_trained(reference={})
    counts = book_scores.score_book(as_of=AS_OF)
    assert counts["psi_skipped"] == 2 and not ModelMonitor.objects.exists()
    assert CustomerModelScore.objects.filter(model__in=versions).exists()


def test_the_risk_cycle_scores_the_book_after_its_run(ledger_book, register_trained, users):
    card, _gbm = register_trained()
    crown(card, users)
    run = run_cycle(as_of=AS_OF)
    assert run.status == "done" and run.counts["scoring.models"]["customer_models"] == 2
    assert CustomerModelScore.objects.filter(model=card, as_of=AS_OF).exists()


def test_a_scoring_failure_is_recorded_and_does_not_fail_the_cycle(ledger_book, register_trained, users, data_dir):
    card, _gbm = register_trained()
    shutil.rmtree(data_dir / card.directory)
    run = run_cycle(as_of=AS_OF)
    assert run.status == "done" and "cannot be loaded" in run.counts["scoring.models"]["error"]
    failure = AuditEvent.objects.get(action="cycle.step_failed")
    assert failure.after["step"] == "scoring.models" and "cannot be loaded" in failure.after["error"]


def test_an_approval_rescores_the_book_once_it_commits(ledger_book, register_trained, users, huey_immediate,
                                                       django_capture_on_commit_callbacks):
    card, _gbm = register_trained()
    with django_capture_on_commit_callbacks(execute=True):
        crown(card, users)
    assert CustomerModelScore.objects.filter(model=card).exists()


def test_the_payment_delay_champion_predicts_open_invoices_and_forecasts_13_weeks(ledger_book, users):
    from fengkong.scoring.models import CashForecast, InvoicePrediction

    (delay,) = actions.train_and_register(actor=users["risk_manager"], use="payment_delay", as_of=AS_OF)
    assert delay.kind == "delay" and delay.metrics["test"]["auc"] > 0 and delay.reference["score"]["edges"]
    actions.crown_champion(users["risk_manager"], delay, reason="test")
    counts = book_scores.score_book(as_of=AS_OF, uses=["payment_delay"])
    predictions = InvoicePrediction.objects.all()
    assert counts["invoices_predicted"] == predictions.count() > 0
    assert all(p.expected_date >= AS_OF and len(p.reasons) <= 3 for p in predictions)
    forecast = CashForecast.objects.get(model=delay, as_of=AS_OF)
    assert [w["week"] for w in forecast.weeks] == list(range(1, 14))
    assert ModelMonitor.objects.filter(model=delay, as_of=AS_OF).exists()
    assert book_scores.score_book(as_of=AS_OF, uses=["payment_delay"]) == counts


def test_a_day_before_any_invoice_scores_no_customer_and_clears_the_scores(ledger_book, register_trained, users):
    card, gbm = register_trained()
    crown(card, users)
    book_scores.score_book(as_of=AS_OF)
    counts = book_scores.score_book(as_of=date(2000, 1, 3))
    assert counts["customers_scored"] == 0 and counts["customer_models"] == 2
    assert not CustomerModelScore.objects.exists() and not ModelMonitor.objects.filter(as_of=date(2000, 1, 3)).exists()


def test_a_broken_challenger_stops_neither_the_champion_nor_the_other_use(ledger_book, register_trained, users,
                                                                          data_dir):
    from fengkong.scoring.exceptions import ScoringError
    from fengkong.scoring.models import CashForecast, InvoicePrediction

    card, gbm = register_trained()
    crown(card, users)
    broken, _broken_gbm = register_trained()
    shutil.rmtree(data_dir / broken.directory)
    (delay,) = actions.train_and_register(actor=users["risk_manager"], use="payment_delay", as_of=AS_OF)
    crown(delay, users)
    with pytest.raises(ScoringError, match=rf"v{broken.version} .*cannot be loaded"):
        book_scores.score_book(as_of=AS_OF)
    assert CustomerModelScore.objects.filter(model=card).exists() and CustomerModelScore.objects.filter(model=gbm).exists()
    assert InvoicePrediction.objects.exists() and CashForecast.objects.filter(model=delay, as_of=AS_OF).exists()


def test_a_model_that_drifts_again_on_the_same_day_is_announced_once(ledger_book, trained, register_trained, users):
    versions = register_trained()
    for v in versions:
        v.reference = reference_of_today(trained, versions)[v.kind]
        v.save(update_fields=["reference"])
    later = AS_OF + timedelta(days=1)
    alerts = InboxMessage.objects.filter(user=users["risk_manager"], title__startswith="Model drift")
    Invoice.objects.update(amount=F("amount") * 100, open_amount=F("open_amount") * 100)
    assert book_scores.score_book(as_of=later)["drifted"] == 2 and alerts.count() == 2
    Invoice.objects.update(amount=F("amount") / 100, open_amount=F("open_amount") / 100)   # a corrected import
    assert book_scores.score_book(as_of=later)["drifted"] == 0
    Invoice.objects.update(amount=F("amount") * 100, open_amount=F("open_amount") * 100)   # and wrong again
    assert book_scores.score_book(as_of=later)["drifted"] == 2
    assert alerts.count() == 2 and AuditEvent.objects.filter(action="model.drift").count() == 2
