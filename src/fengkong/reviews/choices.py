from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


STATUS_COLOURS = {"pending": "amber", "confirmed": "green", "rejected": "red", "withdrawn": "grey",
                  "superseded": "grey"}
DECIDED = (ChangeStatus.CONFIRMED, ChangeStatus.REJECTED)  # decided by a second person, never the requester
MAX_NOTE = 2000
