"""`fengkong model` registry verbs: register, list, promote, approve, reject, rollback, score-book."""

from __future__ import annotations

from click.testing import CliRunner

from fengkong.cli.commands import fengkong
from fengkong.scoring.models import CustomerModelScore, ModelVersion, PromotionRequest


def run(*args: str):
    return CliRunner().invoke(fengkong, ["model", *args])


def test_register_promote_approve_and_roll_back_from_the_command_line(ledger_book, trained, users):
    registered = run("register", str(trained["directory"]), "--use", "customer_risk", "--user", "credit_analyst")
    assert registered.exit_code == 0, registered.output
    card, gbm = ModelVersion.objects.order_by("version")
    assert "scorecard" in run("list").output
    for model in (card, gbm):
        assert run("promote", str(model.pk), "--reason", "ok", "--user", "credit_analyst").exit_code == 0
        request = PromotionRequest.objects.get(model=model)
        approved = run("approve", str(request.pk), "--user", "risk_committee")
        assert approved.exit_code == 0 and "is now the champion" in " ".join(approved.output.split())
    rolled = run("rollback", "--use", "customer_risk", "--reason", "drift", "--user", "risk_manager")
    assert rolled.exit_code == 0 and ModelVersion.objects.get(status="champion") == card
    scored = run("score-book", "--as-of", "2026-11-28")
    assert scored.exit_code == 0, scored.output
    assert CustomerModelScore.objects.filter(model=card).exists()


def test_refusals_are_one_line_and_exit_2(trained, users):
    wrong = run("register", str(trained["directory"]), "--use", "payment_delay")
    assert wrong.exit_code == 2 and "must be one of: delay" in wrong.output
    run("register", str(trained["directory"]), "--use", "customer_risk")
    card = ModelVersion.objects.get(kind="scorecard")
    assert run("promote", str(card.pk), "--reason", "x", "--user", "collector").exit_code == 2
    run("promote", str(card.pk), "--reason", "x", "--user", "risk_manager")
    request = PromotionRequest.objects.get()
    assert run("reject", str(request.pk), "--user", "risk_committee").exit_code == 2   # --comment is required
    own = run("approve", str(request.pk), "--user", "risk_manager")
    assert own.exit_code == 2 and "someone else" in own.output
    missing = run("rollback", "--use", "customer_risk", "--reason", "x", "--user", "risk_manager")
    assert missing.exit_code == 2 and "No earlier champion" in " ".join(missing.output.split())


def test_a_missing_directory_or_a_deleted_model_is_one_line_and_exit_2(ledger_book, trained, users, tmp_path,
                                                                       data_dir):
    import shutil

    missing = run("register", str(tmp_path / "nope"), "--use", "customer_risk")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    run("register", str(trained["directory"]), "--use", "customer_risk")
    shutil.rmtree(data_dir / ModelVersion.objects.first().directory)
    scored = run("score-book", "--as-of", "2026-11-28")
    assert scored.exit_code == 2 and "cannot be loaded" in " ".join(scored.output.split())
