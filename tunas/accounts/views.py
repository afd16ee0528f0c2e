from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tunas.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .forms import LoginForm, UserForm, mail_is_sent
from .models import User
from .roles import Role


class LoginView(auth_views.LoginView):
    """Django's sign-in page with Tunas's form, under Tunas's name.

    Django's view puts the current site's name in ``site_name``; without the sites framework that is the
    host ("127.0.0.1:8000"), which would then stand in the brand and the page title.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "site_name": settings.TUNAS_SITE_NAME}


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied


@login_required
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    page = Paginator(selectors.user_list_visible(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "users": page.object_list})


def _announce_first_password(request: AuthenticatedHttpRequest, user: User, password: str) -> None:
    messages.warning(
        request,
        _(
            "First password of %(username)s: %(password)s — it is shown only now. Hand it over in person; "
            "they can change it after signing in."
        )
        % {"username": user.username, "password": password},
    )


@login_required
@require_POST
def user_first_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An administrator gives a user a new first password (for a user who has no e-mail to reset it)."""
    _require_admin(request)
    user = get_object_or_404(selectors.user_list_visible(user=request.user), pk=pk)
    _announce_first_password(request, user, services.user_first_password(user=user))
    return redirect("accounts:user_edit", pk=user.pk)


@login_required
def user_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    user = get_object_or_404(selectors.user_list_visible(user=request.user), pk=pk) if pk else User()
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        creating = user.pk is None
        office = user.office if user.pk else request.user.office
        saved = services.user_save(
            user=form.save(commit=False), office=office, roles=form.cleaned_data["roles"]
        )
        messages.success(request, _("Data saved successfully."))
        if creating and not (saved.email and mail_is_sent()):
            # Without an e-mail address the user cannot reset a password: the administrator hands one over.
            _announce_first_password(request, saved, services.user_first_password(user=saved))
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})
