from django.conf import settings
from django.http import HttpRequest


def tunas(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    office = getattr(user, "office", None) if user is not None and user.is_authenticated else None
    return {"site_name": settings.TUNAS_SITE_NAME, "current_office": office}
