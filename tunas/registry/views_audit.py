"""Audit pages: a member's and a group's history, and the administrator's trail by user and day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tunas.core.forms import BootstrapFormMixin, DateInput
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.scoping import office_q
from tunas.reports.views import report_response

from . import audit, selectors
from .models import Group, Membership
from .rules import may_read_office_trail, may_read_trail


class TrailFilterForm(BootstrapFormMixin, forms.Form):
    who = forms.ModelChoiceField(label=_("User"), queryset=get_user_model().objects.none(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(office_q(user)).order_by("username")
        field = self.fields["who"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users
        field.empty_label = str(_("Everyone"))


@login_required
@require_GET
def member_trail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not may_read_trail(request.user):
        raise PermissionDenied
    try:
        membership = selectors.membership_get_visible(user=request.user, pk=pk)
    except Membership.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "registry/audit/member.html",
        {"membership": membership, "entries": audit.member_trail(membership=membership)},
    )


@login_required
@require_GET
def group_trail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not may_read_trail(request.user):
        raise PermissionDenied
    try:
        group = selectors.group_get_visible(user=request.user, pk=pk)
    except Group.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request, "registry/audit/group.html", {"group": group, "entries": audit.group_trail(group=group)}
    )


def trail_filters(user: Any, data: Any) -> dict:
    form = TrailFilterForm(data or None, user=user)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    before = parse_datetime(data.get("before", "")) if data.get("before") else None
    filters["before"] = before
    return {"form": form, **filters}


@login_required
@require_GET
def office_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_read_office_trail(request.user):
        raise PermissionDenied
    filters = trail_filters(request.user, request.GET)
    entries = audit.office_trail(
        user=request.user,
        who=filters.get("who"),
        since=filters.get("since"),
        until=filters.get("until"),
        before=filters.get("before"),
    )
    older = entries[-1].when.isoformat() if len(entries) == audit.PAGE_SIZE else None
    return render(
        request,
        "registry/audit/office.html",
        {"filters": filters["form"], "entries": entries, "older": older, "today": dt.date.today()},
    )


@login_required
@require_GET
def office_trail_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    from .reports import AuditTrailReport

    return report_response(AuditTrailReport(), request, "xlsx")
