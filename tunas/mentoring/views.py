"""Pages of the mentoring app, and the JSON endpoints the phones send their records to."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tunas.core.errors import message_for
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.pagination import list_page
from tunas.programs.models import Program, Stage
from tunas.registry.extensions import visit_checks, visit_checks_for
from tunas.registry.models import Group

from . import selectors, services
from .forms import AssignmentForm, SettingsForm
from .models import (
    Activity,
    Assignment,
    BusinessStatus,
    Channel,
    EquipmentCondition,
    FollowUp,
    MemberStatus,
    VisitPhoto,
)

PAGE_SIZE = 25


def offline_text() -> dict:
    """The sentences the phone's script shows, in the user's language."""
    return {
        "waiting": _("Waiting to send: %(n)s"),
        "savedOffline": _("Saved on this phone. It is sent when the connection returns."),
        "sent": _("Sent and stored."),
        "refused": _("The record was not accepted. Correct what is marked and save again."),
        "conflict": _(
            "A different version of this record was already received. Choose on the mentoring page."
        ),
        "signedOut": _("Your sign-in has expired. Sign in again: the records stay on this phone until sent."),
        "fixBelow": _("Please correct what is marked below."),
        "fix": _("Correct"),
        "discard": _("Discard"),
        "keepStored": _("Keep the stored version"),
        "keepMine": _("Send mine as a correction"),
        "storedVersion": _("Stored version"),
        "myVersion": _("My version"),
        "states": {
            "waiting": _("waiting to send"),
            "refused": _("not accepted"),
            "conflict": _("conflict"),
            "signed_out": _("waiting for sign-in"),
        },
    }


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["offline_text"] = offline_text()
    return render(request, template, context)


def _group_or_404(user: Any, pk: int) -> Group:
    try:
        return selectors.group_get_for_mentoring(user=user, pk=pk)
    except Group.DoesNotExist:
        raise Http404 from None


def _program_or_404(user: Any, code: str) -> Program:
    try:
        return selectors.program_visible(user=user, code=code)
    except Program.DoesNotExist:
        raise Http404 from None


# Pages ----------------------------------------------------------------------------------------------------


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A mentor's groups as cards; for the office, groups without last month's report, overdue follow-ups
    and visits per mentor."""
    user = request.user
    if not selectors.may_read_mentoring(user):
        raise PermissionDenied
    month = selectors.last_month()
    context: dict[str, Any] = {"month": month, "is_mentor": selectors.is_mentor(user)}
    if context["is_mentor"]:
        assignments = selectors.my_assignments(user=user)
        missing = set(selectors.groups_missing_report(user=user, month=month).values_list("pk", flat=True))
        context["cards"] = [{"assignment": a, "report_due": a.group_id in missing} for a in assignments]
    if user.reads_jurisdiction:
        context["missing"] = selectors.groups_missing_report_first(user=user, month=month)
        context["per_mentor"] = selectors.visits_per_mentor(user=user)
    context["overdue"] = list(selectors.follow_ups_overdue(user=user)[:50])
    visits = selectors.visits_visible(user=user)
    context["visits_page"] = list_page(request, visits, ordering=("-visited_on", "id"), size=PAGE_SIZE)
    return _render(request, "mentoring/overview.html", context)


def _baseline(group: Group) -> dict:
    return selectors.group_baseline(group=group)


def group_section_context(request: AuthenticatedHttpRequest, group: Group) -> dict | None:
    """The mentoring card of the registry's group page: mentor, last visits, monthly figures (three
    queries)."""
    if not selectors.may_read_mentoring(request.user):
        return None
    head = selectors.group_head(group=group)
    assignment = head["assignment"]
    reports = selectors.group_reports(group=group)[-12:]
    return {
        "assignment": assignment,
        "visits": selectors.group_visits(group=group, limit=3, follow_ups=False),
        "reports": reports,
        "chart": _chart(reports),
        "baseline": {
            "income_before": head["income_before"],
            "members": group.approved_count,
            "not_working_before": head["not_working_before"],
        },
        "group": group,
        "may_write": assignment is not None
        and assignment["mentor_id"] == request.user.pk
        and group.program.status != Stage.CLOSED,
    }


def _chart(reports) -> dict:
    return {
        "labels": [f"{r.month:%Y-%m}" for r in reports],
        "turnover": [r.turnover for r in reports],
        "profit": [r.profit for r in reports],
    }


@login_required
def group_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A group's mentoring: its mentor, visits with follow-ups, monthly figures beside the baseline."""
    if not selectors.may_read_mentoring(request.user):
        raise PermissionDenied
    group = _group_or_404(request.user, pk)
    reports = selectors.group_reports(group=group)
    return _render(
        request,
        "mentoring/group.html",
        {
            "group": group,
            "assignment": selectors.current_mentor(group=group),
            "visits": selectors.group_visits(group=group, limit=12),
            "reports": reports[-24:],
            "chart": _chart(reports[-24:]),
            "baseline": _baseline(group),
            "may_write": selectors.may_write_for(request.user, group),
            "today": timezone.localdate(),
        },
    )


def _writable_group(request: AuthenticatedHttpRequest, pk: int) -> Group:
    group = _group_or_404(request.user, pk)
    if not selectors.may_write_for(request.user, group):
        raise PermissionDenied
    return group


@login_required
def visit_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The visit form: filled on the phone, kept there until the server has it (works offline)."""
    group = _writable_group(request, pk)
    return _render(
        request,
        "mentoring/visit_form.html",
        {
            "group": group,
            "activities": Activity.choices,
            "today": timezone.localdate(),
            "endpoint": reverse("mentoring:api_visit", args=[uuid.UUID(int=0)]).split(str(uuid.UUID(int=0)))[
                0
            ],
            "replaces": request.GET.get("replaces", ""),
            "checks": visit_checks_for(group),
        },
    )


@login_required
def report_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The monthly report form; ``?replaces=<id>`` opens a correction of a report (a new version)."""
    group = _writable_group(request, pk)
    previous = None
    if replaces := request.GET.get("replaces"):
        try:
            previous = selectors.report_get_visible(user=request.user, pk=uuid.UUID(replaces))
        except (ValueError, services.ProgressReport.DoesNotExist):
            raise Http404 from None
    previous_figures = {}
    if previous is not None and previous.mentor_id == request.user.pk:
        previous_figures = {f.membership_id: f for f in previous.member_figures.all()}
    members = [
        {"pk": m.pk, "name": m.person.full_name, "figure": previous_figures.get(m.pk)}
        for m in selectors.approved_members(group=group)
    ]
    return _render(
        request,
        "mentoring/report_form.html",
        {
            "group": group,
            "previous": previous,
            "members": members,
            "member_statuses": MemberStatus.choices,
            "statuses": BusinessStatus.choices,
            "channels": Channel.choices,
            "conditions": [c for c in EquipmentCondition.choices if c[0]],
            "month": (previous.month if previous else selectors.last_month()).strftime("%Y-%m"),
            "max_month": timezone.localdate().strftime("%Y-%m"),
            "baseline": _baseline(group),
            "money_fields": [
                ("turnover", _("Turnover (Rp)"), previous.turnover if previous else None),
                ("costs", _("Costs (Rp)"), previous.costs if previous else None),
                ("profit", _("Profit (Rp)"), previous.profit if previous else None),
                (
                    "capital_received",
                    _("Loans or capital received (Rp)"),
                    previous.capital_received if previous else None,
                ),
            ],
            "count_fields": [
                ("working_members", _("Members working"), previous.working_members if previous else None),
                ("hired_paid", _("Hired, paid"), previous.hired_paid if previous else None),
                ("hired_unpaid", _("Hired, unpaid"), previous.hired_unpaid if previous else None),
            ],
            "endpoint": reverse("mentoring:api_report", args=[uuid.UUID(int=0)]).split(str(uuid.UUID(int=0)))[
                0
            ],
        },
    )


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    if not selectors.may_read_mentoring(request.user):
        raise PermissionDenied
    try:
        visit = selectors.visit_get_visible(user=request.user, pk=pk)
    except services.Visit.DoesNotExist:
        raise Http404 from None
    labels = dict(Activity.choices)
    return _render(
        request,
        "mentoring/visit_detail.html",
        {
            "visit": visit,
            "activities": [labels.get(a, a) for a in visit.activities],
            "checks": [(check, lines) for check in visit_checks if (lines := check.recorded(visit.pk))],
            "may_write": selectors.may_write_for(request.user, visit.group),
        },
    )


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    if not selectors.may_read_mentoring(request.user):
        raise PermissionDenied
    try:
        report = selectors.report_get_visible(user=request.user, pk=pk)
    except services.ProgressReport.DoesNotExist:
        raise Http404 from None
    labels = dict(Channel.choices)
    return _render(
        request,
        "mentoring/report_detail.html",
        {
            "report": report,
            "versions": selectors.report_versions(report=report),
            "member_figures": selectors.member_figures(report=report),
            # One person's income is personal data: the roles that see personal numbers, and its writer.
            "shows_income": request.user.sees_full_nik or report.mentor_id == request.user.pk,
            "channels": [labels.get(c, c) for c in report.channels],
            "baseline": _baseline(report.group),
            "may_write": report.is_current and selectors.may_write_for(request.user, report.group),
        },
    )


@login_required
@require_POST
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Marks a follow-up done (the group's mentor or an officer of the office)."""
    follow_up = (
        FollowUp.objects.filter(
            pk=pk, visit__group__in=selectors.groups_readable(user=request.user).values("pk")
        )
        .select_related("visit__group")
        .first()
    )
    if follow_up is None:
        raise Http404
    if not (
        selectors.may_manage(request.user) or selectors.may_write_for(request.user, follow_up.visit.group)
    ):
        raise PermissionDenied
    try:
        services.follow_up_done(follow_up=follow_up, by=request.user)
        messages.success(request, _("The follow-up is marked done."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("mentoring:group", pk=follow_up.visit.group_id)


@login_required
def photo_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A visit photo, to those who read the group only."""
    photo = VisitPhoto.objects.filter(
        pk=pk, visit__group__in=selectors.groups_readable(user=request.user).values("pk")
    ).first()
    if photo is None or not selectors.may_read_mentoring(request.user):
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def assignments(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The programme's mentors: who follows which group, and a form to assign one (officers)."""
    if not selectors.may_read_mentoring(request.user) or not request.user.reads_jurisdiction:
        raise PermissionDenied
    program = _program_or_404(request.user, code)
    form = AssignmentForm(program=program, data=request.POST or None)
    if request.method == "POST":
        if not selectors.may_manage(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.assignment_create(
                    group=form.cleaned_data["group"],
                    mentor=form.cleaned_data["mentor"],
                    starts_on=form.cleaned_data["starts_on"],
                    by=request.user,
                )
                messages.success(request, _("The mentor is assigned."))
                return redirect("mentoring:assignments", code=program.code)
            except ValidationError as exc:
                form.add_server_errors(exc)
    return render(
        request,
        "mentoring/assignments.html",
        {
            "program": program,
            "form": form,
            "assignments": selectors.program_assignments(program=program),
            "limits": services.settings_for(program),
            "may_manage": selectors.may_manage(request.user),
        },
    )


@login_required
@require_POST
def assignment_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_manage(request.user):
        raise PermissionDenied
    from tunas.core.scoping import office_q

    assignment = Assignment.objects.filter(office_q(request.user, "program__office"), pk=pk).first()
    if assignment is None:
        raise Http404
    services.assignment_end(assignment=assignment, ended_on=timezone.localdate(), by=request.user)
    messages.success(request, _("The assignment is ended."))
    return redirect("mentoring:assignments", code=assignment.program.code)


@login_required
def settings_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """How many groups and people one mentor of the programme follows at most."""
    if not selectors.may_manage(request.user):
        raise PermissionDenied
    program = _program_or_404(request.user, code)
    current = services.settings_for(program)
    form = SettingsForm(
        request.POST or None,
        initial={
            "max_groups": current.max_groups,
            "max_people": current.max_people,
            "email_reminders": current.email_reminders,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.settings_save(program=program, by=request.user, **form.cleaned_data)
        messages.success(request, _("The mentoring settings are saved."))
        return redirect("mentoring:assignments", code=program.code)
    return render(request, "mentoring/settings.html", {"program": program, "form": form})


# JSON endpoints for the phones ------------------------------------------------------------------------------


def _signed_out() -> JsonResponse:
    return JsonResponse(
        {"error": "signed_out", "message": message_for("signed_out"), "login": reverse("accounts:login")},
        status=401,
    )


def _errors_json(exc: ValidationError) -> dict:
    fields: dict[str, list[dict]] = {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            fields[field] = [
                {"code": e.code or "value_invalid", "message": " ".join(e.messages)} for e in errors
            ]
    else:
        fields["__all__"] = [{"code": exc.code or "value_invalid", "message": " ".join(exc.messages)}]
    return {"error": "invalid", "fields": fields}


def _receive(request: HttpRequest, record_id: uuid.UUID, receive, detail_name: str) -> JsonResponse:
    if not request.user.is_authenticated:
        return _signed_out()
    if not selectors.is_mentor(request.user):
        return JsonResponse({"error": "forbidden", "message": message_for("group_not_assigned")}, status=403)
    try:
        raw = request.body
    except RequestDataTooBig:
        error = {"code": "photo_invalid", "message": message_for("photo_invalid")}
        return JsonResponse({"error": "invalid", "fields": {"photos": [error]}}, status=400)
    try:
        body = json.loads(raw or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse(
            {
                "error": "invalid",
                "fields": {"__all__": [{"code": "body_invalid", "message": message_for("body_invalid")}]},
            },
            status=400,
        )
    try:
        received = receive(record_id=record_id, body=body, by=request.user)
    except services.RecordConflict as conflict:
        return JsonResponse(
            {
                "error": "conflict",
                "message": message_for("record_conflict"),
                "stored": conflict.stored,
                "sent": conflict.sent,
            },
            status=409,
        )
    except ValidationError as exc:
        return JsonResponse(_errors_json(exc), status=400)
    record = received.record
    return JsonResponse(
        {
            "id": str(record.pk),
            "created": received.created,
            "received_at": record.received_at.isoformat(),
            "url": reverse(detail_name, args=[record.pk]),
        },
        status=201 if received.created else 200,
    )


@require_POST
def api_visit(request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
    """Receives one visit by the UUID the phone gave it: exactly once."""
    return _receive(request, pk, services.visit_receive, "mentoring:visit_detail")


@require_POST
def api_report(request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
    """Receives one monthly report by the UUID the phone gave it: exactly once."""
    return _receive(request, pk, services.report_receive, "mentoring:report_detail")


@never_cache
@require_GET
def api_session(request: HttpRequest) -> JsonResponse:
    """Whether the phone's sign-in still holds, who it is, and a fresh CSRF token for the queued sends."""
    from django.middleware.csrf import get_token

    if not request.user.is_authenticated:
        return _signed_out()
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the mentoring pages' path so that its scope covers them."""
    response = render(
        request,
        "mentoring/sw.js",
        {
            "workbox": static("vendor/workbox/workbox-sw.js"),
            # The modules by their plain names (whitenoise serves them unhashed too): Workbox builds the
            # module URLs itself.
            "prefix": f"{settings.STATIC_URL}vendor/workbox",
            "scope": reverse("mentoring:overview"),
            "debug": settings.DEBUG,
        },
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = reverse("mentoring:overview")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable on the home screen, opening on the mentor's groups."""
    start = reverse("mentoring:overview")
    return JsonResponse(
        {
            "name": _("Tunas mentoring"),
            "short_name": "Tunas",
            "start_url": start,
            "scope": start,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2f7d4f",
            "lang": request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "id",
            "icons": [
                {"src": static("mentoring/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("mentoring/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("mentoring/icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def program_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    return {"mentoring": selectors.program_overview(program=program), "month": selectors.last_month()}
