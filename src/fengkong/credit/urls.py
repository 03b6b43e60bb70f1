"""Credit pages under /credit/; each views module lists its own URLs."""

from .views import approvals, policy, profile, sales

urlpatterns = [*profile.urlpatterns, *approvals.urlpatterns, *policy.urlpatterns, *sales.urlpatterns]
