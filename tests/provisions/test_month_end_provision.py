"""A month-end provision from the ledger: the worked book read as it stood at each month-end, proposed by
finance, approved by another person, then locked."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied

from fengkong.accounts.choices import Role
from fengkong.cli.commands import fengkong
from fengkong.core.models import AuditEvent
from fengkong.provisions import actions
from fengkong.provisions.exceptions import Conflict, PeriodLocked, SelfApproval
from fengkong.provisions.models import IndividualProvision, ProvisionLine, ProvisionRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
# By hand (tests/engine/test_provisions.py), with invoice 3's 800.00 collected instead of written off: bucket
# 61–90 rolls 200 of 1,100 → loss rates 0.8 × 2/11 (61–90), × 8/9 (31–60), × 1/10 (1–30), 0.8 (>90).
HAND = {("C000001", 3): Decimal("72.73"), ("C000001", 2): Decimal("25.86"), ("C000002", 4): Decimal("160.00"),
        ("C000003", 1): Decimal("6.46")}


def lines_of(run) -> dict:
    return {(c, b): p for c, b, p in ProvisionLine.objects.filter(run=run)
            .values_list("customer__code", "bucket", "provision")}


def test_the_ledger_read_at_each_month_end_gives_the_hand_computed_provision(worked_book, policy):
    computed = actions.compute(AS_OF)
    assert computed.months == [date(2026, 1, 31), date(2026, 2, 28), AS_OF]
    assert list(computed.result.matrix.rolled_fen) == [130000, 10000, 80000, 20000, 0]
    assert list(computed.result.matrix.collected_fen) == [65000, 90000, 10000, 90000, 0]
    assert computed.result.total_fen == 7273 + 2586 + 16000 + 646


def test_finance_proposes_another_approves_and_the_period_is_locked(worked_book, policy, finance_pair, users):
    maker, checker = finance_pair
    run = actions.propose_run(actor=maker, as_of=AS_OF, note="March")
    assert lines_of(run) == HAND
    assert (run.opening, run.charge, run.reversal, run.closing) == (0, Decimal("265.05"), 0, Decimal("265.05"))
    with pytest.raises(SelfApproval):
        actions.decide_run(actor=maker, run=run, approve=True)
    with pytest.raises(PermissionDenied):
        actions.decide_run(actor=users[Role.AUDITOR], run=run, approve=True)
    with pytest.raises(Conflict):
        actions.propose_run(actor=checker, as_of=AS_OF)
    actions.decide_run(actor=checker, run=run, approve=True, note="checked")
    run.refresh_from_db()
    assert run.locked and run.decided_by == checker
    assert AuditEvent.objects.filter(action="provision_run.approved", object_id=str(run.pk)).exists()

    # A locked period cannot be changed: not proposed again, not earlier, not edited, not deleted, not re-decided.
    with pytest.raises(PeriodLocked):
        actions.propose_run(actor=maker, as_of=AS_OF)
    with pytest.raises(PeriodLocked):
        actions.propose_run(actor=maker, as_of=date(2026, 2, 28))
    run.closing = Decimal("1.00")
    with pytest.raises(PeriodLocked):
        run.save()
    with pytest.raises(PeriodLocked):
        ProvisionRun.objects.get(pk=run.pk).delete()
    with pytest.raises(Conflict):
        actions.decide_run(actor=checker, run=run, approve=False, note="again")
    assert ProvisionRun.objects.get(pk=run.pk).closing == Decimal("265.05")


def test_the_next_month_opens_with_the_approved_closing_and_books_the_change(worked_book, policy, finance_pair):
    maker, checker = finance_pair
    actions.decide_run(actor=checker, run=actions.propose_run(actor=maker, as_of=AS_OF), approve=True)
    april = actions.propose_run(actor=maker, as_of=date(2026, 4, 30))
    assert april.opening == Decimal("265.05")
    assert april.opening + april.charge - april.reversal == april.closing


def test_an_individual_provision_replaces_the_matrix_for_that_customer(worked_book, policy, finance_pair):
    maker, _checker = finance_pair
    actions.set_individual_provision(actor=maker, customer=worked_book[1], rate=Decimal("1"),
                                     reason="bankruptcy filed")
    run = actions.propose_run(actor=maker, as_of=AS_OF)
    lines = lines_of(run)
    assert lines[("C000001", 3)] == Decimal("500.00") and lines[("C000001", 2)] == Decimal("200.00")
    assert lines[("C000002", 4)] == HAND[("C000002", 4)]
    assert set(ProvisionLine.objects.filter(run=run, individual=True).values_list("customer__code", flat=True)) == {
        "C000001"}
    again = actions.set_individual_provision(actor=maker, customer=worked_book[1], amount=Decimal("10.00"),
                                             reason="estate pays most")
    assert list(IndividualProvision.objects.active().filter(customer=worked_book[1])) == [again]


def test_the_command_computes_and_prints_json(worked_book, policy):
    result = CliRunner().invoke(fengkong, ["provisions", "compute", "--as-of", "2026-03-31", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["provision"] == "265.05" and answer["gross_amount"] == "1400.00"
    assert [b["provision"] for b in answer["buckets"]] == ["0.00", "6.46", "25.86", "72.73", "160.00"]
    assert not ProvisionRun.objects.exists()


def test_the_command_proposes_for_a_finance_user_only(worked_book, policy, users):
    refused = CliRunner().invoke(fengkong, ["provisions", "compute", "--as-of", "2026-03-31", "--propose",
                                            "--user", "auditor"])
    assert refused.exit_code == 2 and not ProvisionRun.objects.exists()
    done = CliRunner().invoke(fengkong, ["provisions", "compute", "--as-of", "2026-03-31", "--propose",
                                         "--user", "finance"])
    assert done.exit_code == 0, done.output
    assert ProvisionRun.objects.get().proposed_by == users[Role.FINANCE]


def test_the_commands_set_an_individual_provision_and_publish_a_policy(worked_book, policy, users, tmp_path):
    runner = CliRunner()
    done = runner.invoke(fengkong, ["provisions", "individual", "--customer", "C000002", "--rate", "0.5",
                                    "--reason", "litigation", "--user", "finance"])
    assert done.exit_code == 0, done.output
    assert IndividualProvision.objects.active().get().rate == Decimal("0.5")
    bad = runner.invoke(fengkong, ["provisions", "individual", "--customer", "C000002", "--rate", "2",
                                   "--reason", "x", "--user", "finance"])
    assert bad.exit_code == 2 and "0 to 1" in bad.output
    denied = runner.invoke(fengkong, ["provisions", "individual", "--customer", "C000002", "--rate", "1",
                                      "--reason", "x", "--user", "auditor"])
    assert denied.exit_code == 2 and IndividualProvision.objects.active().get().rate == Decimal("0.5")
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"lookback_months": 12, "scenarios": [
        {"name": "base", "probability": "0.5", "multiplier": "1"}]}), encoding="utf-8")
    refused = runner.invoke(fengkong, ["provisions", "publish-policy", str(config), "--user", "finance"])
    assert refused.exit_code == 2 and "add up to 0.5" in refused.output
    config.write_text(json.dumps({"lookback_months": 12}), encoding="utf-8")
    published = runner.invoke(fengkong, ["provisions", "publish-policy", str(config), "--user", "finance"])
    assert published.exit_code == 0, published.output
    assert actions.ProvisionPolicy.current().parsed().lookback_months == 12
