from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tunas.accounts.roles import Role
from tunas.programs.selectors import program_list_visible
from tunas.registry import selectors as registry


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in user now: programmes by stage, and the registry work their role waits on."""
    user = request.user
    programs = list(program_list_visible(user=user).order_by("-fiscal_year", "code")[:20])
    by_stage: dict[str, list] = {}
    for program in programs:
        by_stage.setdefault(program.get_status_display(), []).append(program)
    needs = []
    if user.manages_programmes:
        needs.append(
            {
                "count": registry.groups_awaiting_verification_count(user=user),
                "label": _("Groups waiting for verification"),
                "url": reverse("registry:group_list") + "?status=forming",
            }
        )
        needs.append(
            {
                "count": registry.open_warning_count(user=user),
                "label": _("Members with unresolved duplicate warnings"),
                "url": reverse("registry:member_list") + "?warnings=open",
            }
        )
    if user.has_role(Role.VERIFIER, Role.ADMIN):
        needs.append(
            {
                "count": registry.pending_member_count(user=user),
                "label": _("Members waiting in the verification queue"),
                "url": reverse("registry:verification_queue"),
            }
        )
    return render(request, "core/home.html", {"programs": programs, "by_stage": by_stage, "needs": needs})
