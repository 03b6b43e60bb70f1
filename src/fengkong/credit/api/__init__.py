"""The credit API: profiles and assessments, limit proposals and votes, credit checks on sales orders."""

from .approvals import router as approvals_router
from .checks import router as checks_router
from .profiles import router as profiles_router

routers = [profiles_router, approvals_router, checks_router]
