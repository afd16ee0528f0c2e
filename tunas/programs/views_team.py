"""The programme's verification team (who signs its selection record), kept by the programme's own office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tunas.core.http import AuthenticatedHttpRequest

from . import numbering
from .forms_team import TEAM_SIZE_LIMIT, TeamFormSet
from .models import DocumentKind, Program, TeamPosition
from .views import get_program_or_404

PREFIX = "team"


def _require_own_office_manager(request: AuthenticatedHttpRequest, program: Program) -> None:
    """Officers and administrators of the office that runs the programme; a province office only reads."""
    user = request.user
    if not user.manages_programmes or not (user.is_superuser or user.office_id == program.office_id):
        raise PermissionDenied


def _initial(program: Program) -> list[dict]:
    team = numbering.verification_team_list(program=program)
    if team:
        return [{"name": m.name, "nip": m.nip, "position": m.position} for m in team]
    # A new team: the usual shape, a chair, a secretary and a member.
    return [
        {"position": TeamPosition.CHAIR},
        {"position": TeamPosition.SECRETARY},
        {"position": TeamPosition.MEMBER},
    ]


def _with_one_more_row(data):
    """The posted rows and one empty row more (the page works without JavaScript)."""
    data = data.copy()
    key = f"{PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, TEAM_SIZE_LIMIT))
    return data


@login_required
def program_team(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Lists and edits the verification team; "Add a row" returns the form with one empty row more."""
    program = get_program_or_404(request, code)
    _require_own_office_manager(request, program)
    if request.method == "POST" and "add_row" in request.POST:
        formset = TeamFormSet(_with_one_more_row(request.POST), prefix=PREFIX)
    elif request.method == "POST":
        formset = TeamFormSet(request.POST, prefix=PREFIX)
        if formset.is_valid():
            try:
                numbering.verification_team_save(program=program, members=formset.members())
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Data saved successfully."))
                return redirect("programs:team", code=program.code)
    else:
        formset = TeamFormSet(initial=_initial(program), prefix=PREFIX)
    return render(
        request,
        "programs/team.html",
        {
            "program": program,
            "formset": formset,
            "number": numbering.document_number_get(program=program, kind=DocumentKind.SELECTION_RECORD),
        },
    )
