"""The case page's strategy section: the collector sets the customer's behaviour (which chooses the strategy).

As the other collections pages (views.py): the case is looked up through the user's scope first (another
portfolio's case is "not found"), what the role may not do is 403 from the action, bad input re-renders the
case page with the form's errors (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core.permissions import require

from . import strategies
from .choices import Behaviour
from .exceptions import CollectionsError
from .forms import BehaviourForm
from .models import CollectionCase
from .views import case_context


@require_POST
@login_required
def set_behaviour(request, pk: int):
    case = get_object_or_404(CollectionCase.objects.for_user(request.user)
                             .select_related("customer", "customer__portfolio", "owner"), pk=pk)
    require(request.user, "collections.set_behaviour")
    form = BehaviourForm(request.POST)
    if form.is_valid():
        try:
            done = strategies.set_behaviour(actor=request.user, case=case, behaviour=form.cleaned_data["behaviour"],
                                            reason=form.cleaned_data["reason"])
            messages.success(request, _("Behaviour set to %(behaviour)s; strategy %(strategy)s.") % {
                "behaviour": Behaviour(done.behaviour).label, "strategy": done.strategy})
            return redirect("collections-case", pk=case.pk)
        except CollectionsError as exc:
            form.add_error(None, str(exc))
    context = case_context(request, case)
    context["behaviour_form"] = form
    return render(request, "collections/case.html", context, status=400)
