"""Credit pages under /credit/; each views module lists its own URLs."""

from .views import approvals, checks, policy, profile, sales

urlpatterns = [*profile.urlpatterns, *approvals.urlpatterns, *policy.urlpatterns, *checks.urlpatterns,
               *sales.urlpatterns]
