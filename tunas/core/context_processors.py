from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .extensions import nav_items


def tunas(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    office = getattr(user, "office", None) if signed_in else None
    return {
        "site_name": settings.TUNAS_SITE_NAME,
        "current_office": office,
        "navigation": _navigation(request, user) if signed_in else [],
    }


def _navigation(request: HttpRequest, user) -> list[dict]:
    """The navigation entries the apps registered that this user may use; the current one is marked."""
    entries = []
    for item in nav_items:
        if not item.visible_to(user):
            continue
        url = reverse(item.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        entries.append({"key": item.key, "label": item.label, "url": url, "current": current})
    return entries
