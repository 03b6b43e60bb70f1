"""Court fees by 诉讼费用交纳办法, checked against figures computed by hand band by band."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fengkong.engine.court_fees import acceptance_fee, enforcement_fee, payment_order_fee, preservation_fee

Y = 100  # fen per yuan


@pytest.mark.parametrize(("yuan", "fee"), [
    (0, 0),
    (8_000, 50),                     # up to 10,000: 50 yuan
    (10_000, 50),
    (50_000, 1_050),                 # 50 + 40,000 × 2.5%
    (100_000, 2_300),                # 50 + 90,000 × 2.5%
    (150_000, 3_300),                # 2,300 + 50,000 × 2%
    (1_000_000, 13_800),             # 2,300 + 2,000 + 4,500 + 5,000
    (3_000_000, 30_800),             # 13,800 + 9,000 + 1,000,000 × 0.8%
    (30_000_000, 191_800),           # 13,800 + 9,000 + 24,000 + 35,000 + 60,000 + 10,000,000 × 0.5%
])
def test_the_acceptance_fee_of_a_property_case_follows_the_bands(yuan, fee):
    assert acceptance_fee(yuan * Y).fee_fen == fee * Y


def test_the_summary_procedure_pays_half():
    assert acceptance_fee(1_000_000 * Y, summary=True).fee_fen == 6_900 * Y
    assert acceptance_fee(10_001 * Y, summary=True).fee_fen == 2_502  # (5,000 + 2.5 → 3 fen = 5,003) / 2 = 2,501.5, half up


def test_a_band_fee_is_rounded_to_the_fen():
    assert acceptance_fee(10_000 * Y + 1).fee_fen == 50 * Y  # 1 fen × 2.5% rounds to 0


@pytest.mark.parametrize(("yuan", "fee"), [(500, 30), (1_000, 30), (50_000, 520), (100_000, 1_020),
                                           (500_000, 3_020), (1_000_000, 5_000), (10_000_000, 5_000)])
def test_the_preservation_fee_has_its_own_scale_and_cap(yuan, fee):
    # 30 up to 1,000; 1% to 100,000 (30 + 990 = 1,020); 0.5% above; at most 5,000
    assert preservation_fee(yuan * Y).fee_fen == fee * Y


def test_a_payment_order_pays_a_third_of_the_acceptance_fee():
    assert payment_order_fee(1_000_000 * Y).fee_fen == 4_600 * Y


@pytest.mark.parametrize(("yuan", "fee"), [(10_000, 50), (500_000, 7_400), (1_000_000, 12_400)])
def test_the_enforcement_fee_follows_its_own_bands(yuan, fee):
    # 50 + 490,000 × 1.5% = 7,400; + 500,000 × 1% = 12,400
    assert enforcement_fee(yuan * Y).fee_fen == fee * Y


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        acceptance_fee(-1)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**10))
def test_the_fee_never_falls_as_the_claim_grows(amount, more):
    assert acceptance_fee(amount + more).fee_fen >= acceptance_fee(amount).fee_fen
    assert sum(line.part_fen for line in acceptance_fee(amount).lines) == amount
