"""Statuses of a provision run and the ledger accounts of its journal lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and locked")
    REJECTED = "rejected", _("Rejected")


STATUS_COLOURS = {RunStatus.PROPOSED: "attention", RunStatus.APPROVED: "normal", RunStatus.REJECTED: "danger"}

# The journal's accounts (CAS): the charge goes to credit impairment loss against the allowance.
IMPAIRMENT_LOSS = _("Credit impairment loss")   # 信用减值损失
ALLOWANCE = _("Provision for bad debts")         # 坏账准备
RECEIVABLES = _("Accounts receivable")           # 应收账款


class WriteOffGround(models.TextChoices):
    """The grounds on which a bad debt is deductible (国家税务总局公告2011年第25号, 第二十二条、第二十三条)."""

    COURT = "court", _("Court judgment or ruling")                       # 法院判决或裁定（终结执行）
    BANKRUPTCY = "bankruptcy", _("Bankruptcy of the debtor")            # 债务人破产清算
    DEREGISTRATION = "deregistration", _("Debtor deregistered or licence revoked")  # 注销、吊销营业执照
    OVERDUE_3Y = "overdue_3y", _("Over three years overdue, with collection evidence")  # 逾期三年以上


class WriteOffStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    POSTED = "posted", _("Written off")
    REJECTED = "rejected", _("Rejected")


WRITE_OFF_COLOURS = {WriteOffStatus.PROPOSED: "attention", WriteOffStatus.POSTED: "normal",
                     WriteOffStatus.REJECTED: "danger"}
