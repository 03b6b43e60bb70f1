"""Signing in, with throttling and audit (accounts.throttle); signing out is Django's POST-only LogoutView."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from fengkong.core.audit import record

from . import throttle
from .forms import LoginForm

USERNAME_MAX = 150
OBJECT_ID_MAX = 120  # AuditEvent.object_id


def record_attempt(action: str, username: str, ip: str) -> None:
    """Audit a refused or failed sign-in: the attempted name (as typed, shortened to fit) and the address."""
    record(None, action, "user", username[:OBJECT_ID_MAX], after={"username": username, "ip": ip})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    # Not PUT: Django's form views take it as a POST without its form data, a failed sign-in on record.
    http_method_names = ["get", "post", "head", "options"]

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:USERNAME_MAX]
        ip = throttle.client_ip(request)
        if throttle.is_locked_out(username, ip):
            record_attempt("auth.locked_out", username, ip)
            return self.refuse(username)
        return super().post(request, *args, **kwargs)

    def refuse(self, username: str):
        form = self.get_form_class()(self.request, initial={"username": username})
        minutes = max(1, round(settings.LOGIN_LOCKOUT_SECONDS / 60))
        context = self.get_context_data(form=form, locked_out=_(
            "Too many failed sign-in attempts. For your security, sign-in is blocked for %(minutes)d "
            "minutes. Try again later or ask your administrator.") % {"minutes": minutes})
        return self.render_to_response(context, status=429)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")[:USERNAME_MAX]
        ip = throttle.client_ip(self.request)
        record_attempt("auth.login_failed", username, ip)
        if throttle.note_failure(username, ip):
            record_attempt("auth.locked_out", username, ip)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        throttle.forget_failures(user.get_username())
        record(user, "auth.login", "user", user.pk, after={"ip": throttle.client_ip(self.request)})
        return response

