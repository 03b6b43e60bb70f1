"""Clause types, refusals and flags in words a credit manager understands (zh-hans and en, gettext)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fengkong.engine.contracts.requirements import Flag

CLAUSE_NAMES = {
    "payment_terms": gettext_lazy("payment terms"),
    "late_payment_interest": gettext_lazy("late-payment interest"),
    "liquidated_damages": gettext_lazy("liquidated damages"),
    "breach_liability": gettext_lazy("breach liability"),
    "retention_of_title": gettext_lazy("retention of title"),
    "cross_default": gettext_lazy("cross-default"),
    "guarantee": gettext_lazy("guarantee"),
    "acceptance_period": gettext_lazy("acceptance period"),
    "termination": gettext_lazy("termination"),
    "limitation_of_liability": gettext_lazy("limitation of liability"),
    "governing_law": gettext_lazy("governing law"),
    "dispute_resolution": gettext_lazy("dispute resolution"),
    "set_off": gettext_lazy("set-off"),
    "assignment": gettext_lazy("assignment"),
    "confidentiality": gettext_lazy("confidentiality"),
    "force_majeure": gettext_lazy("force majeure"),
}
METHOD_NAMES = {
    "bank_acceptance_bill": gettext_lazy("bank acceptance bill"),
    "commercial_acceptance_bill": gettext_lazy("commercial acceptance bill"),
    "letter_of_credit": gettext_lazy("letter of credit"),
    "bank_transfer": gettext_lazy("bank transfer"),
    "cash": gettext_lazy("cash"),
    "cheque": gettext_lazy("cheque"),
}
GUARANTEE_NAMES = {
    "joint_and_several": gettext_lazy("joint and several guarantee"),
    "general_guarantee": gettext_lazy("general guarantee"),
    "bank_guarantee": gettext_lazy("bank guarantee"),
    "mortgage": gettext_lazy("mortgage"),
    "pledge": gettext_lazy("pledge"),
    "deposit": gettext_lazy("security deposit"),
    "third_party": gettext_lazy("third-party guarantee"),
}


def refusal(code: str) -> str:
    messages = {
        "scanned_pdf": _("This PDF is a scan without a text layer, so its clauses cannot be read. Upload the "
                         "Word file or a PDF saved from it, or run text recognition (OCR) on the scan first."),
        "encrypted_pdf": _("This PDF is protected by a password. Remove the protection and upload it again."),
        "broken_pdf": _("This file is not a readable PDF."),
        "too_many_pages": _("This PDF has more pages than a contract analysis reads (1,000)."),
        "zip_bomb": _("This Word file inflates far beyond its size when opened, so it was not read."),
        "broken_docx": _("This file is not a readable Word (.docx) document."),
        "empty_document": _("This document contains no text."),
        "unknown_format": _("Upload a contract as PDF, Word (.docx) or text (.txt)."),
        "undecodable_text": _("The text file's encoding could not be recognised; save it as UTF-8 or GBK."),
    }
    return messages.get(code, _("This document cannot be read."))


def _names(codes, names) -> str:
    return pgettext("list separator", ", ").join(str(names.get(c, c)) for c in codes)


def flag_message(flag: Flag) -> str:
    p = flag.params
    clause = CLAUSE_NAMES.get(flag.clause, flag.clause)
    if flag.code == "missing":
        return _("The contract has no %(clause)s clause, which grade %(grade)s requires.") % {
            "clause": clause, "grade": p["grade"]}
    if flag.code == "term_too_long":
        return _("The payment term is %(days)s days, longer than the %(term)s days grade %(grade)s allows.") % {
            "days": p["days"], "term": p["term_days"], "grade": p["grade"]}
    if flag.code == "term_unclear":
        return _("The payment clause sets no number of days; the customer's term is %(term)s days.") % {
            "term": p["term_days"]}
    if flag.code == "payment_method":
        return _("Payment by %(methods)s is not accepted for grade %(grade)s.") % {
            "methods": _names(p["methods"], METHOD_NAMES), "grade": p["grade"]}
    if flag.code == "guarantee_kind":
        return _("The guarantee offered (%(kinds)s) is not one grade %(grade)s accepts (%(accepted)s).") % {
            "kinds": _names(p["kinds"], GUARANTEE_NAMES), "grade": p["grade"],
            "accepted": _names(p["accepted"], GUARANTEE_NAMES)}
    if flag.code == "damages_low":
        return _("Liquidated damages are %(share)s%% of the price, below the %(minimum)s%% the policy asks.") % {
            "share": _number(p["share"]), "minimum": _number(p["minimum"])}
    if flag.code == "acceptance_too_long":
        return _("The acceptance period is %(days)s days, longer than the %(maximum)s days the policy allows.") % {
            "days": p["days"], "maximum": p["maximum"]}
    if flag.code == "no_deemed_acceptance":
        return _("The acceptance clause does not say the goods are accepted when the period ends without an "
                 "objection, so the customer can delay acceptance and payment.")
    return str(clause)


def _number(value: float) -> str:
    return f"{value:g}"


def flag_json(flag: Flag) -> dict:
    return {"code": flag.code, "clause": flag.clause, "severity": flag.severity, "message": flag_message(flag),
            "text": flag.text, "params": dict(flag.params)}
