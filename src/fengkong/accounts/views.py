"""Signing in: the app's /login/ and the Django admin's /admin/login/, one throttled and audited path
(accounts.signin); signing out is Django's POST-only LogoutView."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import signin
from .forms import LoginForm


class ThrottledSignIn:
    """What every sign-in view does around Django's LoginView: turn an attempt away before its password
    is checked (429 with Retry-After), count and audit a failure, clear the count on success."""

    # Not PUT: Django's form views take it as a POST without its form data, a failed sign-in on record.
    http_method_names = ["get", "post", "head", "options"]

    def post(self, request, *args, **kwargs):
        username = signin.attempted_name(request)
        refused = signin.refusal(request, username)
        if refused is not None:
            return self.refuse(username, refused)
        return super().post(request, *args, **kwargs)

    def refuse(self, username: str, refused: signin.Refusal):
        form = self.get_form_class()(self.request, initial={"username": username})
        response = self.render_to_response(self.get_context_data(form=form, locked_out=refused.message),
                                           status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response

    def form_invalid(self, form):
        signin.failed(self.request, signin.attempted_name(self.request), password_right=form.get_user() is not None)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        signin.succeeded(self.request, form.get_user())
        return response


class LoginView(ThrottledSignIn, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class AdminLoginView(ThrottledSignIn, auth_views.LoginView):
    """The Django admin's sign-in (in place of AdminSite.login, see accounts.admin.admin_urls): the admin's
    page and staff-only form, this app's throttling; after signing in, on to `next` or the admin's index."""

    template_name = "accounts/admin_login.html"
    authentication_form = AdminAuthenticationForm
    site = admin.site

    def get(self, request, *args, **kwargs):
        if self.site.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.site.name))
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        request.current_app = self.site.name
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return reverse("admin:index", current_app=self.site.name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.site.each_context(self.request), title=_("Log in"), subtitle=None,
                       app_path=self.request.get_full_path(), username=self.request.user.get_username())
        if not context.get(REDIRECT_FIELD_NAME):
            context[REDIRECT_FIELD_NAME] = self.get_default_redirect_url()
        return context
