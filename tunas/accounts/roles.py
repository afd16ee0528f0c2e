"""The roles of DESIGN.md. A user holds one or more; they are Django groups named by the key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Programme officer")
    VERIFIER = "verifier", _("Verifier")
    INSTRUCTOR = "instructor", _("Instructor")
    MENTOR = "mentor", _("Mentor")
    VIEWER = "viewer", _("Viewer")
    GROUP_REP = "group_rep", _("Group representative")


# Who may see full NIK and KK numbers (UU 27/2022: only the roles whose work needs them).
ROLES_SEEING_FULL_NIK = frozenset({Role.ADMIN, Role.OFFICER, Role.VERIFIER})
# Who may plan and change programmes and registry data.
ROLES_MANAGING_PROGRAMMES = frozenset({Role.ADMIN, Role.OFFICER})
# Staff who read the programmes and registry of their whole jurisdiction. A mentor reads only the groups
# assigned to them; instructors and group representatives read only their own sessions or group.
ROLES_READING_JURISDICTION = frozenset({Role.ADMIN, Role.OFFICER, Role.VERIFIER, Role.VIEWER})
