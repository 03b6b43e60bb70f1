"""Model pages under /models/."""

from .views import urlpatterns  # noqa: F401
