"""Clause analysis in the engine: documents in, clauses and values out, clear refusals for what cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fixtures.contract_documents import (
    docx_bomb,
    docx_with,
    lying_docx_bomb,
    pdf_with_text,
    scanned_pdf,
)

from fengkong.engine.contracts import TYPES, DocumentRefused, analyze_document, analyze_text, to_json
from fengkong.engine.contracts.clauses import split_clauses
from fengkong.engine.contracts.corpus import training_clauses
from fengkong.engine.contracts.kinds import cn_int, values_of
from fengkong.engine.contracts.samples import chinese_contract

ENGLISH = [
    "SUPPLY AGREEMENT",
    "1. Payment. The Buyer shall pay each invoice within 45 days of the invoice date by wire transfer.",
    "2. Late payment. Overdue amounts shall bear interest at 1.5% per month.",
    "3. Retention of title. Title to the Goods shall not pass to the Buyer until full payment has been received.",
    "4. Governing law. This Agreement is governed by the laws of Singapore.",
    "5. Disputes. Any dispute shall be referred to the Singapore International Arbitration Centre.",
]


def present(analysis) -> set[str]:
    return {f.type for f in analysis.findings if f.present}


def test_a_chinese_contract_shows_its_clauses_values_and_what_is_missing():
    analysis = analyze_text(chinese_contract(missing=("retention_of_title", "cross_default"), payment_days=120))
    assert analysis.language == "zh"
    found = present(analysis)
    assert {"payment_terms", "late_payment_interest", "liquidated_damages", "guarantee", "acceptance_period",
            "governing_law", "dispute_resolution", "breach_liability"} <= found
    assert "retention_of_title" not in found and "cross_default" not in found
    payment = analysis.finding("payment_terms")
    assert payment.values["days"] == 120 and payment.values["method"] == ["bank_transfer"]
    assert analysis.text[payment.start:payment.end] == payment.text
    assert analysis.finding("late_payment_interest").values["rate"] == {"rate": 0.0005, "per": "day"}
    assert analysis.finding("liquidated_damages").values["share_of_price"] == 20.0
    assert analysis.finding("guarantee").values == {"kind": ["joint_and_several"], "guarantor": "重庆长江机械有限公司"}
    assert analysis.finding("acceptance_period").values == {"days": 7, "deemed_acceptance": True}
    assert analysis.finding("dispute_resolution").values == {"forum": "court", "venue": "乙方所在地人民法院"}


def test_the_json_has_exactly_the_published_shape():
    result = to_json(analyze_text(chinese_contract()), [{"code": "x"}])
    assert list(result) == ["language", "clauses", "flags"]
    assert [c["type"] for c in result["clauses"]] == list(TYPES)
    assert all(list(c) == ["type", "present", "text", "values"] for c in result["clauses"])
    json.dumps(result)   # serialisable as it stands


def test_an_english_pdf_is_read_and_analysed():
    analysis = analyze_document(pdf_with_text(ENGLISH), "supply.pdf")
    assert analysis.kind == "pdf" and analysis.language == "en"
    assert {"payment_terms", "late_payment_interest", "retention_of_title", "governing_law",
            "dispute_resolution"} <= present(analysis)
    assert analysis.finding("payment_terms").values["days"] == 45
    assert analysis.finding("late_payment_interest").values["rate"] == {"rate": 0.015, "per": "month"}
    assert analysis.finding("governing_law").values == {"law": "Singapore"}
    assert analysis.finding("dispute_resolution").values == {
        "forum": "arbitration", "venue": "Singapore International Arbitration Centre"}


def test_a_docx_is_read_paragraph_by_paragraph():
    text = chinese_contract(missing=("guarantee",)).split("\n")
    analysis = analyze_document(docx_with(text), "合同.docx")
    assert analysis.kind == "docx" and "guarantee" not in present(analysis)
    assert "retention_of_title" in present(analysis)


def test_gbk_and_utf8_text_give_the_same_analysis():
    text = chinese_contract(seed=3)
    gbk, utf8 = analyze_document(text.encode("gbk"), "c.txt"), analyze_document(text.encode("utf-8"), "c.txt")
    assert gbk.encoding == "gb18030" and utf8.encoding == "utf-8"
    assert to_json(gbk) == to_json(utf8)


def test_traditional_characters_are_converted_and_said_so():
    traditional = "第一條 付款方式\n買方應於收到發票後九十日內以電匯方式支付貨款。\n第二條 所有權保留\n在買方付清全部貨款之前，貨物的所有權仍屬於賣方。\n第三條 爭議解決\n提交重慶仲裁委員會仲裁。"
    analysis = analyze_text(traditional)
    assert analysis.converted_from_traditional
    assert "买方应于收到发票后九十日内" in analysis.text
    assert analysis.finding("payment_terms").values["days"] == 90
    assert "retention_of_title" in present(analysis)
    assert not analyze_text(chinese_contract()).converted_from_traditional


@pytest.mark.parametrize(("data", "name", "code"), [
    (scanned_pdf(), "scan.pdf", "scanned_pdf"),
    (pdf_with_text(ENGLISH, password="secret"), "locked.pdf", "encrypted_pdf"),
    (docx_bomb(), "bomb.docx", "zip_bomb"),
    (b"", "empty.txt", "empty_document"),
    (b"  \n\t ", "blank.txt", "empty_document"),
    (docx_with(["", "  "]), "empty.docx", "empty_document"),
    (b"%PDF-1.7 not really", "broken.pdf", "broken_pdf"),
    (b"PK\x03\x04 not a zip", "broken.docx", "broken_docx"),
    (b"\x00\x01binary", "image.png", "unknown_format"),
], ids=["scanned", "encrypted", "zip-bomb", "empty", "blank", "empty-docx", "broken-pdf", "broken-docx", "png"])
def test_documents_that_cannot_be_read_are_refused_with_the_reason(data, name, code):
    with pytest.raises(DocumentRefused) as refused:
        analyze_document(data, name)
    assert refused.value.code == code


def test_a_bomb_that_lies_about_its_size_is_stopped_too():
    with pytest.raises(DocumentRefused) as refused:
        analyze_document(lying_docx_bomb(), "bomb.docx")
    assert refused.value.code in ("zip_bomb", "broken_docx")


def test_a_300_page_contract_is_analysed():
    analysis = analyze_text(chinese_contract(pages=300, payment_days=75))
    assert analysis.clauses > 300
    assert analysis.finding("payment_terms").values["days"] == 75


def test_clauses_split_at_headings_and_keep_their_spans():
    text = "第一条 标的\n钢材100吨。\n第二条\n付款方式：电汇。\n三、 验收\n七日内验收。"
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == ["第一条 标的\n钢材100吨。", "第二条\n付款方式：电汇。", "三、 验收\n七日内验收。"]
    assert all(text[c.start:c.end] == c.text for c in clauses)


@pytest.mark.parametrize(("token", "value"), [("60", 60), ("六十", 60), ("十五", 15), ("一百二十", 120), ("九十", 90)])
def test_chinese_numerals(token, value):
    assert cn_int(token) == value


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("payment_terms", "预付30%，发货前支付40%，验收合格后支付剩余30%。", {"share": 30.0, "event": "预付"}),
    ("liquidated_damages", "违约方应支付违约金人民币10万元。", {"amount": 100000.0}),
    ("late_payment_interest", "逾期付款的，按LPR的1.5倍计付利息。", {"rate": {"rate": None, "per": "year", "reference": "LPR"}}),
    ("dispute_resolution", "协商不成的，任何一方均可向甲方所在地人民法院提起诉讼。", {"forum": "court", "venue": "甲方所在地人民法院"}),
    ("guarantee", "Guarantor: Eastern Holdings Limited, jointly and severally liable.", {"guarantor": "Eastern Holdings Limited"}),
    ("acceptance_period", "The goods are deemed accepted unless rejected within 10 days.", {"days": 10, "deemed_acceptance": True}),
])
def test_values_read_from_a_clause(kind, text, expected):
    values = values_of(kind, text)
    if kind == "payment_terms":
        assert expected in values["milestones"]
    else:
        assert {key: values[key] for key in expected} == expected


def test_the_training_set_is_reproducible_and_never_contains_a_hold_out_clause():
    first, second = training_clauses(), training_clauses()
    assert first == second and len(first) > 400
    holdout = Path(__file__).parent.parent / "data" / "contracts" / "holdout.jsonl"
    held = {json.loads(line)["text"] for line in holdout.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert len(held) >= 100
    assert not held & {text for _, text, _ in first}
