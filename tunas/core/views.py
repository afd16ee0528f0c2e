from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .extensions import home_actions, home_cards


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
    """What needs the signed-in user now: the cards the apps registered that have something for them."""
    user = request.user
    cards: dict[str, list[dict]] = {"stat": [], "panel": []}
    for card in home_cards:
        if not card.visible_to(user):
            continue
        data = card.build(user)
        if data is not None:
            cards[card.kind].append({"key": card.key, "template": card.template, "data": data})
    action = next((item for item in home_actions if item.visible_to(user)), None)
    return render(
        request,
        "core/home.html",
        {
            "stat_cards": cards["stat"],
            "panels": cards["panel"],
            "primary_action": (
                {"label": action.label, "url": reverse(action.url_name)} if action is not None else None
            ),
        },
    )
