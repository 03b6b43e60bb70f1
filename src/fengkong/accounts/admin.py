"""Admin for portfolios (audited), API tokens (revoke only, through the action: a key is shown once, at
issue, by the CLI) and sign-in locks (lift only, through the action); the admin's own sign-in is
accounts' throttled one (`admin_urls`)."""

from django.contrib import admin, messages
from django.urls import path
from django.utils.translation import gettext_lazy as _

from fengkong.core.admin import AuditedModelAdmin
from fengkong.core.audit import record

from .actions import lift_sign_in_lock, revoke_token
from .exceptions import SignInLockError, TokenError
from .models import ApiToken, Portfolio, SignInLock
from .views import AdminLoginView


def admin_urls(site: admin.AdminSite = admin.site) -> tuple[list, str, str]:
    """The admin's URLs (for `path("admin/", …)`) with its sign-in page replaced by AdminLoginView: the
    same name (admin:login) and address, so the admin's redirects land there, and no other way in."""
    own = [pattern for pattern in site.get_urls() if getattr(pattern, "name", None) != "login"]
    return [path("login/", AdminLoginView.as_view(site=site), name="login"), *own], "admin", site.name


@admin.register(Portfolio)
class PortfolioAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "region_prefixes", "industry_sections")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    filter_horizontal = ("members",)

    def save_related(self, request, form, formsets, change):
        before = sorted(form.instance.members.values_list("username", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.members.values_list("username", flat=True))
        if before != after:
            record(request.user, "portfolio.members_changed", "portfolio", form.instance.pk,
                   before={"members": before}, after={"members": after})


@admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
def revoke_tokens(modeladmin, request, queryset):
    for token in queryset.filter(revoked_at__isnull=True):
        try:
            revoke_token(actor=request.user, token=token)
        except TokenError:
            continue  # revoked by somebody else since the list was shown: revoked all the same
    messages.success(request, _("The selected tokens are revoked."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    actions = [revoke_tokens]
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Lift the selected locks"), permissions=["lift"])
def lift_locks(modeladmin, request, queryset):
    lifted = 0
    for lock in queryset:
        try:
            lift_sign_in_lock(actor=request.user, lock=lock)
        except SignInLockError as error:
            messages.warning(request, str(error))
        else:
            lifted += 1
    if lifted:
        messages.success(request, _("%(count)d sign-in locks lifted: those users may sign in again.") % {"count": lifted})


class LockInForce(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        active = queryset.model.objects.active()
        if self.value() == "yes":
            return queryset.filter(pk__in=active.values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=active.values("pk"))
        return queryset


@admin.register(SignInLock)
class SignInLockAdmin(admin.ModelAdmin):
    list_display = ("username", "in_force", "locked_at", "locked_until", "failures", "last_ip", "lifted_at",
                    "lifted_by")
    list_filter = (LockInForce,)
    search_fields = ("username", "last_ip")
    actions = [lift_locks]
    readonly_fields = list_display

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, lock: SignInLock) -> bool:
        return lock.is_active()

    def has_lift_permission(self, request) -> bool:
        return request.user.has_perm("accounts.lift_signinlock")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
