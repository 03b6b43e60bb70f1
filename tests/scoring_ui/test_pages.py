"""The models pages, the cash forecast, the model section of the customer page and the worklist order."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_models_page_lists_each_use_with_its_champion_and_challengers(scored, sign_in):
    page = sign_in("risk_manager").get("/models/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Customer risk" in text and "Invoice payment delay" in text
    assert text.count('class="badge model-champion"') == 2
    assert 'class="badge model-challenger"' in text
    assert "0.790" in text and "0.730" in text                   # held-out AUC of both customer-risk models
    assert 'class="drifted"' in text                              # the champion's latest score PSI is 0.31


@pytest.mark.parametrize("persona", ["sales", "nobody"])
def test_models_page_is_refused_to_roles_without_it(scored, sign_in, persona):
    assert sign_in(persona).get("/models/").status_code == 403
    assert sign_in(persona).get(f"/models/{scored['champion'].pk}/").status_code == 403


def test_model_page_compares_with_the_champion_and_shows_drift(scored, sign_in):
    page = sign_in("risk_manager").get(f"/models/{scored['challenger'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "against the champion" in text and "0.790" in text and "0.730" in text
    assert 'id="promote-form"' in text                            # a challenger may be put forward
    champion = sign_in("risk_manager").get(f"/models/{scored['champion'].pk}/").content.decode()
    assert "Drift alert" in champion and 'data-chart="drift-chart"' in champion
    assert "Average days beyond terms (12 months)" in champion    # feature PSI by readable name


def test_the_report_is_served_sandboxed(scored, sign_in):
    client = sign_in("credit_analyst")
    response = client.get(f"/models/{scored['champion'].pk}/report/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert b"report" in b"".join(response.streaming_content)
    assert client.get(f"/models/{scored['challenger'].pk}/report/").status_code == 404  # no report written


def test_a_report_outside_the_models_directory_is_never_served(scored, sign_in, settings, tmp_path):
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "report.html").write_text("secret", encoding="utf-8")
    model = scored["challenger"]
    model.directory = "models/../secret"
    model.save()
    assert sign_in("risk_manager").get(f"/models/{model.pk}/report/").status_code == 404


def test_forecast_page_shows_the_weeks_the_backtest_and_invoices_by_expected_loss(scored, sign_in):
    text = sign_in("risk_manager").get("/models/forecast/").content.decode()
    assert 'data-chart="forecast-chart"' in text and 'data-chart="backtest-1"' in text
    assert "65,000.00 expected within 13 weeks" in text          # 13 × ¥5,000
    assert "21.0%" in text and "48.0%" in text                    # model and reference WAPE
    assert "Days to due date -95 · Disputed yes · Invoice amount 50,000" in text
    order = [text.index(n) for n in ("AR0003", "AR0004", "AR0002", "AR0001")]
    assert order == sorted(order)                                 # 45,000 > 4,000 > 1,500 > 600


def test_a_collector_sees_only_the_portfolio_invoices_in_the_forecast_list(scored, sign_in):
    text = sign_in("collector").get("/models/forecast/").content.decode()
    assert "AR0003" in text and "AR0001" in text
    assert "AR0004" not in text                                   # Sichuan, another portfolio


def test_customer_page_puts_model_scores_beside_the_expert_grade_and_states_disagreement(scored, sign_in, book):
    from fengkong.credit.models import CreditProfile

    customer = book["customers"][1]                               # the riskiest of the three by the models
    for other, grade in zip(book["customers"], "AAB", strict=True):  # two thirds A: the riskiest third reads B
        CreditProfile.objects.update_or_create(customer=other, defaults={"grade": grade})
    text = sign_in("risk_manager").get(f"/customers/{customer.code}/").content.decode()
    assert 'id="model-scores"' in text and 'id="model-disagreement"' in text
    assert "among the riskiest 33.3% of the book, which in the expert grades' proportions is B" in text
    assert "They differ by one grade" in text
    assert "Average days beyond terms (12 months) 41: costs 23.5 points" in text
    assert text.index("Scorecard") < text.index("LightGBM")      # the champion first
    assert 'id="invoice-predictions"' in text and "AR0003" in text


def test_sales_do_not_see_model_scores(scored, sign_in, book):
    text = sign_in("sales").get(f"/customers/{book['customers'][2].code}/").content.decode()
    assert 'id="model-scores"' not in text


def test_collectors_worklist_is_ordered_by_expected_loss(scored, sign_in, book, users):
    from fengkong.monitoring.models import ActionItem, Alert

    for n, customer in enumerate(book["customers"][:2]):
        alert = Alert.objects.create(dedup_key=f"k{n}", kind="zone_warning", level=3, customer=customer,
                                     as_of=book["invoices"][0].due_date, title="t")
        ActionItem.objects.create(kind="phone_call", customer=customer, alert=alert, due_date=alert.as_of,
                                  assigned_to=users["collector"])
    text = sign_in("collector").get("/monitoring/actions/?show=open").content.decode()
    assert text.index("C000002") < text.index("C000001")          # ¥45,000 expected loss before ¥2,100
    by_due = sign_in("collector").get("/monitoring/actions/?show=open&order=due").content.decode()
    assert 'href="?show=open&amp;order=due" aria-current="true"' in by_due


def test_the_implied_grade_cuts_the_ranking_at_the_expert_grade_shares():
    from fengkong.scoring.labels import disagreement, implied_grade

    shares = {"A": 0.15, "B": 0.54, "C": 0.31}
    assert [implied_grade(s, shares) for s in (0.0, 0.149, 0.15, 0.68, 0.70, 0.99)] == ["A", "A", "B", "B", "C", "C"]
    assert implied_grade(0.5, {}) is None
    assert disagreement("A", "C") == 2 and disagreement("B", "B") == 0 and disagreement(None, "C") == 0


def test_a_collector_sees_the_forecast_of_the_portfolio_not_the_company(scored, sign_in):
    """Chongqing's open invoices: 12,000 + 3,000 + 50,000 = 65,000; half expected in week 1, a quarter in week 2."""
    text = sign_in("collector").get("/models/forecast/").content.decode()
    assert "your portfolio" in text
    assert "48,750.00 expected within 13 weeks, of 65,000.00 open" in text
    company = sign_in("finance").get("/models/forecast/").content.decode()
    assert "65,000.00 expected within 13 weeks, of 82,000.00 open" in company   # the stored company forecast
    api = sign_in("collector").get("/api/v1/cash-forecast").json()
    assert api["portfolio_only"] is True
    assert [w["expected_fen"] for w in api["weeks"][:3]] == [3_250_000, 1_625_000, 0]


def test_finance_and_collectors_read_the_forecast_but_not_the_model_registry(scored, sign_in):
    for persona in ("finance", "collector"):
        client = sign_in(persona)
        assert client.get("/models/forecast/").status_code == 200
        assert client.get("/models/").status_code == 403
        assert client.get(f"/models/{scored['champion'].pk}/").status_code == 403


def test_roles_without_predictions_get_the_worklist_by_due_date_without_losses(scored, sign_in, book, users):
    from fengkong.monitoring.models import ActionItem, Alert

    alert = Alert.objects.create(dedup_key="k", kind="zone_warning", level=3, customer=book["customers"][1],
                                 as_of=book["invoices"][0].due_date, title="t")
    ActionItem.objects.create(kind="phone_call", customer=book["customers"][1], alert=alert, due_date=alert.as_of)
    text = sign_in("legal_officer").get("/monitoring/actions/?show=all&order=loss").content.decode()
    assert "C000002" in text
    assert "Expected loss" not in text and "45,000.00" not in text


def test_open_tasks_come_first_under_show_all(scored, sign_in, book):
    from fengkong.monitoring.models import ActionItem, Alert

    for n, (customer, status) in enumerate(zip(book["customers"][:2], ("done", "open"), strict=True)):
        alert = Alert.objects.create(dedup_key=f"s{n}", kind="zone_warning", level=3, customer=customer,
                                     as_of=book["invoices"][0].due_date, title="t")
        ActionItem.objects.create(kind="phone_call", customer=customer, alert=alert, due_date=alert.as_of,
                                  status=status)
    for order in ("loss", "due"):
        text = sign_in("risk_manager").get(f"/monitoring/actions/?show=all&order={order}").content.decode()
        assert text.index("C000002") < text.index("C000001")        # the open task before the done one


def test_the_worklist_shows_the_cash_forecast_of_the_collectors_portfolio(scored, sign_in):
    text = sign_in("collector").get("/monitoring/actions/").content.decode()
    assert 'id="worklist-forecast"' in text and 'data-chart="worklist-forecast-chart"' in text
    assert "48,750.00 expected in the next 13 weeks from your portfolio's 65,000.00 open" in text
    assert 'id="worklist-forecast"' not in sign_in("legal_officer").get("/monitoring/actions/").content.decode()
