from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tunas.programs.selectors import program_list_visible


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
    """What needs the signed-in user now: programmes by stage for the office."""
    programs = list(program_list_visible(user=request.user).order_by("-fiscal_year", "code")[:20])
    by_stage: dict[str, list] = {}
    for program in programs:
        by_stage.setdefault(program.get_status_display(), []).append(program)
    return render(request, "core/home.html", {"programs": programs, "by_stage": by_stage})
