"""Portfolios and machine tokens. Roles are Django groups (see accounts.roles)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import PortfolioKind


class Portfolio(models.Model):
    """A book of customers worked by collectors and sales: a region or an industry (§5)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=PortfolioKind.choices)
    region_prefixes = models.CharField(
        _("region code prefixes"), max_length=200, blank=True,
        help_text=_("Comma-separated GB/T 2260 prefixes, e.g. 50 for Chongqing, 5101 for Chengdu."),
    )
    industry_sections = models.CharField(
        _("industry sections"), max_length=60, blank=True,
        help_text=_("Comma-separated GB/T 4754 section letters, e.g. E,K."),
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="portfolios",
                                     verbose_name=_("members"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")

    def __str__(self) -> str:
        return self.name

    def prefixes(self) -> list[str]:
        return [p.strip() for p in self.region_prefixes.split(",") if p.strip()]

    def sections(self) -> list[str]:
        return [s.strip().upper() for s in self.industry_sections.split(",") if s.strip()]

    def matches(self, region: str, industry: str) -> bool:
        if self.kind == PortfolioKind.REGION:
            return any(region.startswith(p) for p in self.prefixes())
        return industry in self.sections()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for machine clients. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, expires_at=None) -> tuple[ApiToken, str]:
        key = "fk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[3:11], key_hash=cls.digest(key),
                                   expires_at=expires_at)
        return token, key


class SignInLockQuerySet(models.QuerySet):
    def active(self):
        """Locks in force: not lifted, and their period not yet over (a lock expires by itself)."""
        return self.filter(lifted_at__isnull=True, locked_until__gt=timezone.now())


class SignInLock(models.Model):
    """An account locked after too many failed sign-ins (accounts.signin). One row per user name,
    written again by its next lock; an administrator lifts it in the admin (accounts.actions)."""

    username = models.CharField(_("user name"), max_length=150, unique=True,
                                help_text=_("As typed at sign-in, compared without regard to case."))
    locked_at = models.DateTimeField(_("locked"))
    locked_until = models.DateTimeField(_("locked until"), db_index=True)
    failures = models.PositiveIntegerField(_("failed attempts"))
    last_ip = models.CharField(_("last address"), max_length=45, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("lifted by"))

    objects = SignInLockQuerySet.as_manager()

    class Meta:
        ordering = ["-locked_at"]
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        permissions = [("lift_signinlock", "Can lift a sign-in lock")]

    def __str__(self) -> str:
        return self.username

    def is_active(self) -> bool:
        return self.lifted_at is None and self.locked_until > timezone.now()
