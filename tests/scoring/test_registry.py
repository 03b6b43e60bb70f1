"""Registering models, maker-checker promotion and rollback (scoring.registry)."""

from __future__ import annotations

import shutil

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fengkong.core.models import AuditEvent
from fengkong.notifications.models import InboxMessage
from fengkong.scoring import actions, registry
from fengkong.scoring.exceptions import Conflict, ScoringError, SelfApproval
from fengkong.scoring.models import ModelVersion, PromotionRequest


def registry_dirs(data_dir) -> list[str]:
    root = data_dir / "models"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_registering_copies_the_directory_and_makes_one_challenger_per_kind(register_trained, trained, data_dir):
    card, gbm = register_trained(note="first")
    assert (card.kind, card.version, gbm.kind, gbm.version) == ("scorecard", 1, "gbm", 2)
    assert card.status == gbm.status == "challenger" and card.directory == gbm.directory == "models/customer_risk-v1"
    assert (data_dir / card.directory / "metadata.json").is_file() and len(card.data_sha256) == 64
    assert set(card.metrics["test"]) >= {"auc", "ks", "gini", "brier"} and "industry" in gbm.features
    assert card.reference["score"]["type"] == "numeric" and set(card.reference["features"]) <= set(card.features)
    assert card.training["rows"] == trained["training"]["rows"]
    assert AuditEvent.objects.filter(action="model.registered").count() == 1


def test_versions_increment_per_use_and_each_gets_its_own_directory(register_trained, data_dir):
    register_trained()
    again = register_trained()
    assert [v.version for v in again] == [3, 4] and registry_dirs(data_dir) == ["customer_risk-v1", "customer_risk-v3"]


def test_a_scorecard_is_refused_for_payment_delay_and_nothing_is_written(trained, users, data_dir):
    with pytest.raises(ScoringError, match="payment_delay model must be one of: delay.*scorecard, gbm"):
        actions.register(actor=users["risk_manager"], directory=trained["directory"], use="payment_delay")
    assert not ModelVersion.objects.exists() and registry_dirs(data_dir) in ([], [])


def test_a_model_needing_columns_the_ledger_lacks_is_refused(db, users, tmp_path, data_dir):
    from tests.modelling.conftest import CREATED_AT, borrowers

    from fengkong.engine.modelling.train import TrainConfig, train_models
    from fengkong.scoring import storage

    trained = train_models(borrowers(), "违约", TrainConfig(gbm_estimators=10), created_at=CREATED_AT)
    storage.save_model(trained, tmp_path / "file-model")
    with pytest.raises(ScoringError, match="does not provide: 逾期天数, 资产负债率, 行业"):
        actions.register(actor=users["risk_manager"], directory=tmp_path / "file-model", use="customer_risk")
    assert not ModelVersion.objects.exists() and registry_dirs(data_dir) == []


def test_a_damaged_directory_is_refused_and_nothing_is_written(trained, users, tmp_path, data_dir):
    damaged = tmp_path / "damaged"
    shutil.copytree(trained["directory"], damaged)
    (damaged / "gbm.txt").unlink()
    with pytest.raises(ScoringError, match="incomplete or damaged"):
        actions.register(actor=users["risk_manager"], directory=damaged, use="customer_risk")
    with pytest.raises(ScoringError, match="not a directory"):
        actions.register(actor=users["risk_manager"], directory=tmp_path / "nothing", use="customer_risk")
    assert not ModelVersion.objects.exists() and registry_dirs(data_dir) == []


def test_a_failure_while_storing_leaves_no_row_and_no_directory(register_trained, data_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        register_trained()
    assert not ModelVersion.objects.exists() and registry_dirs(data_dir) == []


def test_only_roles_with_the_permission_register(trained, users):
    with pytest.raises(PermissionDenied):
        actions.register(actor=users["collector"], directory=trained["directory"], use="customer_risk")
    assert actions.register(actor=users["credit_analyst"], directory=trained["directory"], use="customer_risk")


# --- promotion --------------------------------------------------------------------------------------

def test_promotion_is_maker_checker(register_trained, users):
    card, _gbm = register_trained()
    asked = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="best KS")
    assert InboxMessage.objects.filter(user=users["risk_manager"], template="approval_request").exists()
    assert not InboxMessage.objects.filter(user=users["credit_analyst"], template="approval_request").exists()
    with pytest.raises(PermissionDenied):  # an analyst asks, never decides
        actions.decide_promotion(actor=users["credit_analyst"], request=asked, approve=True)
    decided = actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=True, comment="ok")
    card.refresh_from_db()
    assert decided.status == "approved" and card.status == "champion" and card.promoted_at is not None
    assert registry.champion("customer_risk") == card


def test_whoever_asked_cannot_decide_even_with_the_approval_permission(register_trained, users):
    card, _gbm = register_trained()
    asked = actions.request_promotion(actor=users["risk_manager"], model=card, reason="better")
    with pytest.raises(SelfApproval):
        actions.decide_promotion(actor=users["risk_manager"], request=asked, approve=False, comment="no")


def test_a_rejection_needs_a_comment_and_a_decided_request_cannot_be_decided_again(register_trained, users):
    card, _gbm = register_trained()
    asked = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="better")
    with pytest.raises(ScoringError, match="Say why you reject"):
        actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=False)
    actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=False, comment="too few rows")
    card.refresh_from_db()
    assert card.status == "challenger"
    with pytest.raises(Conflict, match="already Rejected"):
        actions.decide_promotion(actor=users["risk_manager"], request=asked, approve=True)


def test_approving_retires_the_old_champion_and_leaves_other_requests_pending(register_trained, users):
    card, gbm = register_trained()
    first = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="scorecard")
    actions.decide_promotion(actor=users["risk_manager"], request=first, approve=True)
    second = actions.request_promotion(actor=users["credit_analyst"], model=gbm, reason="gbm ranks better")
    newer, _ = register_trained()
    third = actions.request_promotion(actor=users["credit_analyst"], model=newer, reason="newer data")
    actions.decide_promotion(actor=users["risk_committee"], request=second, approve=True)
    card.refresh_from_db()
    gbm.refresh_from_db()
    third.refresh_from_db()
    assert (card.status, gbm.status, third.status) == ("retired", "champion", "pending")
    assert card.retired_at is not None and ModelVersion.objects.filter(status="champion").count() == 1


def test_the_database_keeps_one_champion_per_use(register_trained):
    card, gbm = register_trained()
    ModelVersion.objects.filter(pk=card.pk).update(status="champion")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=gbm.pk).update(status="champion")


def test_promotion_requests_are_refused_for_the_champion_twice_pending_or_without_reason(register_trained, users):
    card, gbm = register_trained()
    with pytest.raises(ScoringError, match="Say why"):
        actions.request_promotion(actor=users["credit_analyst"], model=gbm, reason="  ")
    asked = actions.request_promotion(actor=users["credit_analyst"], model=gbm, reason="x")
    with pytest.raises(Conflict, match="already waiting"):
        actions.request_promotion(actor=users["risk_manager"], model=gbm, reason="y")
    actions.decide_promotion(actor=users["risk_manager"], request=asked, approve=True)
    with pytest.raises(Conflict, match="already the champion"):
        actions.request_promotion(actor=users["credit_analyst"], model=gbm, reason="z")


def test_only_the_requester_withdraws(register_trained, users):
    card, _gbm = register_trained()
    asked = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="x")
    with pytest.raises(ScoringError, match="Only the person who asked"):
        actions.withdraw_promotion(actor=users["risk_manager"], request=asked)
    assert actions.withdraw_promotion(actor=users["credit_analyst"], request=asked).status == "withdrawn"
    assert PromotionRequest.objects.get(pk=asked.pk).decided_by is None


@pytest.mark.parametrize("persona", ["collector", "finance", "auditor", "sales", "nobody"])
def test_roles_without_the_permission_take_no_step(register_trained, users, persona):
    card, _gbm = register_trained()
    actor = users[persona]
    with pytest.raises(PermissionDenied):
        actions.request_promotion(actor=actor, model=card, reason="x")
    asked = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="x")
    with pytest.raises(PermissionDenied):
        actions.decide_promotion(actor=actor, request=asked, approve=True)
    with pytest.raises(PermissionDenied):
        actions.rollback(actor=actor, use="customer_risk", reason="x")
    with pytest.raises(PermissionDenied):
        actions.withdraw_promotion(actor=actor, request=asked)


def test_the_risk_committee_approves_but_cannot_roll_back(register_trained, users):
    with pytest.raises(PermissionDenied):
        actions.rollback(actor=users["risk_committee"], use="customer_risk", reason="x")


# --- rollback ---------------------------------------------------------------------------------------

def promote(model, users):
    asked = actions.request_promotion(actor=users["credit_analyst"], model=model, reason="promote")
    return actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=True)


def test_rollback_restores_the_previous_champion_in_one_step(register_trained, users):
    card, gbm = register_trained()
    promote(card, users)
    promote(gbm, users)
    restored = actions.rollback(actor=users["risk_manager"], use="customer_risk", reason="gbm scores look wrong")
    gbm.refresh_from_db()
    assert restored == card and restored.status == "champion" and gbm.status == "retired"
    assert AuditEvent.objects.filter(action="model.rolled_back").count() == 1
    assert InboxMessage.objects.filter(user=users["risk_manager"], title__startswith="Rolled back").exists()


def test_rollback_without_an_earlier_champion_is_a_clear_error(register_trained, users):
    card, _gbm = register_trained()
    with pytest.raises(Conflict, match="No earlier champion"):
        actions.rollback(actor=users["risk_manager"], use="customer_risk", reason="x")
    promote(card, users)
    with pytest.raises(Conflict, match="No earlier champion"):
        actions.rollback(actor=users["risk_manager"], use="customer_risk", reason="x")
    assert registry.champion("customer_risk") == card


def test_rollback_after_several_promotions_brings_back_the_champion_before_the_current_one(register_trained, users):
    first, second = register_trained()
    third, _fourth = register_trained()
    for model in (first, second, third):
        promote(model, users)
    restored = actions.rollback(actor=users["risk_manager"], use="customer_risk", reason="v3 looks wrong")
    statuses = dict(ModelVersion.objects.values_list("version", "status"))
    assert restored == second and statuses == {1: "retired", 2: "champion", 3: "retired", 4: "challenger"}


def test_a_model_whose_directory_was_deleted_is_never_crowned(register_trained, users, data_dir):
    card, gbm = register_trained()
    asked = actions.request_promotion(actor=users["credit_analyst"], model=card, reason="best KS")
    shutil.rmtree(data_dir / card.directory)
    with pytest.raises(ScoringError, match="cannot be loaded"):
        actions.decide_promotion(actor=users["risk_committee"], request=asked, approve=True)
    asked.refresh_from_db()
    assert asked.status == "pending" and registry.champion("customer_risk") is None


def test_a_rollback_to_a_model_whose_directory_was_deleted_is_refused_and_the_champion_stays(register_trained, users,
                                                                                            data_dir):
    first, _second = register_trained()
    third, _fourth = register_trained()
    promote(first, users)
    promote(third, users)
    shutil.rmtree(data_dir / first.directory)
    with pytest.raises(ScoringError, match="cannot be loaded"):
        actions.rollback(actor=users["risk_manager"], use="customer_risk", reason="v3 looks wrong")
    assert registry.champion("customer_risk") == third


@pytest.mark.parametrize("use", ["customer_risk", "payment_delay"])
def test_training_as_of_a_day_before_the_ledger_is_a_clear_error(ledger_book, users, use):
    from datetime import date

    with pytest.raises(ScoringError, match="No training rows|nothing to learn from"):
        actions.train_and_register(actor=users["risk_manager"], use=use, as_of=date(1, 1, 1))
    assert not ModelVersion.objects.exists()
