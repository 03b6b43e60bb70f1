from django.db import models
from django.utils.translation import gettext_lazy as _


class PortfolioKind(models.TextChoices):
    REGION = "region", _("Region")
    INDUSTRY = "industry", _("Industry")


class Role(models.TextChoices):
    """The roles of DESIGN.md; each is a Django group of the same name."""

    ADMIN = "admin", _("Administrator")
    RISK_MANAGER = "risk_manager", _("Risk manager")
    RISK_COMMITTEE = "risk_committee", _("Risk committee member")
    CREDIT_ANALYST = "credit_analyst", _("Credit analyst")
    COLLECTOR = "collector", _("Collector")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    INDUSTRY_ANALYST = "industry_analyst", _("Industry analyst")
    SALES = "sales", _("Sales")
    FINANCE = "finance", _("Finance")
    AUDITOR = "auditor", _("Auditor")
    LAW_FIRM = "law_firm", _("Law firm (external)")
