"""Promotion and rollback from the models pages: the maker-checker rule holds in the browser too."""

from __future__ import annotations

import pytest

from fengkong.scoring.choices import ModelStatus, PromotionStatus
from fengkong.scoring.models import PromotionRequest

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_ask_then_another_person_approves_and_the_challenger_becomes_champion(models, sign_in):
    challenger, champion = models["challenger"], models["champion"]
    analyst = sign_in("credit_analyst")
    response = analyst.post(f"/models/{challenger.pk}/promote/", {"reason": "AUC 0.79 against 0.73"}, follow=True)
    assert "another person approves it" in _messages(response)
    promotion = PromotionRequest.objects.get(model=challenger)
    assert promotion.status == PromotionStatus.PENDING

    # The analyst may not decide (no permission), and the page shows it waits for someone else.
    assert analyst.post(f"/models/promotions/{promotion.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert "another person decides it" in analyst.get(f"/models/{challenger.pk}/").content.decode()

    manager = sign_in("risk_manager")
    response = manager.post(f"/models/promotions/{promotion.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "now the champion" in _messages(response)
    challenger.refresh_from_db()
    champion.refresh_from_db()
    assert (challenger.status, champion.status) == (ModelStatus.CHAMPION, ModelStatus.RETIRED)


def test_nobody_approves_their_own_promotion(models, sign_in):
    manager = sign_in("risk_manager")
    manager.post(f"/models/{models['challenger'].pk}/promote/", {"reason": "better"})
    promotion = PromotionRequest.objects.get(model=models["challenger"])
    response = manager.post(f"/models/promotions/{promotion.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "someone else must decide it" in _messages(response)
    promotion.refresh_from_db()
    assert promotion.status == PromotionStatus.PENDING
    models["challenger"].refresh_from_db()
    assert models["challenger"].status == ModelStatus.CHALLENGER


def test_a_rejection_needs_a_comment(models, sign_in):
    sign_in("credit_analyst").post(f"/models/{models['challenger'].pk}/promote/", {"reason": "better"})
    promotion = PromotionRequest.objects.get(model=models["challenger"])
    response = sign_in("risk_committee").post(f"/models/promotions/{promotion.pk}/decide/",
                                              {"decision": "reject"}, follow=True)
    assert "Say why you reject" in _messages(response)
    promotion.refresh_from_db()
    assert promotion.status == PromotionStatus.PENDING


def test_promotion_without_a_reason_is_refused_with_the_form(models, sign_in):
    response = sign_in("credit_analyst").post(f"/models/{models['challenger'].pk}/promote/", {"reason": "  "})
    assert response.status_code == 400
    assert not PromotionRequest.objects.exists()


def test_only_the_requester_withdraws(models, sign_in):
    sign_in("credit_analyst").post(f"/models/{models['challenger'].pk}/promote/", {"reason": "better"})
    promotion = PromotionRequest.objects.get(model=models["challenger"])
    assert sign_in("risk_manager").post(f"/models/promotions/{promotion.pk}/withdraw/").status_code == 403
    sign_in("credit_analyst").post(f"/models/promotions/{promotion.pk}/withdraw/")
    promotion.refresh_from_db()
    assert promotion.status == PromotionStatus.WITHDRAWN


def test_rollback_is_one_step_for_a_risk_manager(models, sign_in):
    manager, committee = sign_in("risk_manager"), sign_in("risk_committee")
    manager.post(f"/models/{models['challenger'].pk}/promote/", {"reason": "better"})
    promotion = PromotionRequest.objects.get(model=models["challenger"])
    committee.post(f"/models/promotions/{promotion.pk}/decide/", {"decision": "approve"})
    assert "Roll back to the previous champion" in manager.get("/models/").content.decode()

    assert committee.post("/models/rollback/", {"use": "customer_risk", "reason": "drift"}).status_code == 403
    response = manager.post("/models/rollback/", {"use": "customer_risk", "reason": "drift after go-live"},
                            follow=True)
    assert "previous champion scores again" in _messages(response)
    models["champion"].refresh_from_db()
    assert models["champion"].status == ModelStatus.CHAMPION


def test_rollback_with_no_earlier_champion_says_so(models, sign_in):
    response = sign_in("risk_manager").post("/models/rollback/", {"use": "payment_delay", "reason": "x"},
                                            follow=True)
    assert "No earlier champion" in _messages(response)


@pytest.mark.parametrize("persona", ["collector", "finance", "sales"])
def test_roles_that_may_not_train_or_promote_are_refused(models, sign_in, persona):
    client = sign_in(persona)
    assert client.post("/models/train/", {"use": "customer_risk"}).status_code == 403
    assert client.post(f"/models/{models['challenger'].pk}/promote/", {"reason": "x"}).status_code == 403
    assert not PromotionRequest.objects.exists()


def test_a_second_rollback_steps_further_back_never_forth_again(models, sign_in, settings, model_directory):
    import shutil

    from tests.scoring_ui.conftest import make_model

    third = make_model(version=3, auc=0.8)
    shutil.copytree(model_directory, settings.DATA_DIR / third.directory)
    manager, committee = sign_in("risk_manager"), sign_in("risk_committee")
    for model in (models["challenger"], third):                   # v1 → v2 → v3 champion in turn
        manager.post(f"/models/{model.pk}/promote/", {"reason": "better"})
        committee.post(f"/models/promotions/{PromotionRequest.objects.get(model=model).pk}/decide/",
                       {"decision": "approve"})
    manager.post("/models/rollback/", {"use": "customer_risk", "reason": "one", "expected": third.pk})
    models["challenger"].refresh_from_db()
    assert models["challenger"].status == ModelStatus.CHAMPION      # back to v2
    # A double click (the form still says v3 is champion) does nothing more.
    response = manager.post("/models/rollback/", {"use": "customer_risk", "reason": "again", "expected": third.pk},
                            follow=True)
    assert "The champion has changed since you looked" in _messages(response)
    models["challenger"].refresh_from_db()
    assert models["challenger"].status == ModelStatus.CHAMPION
    # A deliberate second rollback goes to v1, not forth to v3 that was rolled back from.
    manager.post("/models/rollback/", {"use": "customer_risk", "reason": "two", "expected": models["challenger"].pk})
    for model in (models["champion"], third):
        model.refresh_from_db()
    assert (models["champion"].status, third.status) == (ModelStatus.CHAMPION, ModelStatus.RETIRED)
    response = manager.post("/models/rollback/", {"use": "customer_risk", "reason": "three"}, follow=True)
    assert "No earlier champion" in _messages(response)


def test_a_risk_manager_retires_a_challenger_with_a_reason(models, sign_in):
    from fengkong.scoring.models import CustomerModelScore

    challenger = models["challenger"]
    assert sign_in("credit_analyst").post(f"/models/{challenger.pk}/retire/", {"reason": "weak"}).status_code == 403
    assert sign_in("risk_manager").post(f"/models/{challenger.pk}/retire/", {"reason": ""}).status_code == 400
    response = sign_in("risk_manager").post(f"/models/{challenger.pk}/retire/", {"reason": "weak on Q3"}, follow=True)
    assert "no longer scored" in _messages(response)
    challenger.refresh_from_db()
    assert challenger.status == ModelStatus.RETIRED
    assert not CustomerModelScore.objects.filter(model=challenger).exists()
    response = sign_in("risk_manager").post(f"/models/{models['champion'].pk}/retire/", {"reason": "x"}, follow=True)
    assert "Only a challenger can be retired" in _messages(response)
