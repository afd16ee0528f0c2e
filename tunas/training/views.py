"""Pages of the training app: thin views over the selectors, forms and services."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tunas.core.errors import ConflictError
from tunas.core.http import AuthenticatedHttpRequest
from tunas.programs import selectors as program_selectors
from tunas.programs.models import Program
from tunas.registry.models import Membership

from . import documents, selectors, services
from .forms import (
    CostForm,
    HonorariaForm,
    InstructorForm,
    RevokeForm,
    SessionForm,
    SettingsForm,
    SheetUploadForm,
    TrainingForm,
    curriculum_text,
)
from .models import (
    AttendanceSheet,
    AttendanceStatus,
    Certificate,
    CertificateStatus,
    Instructor,
    Session,
    Training,
)

# The public check answers this many requests per address and minute, then 429.
VERIFY_RATE_LIMIT = 30
VERIFY_RATE_WINDOW = 60


def _require_reader(request: AuthenticatedHttpRequest) -> None:
    if not selectors.may_read_training(request.user):
        raise PermissionDenied


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not selectors.may_manage_training(request.user):
        raise PermissionDenied


def _program_or_404(request: AuthenticatedHttpRequest, code: str) -> Program:
    try:
        return program_selectors.program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def _training_or_404(request: AuthenticatedHttpRequest, pk: int) -> Training:
    try:
        return selectors.training_get_visible(user=request.user, pk=pk)
    except Training.DoesNotExist as exc:
        raise Http404 from exc


def _day_or_404(training: Training, day: str) -> dt.date:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    if date not in training.days:
        raise Http404
    return date


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


# The programme tab ------------------------------------------------------------------------------------------


def program_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    trainings = list(selectors.training_list_visible(user=request.user, program=program))
    settings = selectors.training_settings_of(program=program)
    trained_group_ids = {g.pk for t in trainings for g in t.groups.all()}
    untrained = program.groups.exclude(pk__in=trained_group_ids).exclude(
        status__in=services.TRAINABLE_EXCLUDED
    )
    return {
        "trainings": trainings,
        "training_settings": settings,
        "untrained_groups": list(untrained.order_by("name")),
        "can_manage_training": selectors.may_manage_training(request.user),
    }


# Settings ---------------------------------------------------------------------------------------------------


@login_required
def settings_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    program = _program_or_404(request, code)
    current = selectors.training_settings_of(program=program)
    form = SettingsForm(
        request.POST or None,
        initial={
            "completion_threshold": current.completion_threshold,
            "curriculum": curriculum_text(current.curriculum),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_settings_save(
                program=program,
                curriculum=form.cleaned_data["curriculum"],
                completion_threshold=form.cleaned_data["completion_threshold"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect(reverse("programs:detail", args=[program.code]) + "?tab=training")
    return render(request, "training/settings_form.html", {"form": form, "program": program})


# Trainings --------------------------------------------------------------------------------------------------


def _training_data(form: TrainingForm) -> services.TrainingData:
    d = form.cleaned_data
    return services.TrainingData(
        title=d["title"],
        village_id=d["village"].code,
        hamlet_id=d["hamlet"].pk if d.get("hamlet") else None,
        place=d.get("place") or "",
        start_date=d["start_date"],
        end_date=d["end_date"],
    )


@login_required
def training_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    program = _program_or_404(request, code)
    form = TrainingForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(
                program=program,
                groups=form.cleaned_data["groups"],
                data=_training_data(form),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("The training is planned; its timetable follows the curriculum. Check it.")
            )
            return redirect("training:detail", pk=training.pk)
    return render(request, "training/training_form.html", {"form": form, "program": program})


@login_required
def training_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    form = TrainingForm(request.POST or None, program=training.program, training=training)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(
                training=training,
                groups=form.cleaned_data["groups"],
                data=_training_data(form),
                expected_version=_posted_version(request),
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc) or _("Someone else saved this record meanwhile. Reload the page."))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("training:detail", pk=training.pk)
    return render(
        request,
        "training/training_form.html",
        {"form": form, "program": training.program, "training": training},
    )


@login_required
@require_GET
def training_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    training = _training_or_404(request, pk)
    sessions = selectors.training_sessions(training=training)
    marked = set(
        Session.objects.filter(training=training, attendance__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    settings = selectors.training_settings_of(program=training.program)
    rows = selectors.completion_rows(training=training, threshold=settings.completion_threshold)
    days = selectors.attendance_by_day(training=training)
    costs = list(selectors.training_costs(training=training))
    return render(
        request,
        "training/training_detail.html",
        {
            "training": training,
            "program": training.program,
            "groups": list(training.groups.order_by("name")),
            "sessions": sessions,
            "marked": marked,
            "days": days,
            "rows": rows,
            "threshold": settings.completion_threshold,
            "completed_count": sum(1 for r in rows if r.completed),
            "certificate_count": sum(1 for r in rows if r.certificate),
            "issuable": sum(1 for r in rows if r.completed and r.certificate is None),
            "unmarked": len(sessions) - len(marked & {s.pk for s in sessions}),
            "total_hours": sum(s.lesson_hours for s in sessions),
            "costs": costs,
            "cost_total": sum(c.amount for c in costs),
            "can_manage": selectors.may_manage_training(request.user),
            "sees_reasons": request.user.sees_full_nik,
        },
    )


# Sessions ---------------------------------------------------------------------------------------------------


def _session_form_page(request, training: Training, session: Session) -> HttpResponse:
    form = SessionForm(request.POST or None, instance=session, training=training)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save(session=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect(reverse("training:detail", args=[training.pk]) + "#timetable")
    return render(
        request,
        "training/session_form.html",
        {"form": form, "training": training, "program": training.program, "session": session},
    )


@login_required
def session_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    return _session_form_page(request, training, Session(training=training, date=training.start_date))


def _session_of_office(request: AuthenticatedHttpRequest, pk: int) -> Session:
    _require_manager(request)
    try:
        return selectors.session_get_for_marking(user=request.user, pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_of_office(request, pk)
    return _session_form_page(request, session.training, session)


@login_required
@require_POST
def session_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_of_office(request, pk)
    try:
        services.session_delete(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The session was deleted."))
    return redirect(reverse("training:detail", args=[session.training_id]) + "#timetable")


# Attendance on the phone ------------------------------------------------------------------------------------


@login_required
def attendance_mark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One session's attendance: everyone present with one tap, then the exceptions."""
    try:
        session = selectors.session_get_for_marking(user=request.user, pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    training = session.training
    people = list(selectors.participants(training=training))
    error = ""
    if request.method == "POST":
        reason = request.POST.get("change_reason", "")
        try:
            if "all_present" in request.POST:
                services.attendance_all_present(session=session, by=request.user, change_reason=reason)
                messages.success(request, _("Everyone is marked present. Now mark the exceptions, if any."))
            else:
                marks = {}
                for m in people:
                    status = request.POST.get(f"status-{m.pk}")
                    if status:
                        marks[m.pk] = services.Mark(status, request.POST.get(f"reason-{m.pk}", ""))
                services.attendance_record(
                    session=session, marks=marks, by=request.user, change_reason=reason
                )
                messages.success(request, _("Attendance saved."))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("training:attendance", pk=session.pk)
    current = selectors.session_marks(session=session)
    rows = [(m, current.get(m.pk)) for m in people]
    counts = {s: sum(1 for _m, a in rows if a and a.status == s) for s in AttendanceStatus.values}
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "training": training,
            "rows": rows,
            "counts": counts,
            "marked": bool(current),
            "late": services.is_late(session),
            "completed": training.completed_at is not None,
            "statuses": AttendanceStatus.choices,
            "error": error,
            "posted": request.POST if error else None,
            "back_url": reverse("training:detail", args=[training.pk])
            if selectors.may_read_training(request.user)
            else reverse("training:my_sessions"),
        },
    )


@login_required
@require_GET
def my_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An instructor's own sessions: today's first, then the coming and the past ones."""
    if not selectors.is_instructor(request.user):
        raise PermissionDenied
    today = selectors.today()
    sessions = list(selectors.my_sessions(user=request.user)[:200])
    return render(
        request,
        "training/my_sessions.html",
        {
            "today": today,
            "today_sessions": [s for s in sessions if s.date == today],
            "coming": [s for s in sessions if s.date > today],
            "past": [s for s in sessions if s.date < today][::-1][:50],
        },
    )


# Attendance sheets ------------------------------------------------------------------------------------------


@login_required
@require_GET
def sheet_pdf(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    date = _day_or_404(training, day)
    return documents.attendance_sheet_response(training=training, date=date, by=request.user)


@login_required
def sheet_upload(request: AuthenticatedHttpRequest, pk: int, day: str) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    date = _day_or_404(training, day)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_sheet_attach(
                training=training, date=date, photo=form.cleaned_data["photo"], by=request.user
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The signed sheet is attached to the day."))
            return redirect(reverse("training:detail", args=[training.pk]) + "#attendance")
    sheet = AttendanceSheet.objects.filter(training=training, date=date).first()
    return render(
        request,
        "training/sheet_upload.html",
        {"form": form, "training": training, "program": training.program, "date": date, "sheet": sheet},
    )


@login_required
@require_GET
def sheet_photo(request: AuthenticatedHttpRequest, pk: int, day: str) -> FileResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    date = _day_or_404(training, day)
    sheet = AttendanceSheet.objects.filter(training=training, date=date).exclude(photo="").first()
    if sheet is None:
        raise Http404
    try:
        handle = sheet.photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(sheet.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="daftar-hadir-{training.pk}-{date:%Y%m%d}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Completion and certificates --------------------------------------------------------------------------------


@login_required
@require_POST
def training_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    try:
        rows = services.training_complete(training=training, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = sum(1 for r in rows if r.completed)
        messages.success(
            request,
            _("Completion decided: %(done)s of %(total)s participants completed the training.")
            % {"done": done, "total": len(rows)},
        )
    return redirect(reverse("training:detail", args=[training.pk]) + "#completion")


@login_required
@require_POST
def certificates_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    try:
        issued = services.certificates_issue(training=training, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s certificate(s) issued.") % {"n": len(issued)})
    return redirect(reverse("training:detail", args=[training.pk]) + "#completion")


@login_required
@require_POST
def certificate_issue_one(request: AuthenticatedHttpRequest, pk: int, member: int) -> HttpResponse:
    _require_manager(request)
    training = _training_or_404(request, pk)
    membership = Membership.objects.filter(pk=member, program=training.program).first()
    if membership is None:
        raise Http404
    try:
        services.certificate_issue(training=training, membership=membership, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The certificate was issued."))
    return redirect(reverse("training:detail", args=[training.pk]) + "#completion")


@login_required
@require_GET
def certificates_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    training = _training_or_404(request, pk)
    certificates = selectors.certificate_list(training=training)
    if not certificates.exists():
        raise Http404
    return documents.certificates_response(
        certificates=certificates,
        filename=f"sertifikat-{training.program.code}-{training.pk}",
        request=request,
    )


def _certificate_or_404(request: AuthenticatedHttpRequest, pk: int) -> Certificate:
    try:
        return selectors.certificate_get_visible(user=request.user, pk=pk)
    except Certificate.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def certificate_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    certificate = _certificate_or_404(request, pk)
    return documents.certificates_response(
        certificates=Certificate.objects.filter(pk=certificate.pk),
        filename=f"sertifikat-{certificate.code}",
        request=request,
    )


@login_required
def certificate_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    certificate = _certificate_or_404(request, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The certificate is revoked; its check page now says so."))
            return redirect(reverse("training:detail", args=[certificate.training_id]) + "#completion")
    return render(
        request,
        "training/certificate_revoke.html",
        {
            "form": form,
            "certificate": certificate,
            "training": certificate.training,
            "program": certificate.training.program,
        },
    )


# Costs ------------------------------------------------------------------------------------------------------


@login_required
def costs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A training's costs: the honoraria of held sessions at once, and other costs one by one."""
    _require_manager(request)
    training = _training_or_404(request, pk)
    cost_form = CostForm(request.POST or None, request.FILES or None, training=training, prefix="cost")
    honoraria_form = HonorariaForm(
        request.POST if "honoraria" in request.POST else None, training=training, prefix="hon"
    )
    if request.method == "POST":
        try:
            if "honoraria" in request.POST:
                if honoraria_form.is_valid():
                    recorded = services.honoraria_record(
                        training=training,
                        budget_line=honoraria_form.cleaned_data["budget_line"],
                        spent_on=honoraria_form.cleaned_data["spent_on"],
                        by=request.user,
                    )
                    _report_spending(
                        request, recorded, _("%(n)s honorarium(s) recorded.") % {"n": len(recorded)}
                    )
                    return redirect("training:costs", pk=training.pk)
            elif cost_form.is_valid():
                d = cost_form.cleaned_data
                cost = services.cost_record(
                    training=training,
                    budget_line=d["budget_line"],
                    spent_on=d["spent_on"],
                    amount=d["amount"],
                    description=d["description"],
                    paid_for=d.get("paid_for") or "",
                    receipt=d.get("receipt"),
                    by=request.user,
                )
                _report_spending(request, [cost], _("The cost is recorded."))
                return redirect("training:costs", pk=training.pk)
        except ValidationError as exc:
            target = honoraria_form if "honoraria" in request.POST else cost_form
            target.add_service_error(exc)
    pending = list(selectors.sessions_without_honorarium(training=training))
    rows = list(selectors.training_costs(training=training))
    return render(
        request,
        "training/costs.html",
        {
            "training": training,
            "program": training.program,
            "cost_form": cost_form,
            "honoraria_form": honoraria_form,
            "pending": pending,
            "pending_total": sum(
                s.lesson_hours * s.instructor.rate_per_hour for s in pending if s.instructor
            ),
            "rows": rows,
            "total": sum(c.amount for c in rows),
        },
    )


def _report_spending(request, costs_recorded, sentence: str) -> None:
    messages.success(request, sentence)
    for cost in costs_recorded:
        for warning in getattr(cost, "warnings", []):
            messages.warning(request, warning)


# Instructors ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def instructor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_reader(request)
    q = request.GET.get("q", "")
    page = Paginator(selectors.instructor_list_visible(user=request.user, q=q), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/instructor_list.html",
        {"page": page, "q": q, "can_manage": selectors.may_manage_training(request.user)},
    )


def _instructor_or_404(request: AuthenticatedHttpRequest, pk: int) -> Instructor:
    try:
        return selectors.instructor_get_visible(user=request.user, pk=pk)
    except Instructor.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def instructor_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    instructor = _instructor_or_404(request, pk)
    sessions = list(selectors.instructor_sessions(instructor=instructor)[:200])
    return render(
        request,
        "training/instructor_detail.html",
        {
            "instructor": instructor,
            "sessions": sessions,
            "hours": sum(s.lesson_hours for s in sessions),
            "can_manage": selectors.may_manage_training(request.user),
            "sees_phone": request.user.sees_full_nik,
        },
    )


@login_required
def instructor_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    if pk is not None:
        instructor = _instructor_or_404(request, pk)
    else:
        if request.user.office is None:
            raise PermissionDenied
        instructor = Instructor(office=request.user.office)
    form = InstructorForm(request.POST or None, instance=instructor, office=instructor.office)
    if request.method == "POST" and form.is_valid():
        try:
            services.instructor_save(
                instructor=form.save(commit=False),
                expected_version=_posted_version(request) if instructor.pk else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc) or _("Someone else saved this record meanwhile. Reload the page."))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("training:instructor_detail", pk=instructor.pk)
    return render(request, "training/instructor_form.html", {"form": form, "instructor": instructor})


# The public check -------------------------------------------------------------------------------------------


def _rate_limited(request: HttpRequest) -> bool:
    """A fixed window per client address in the cache: past the limit, 429 until the window ends."""
    from django.conf import settings

    # The address as the login throttle reads it (behind our proxies, the client's, not the proxy's).
    address_of = getattr(settings, "AXES_CLIENT_IP_CALLABLE", None)
    address = address_of(request) if callable(address_of) else request.META.get("REMOTE_ADDR")
    key = f"training:verify:{address or 'unknown'}"
    if cache.add(key, 1, VERIFY_RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, VERIFY_RATE_WINDOW)
        return False
    return count > VERIFY_RATE_LIMIT


@never_cache
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone may check a certificate: valid, revoked (with the date) or not found; never a NIK."""
    if _rate_limited(request):
        response = render(request, "training/verify.html", {"limited": True}, status=429)
        response["Retry-After"] = str(VERIFY_RATE_WINDOW)
        return response
    certificate = services.certificate_check(code=code)
    context: dict = {"certificate": certificate}
    if certificate is not None:
        training = certificate.training
        context.update(
            {
                "training": training,
                "program": training.program,
                "office": training.program.office,
                "masked_name": documents.mask_name(certificate.name),
                "revoked": certificate.status == CertificateStatus.REVOKED,
            }
        )
    return render(request, "training/verify.html", context)
