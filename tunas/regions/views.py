"""Region pickers: village search by name, cascading selects, and the local hamlet list of a village."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tunas.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .models import District, Regency, Village


def _jurisdiction(request: AuthenticatedHttpRequest) -> str:
    prefix = request.user.jurisdiction
    if prefix is None:
        raise PermissionDenied
    return prefix


@login_required
def village_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Villages matching ``q`` inside the user's jurisdiction: an HTMX list, or JSON for scripts."""
    # A form's village picker sends its typed text as "<field>__search", named after the field it fills.
    query = request.GET.get("q") or request.GET.get(f"{request.GET.get('target', '')}__search", "")
    villages = selectors.village_search(query=query, within=_jurisdiction(request))
    if request.htmx or request.GET.get("format") != "json":
        typed = " ".join(query.split())
        return render(
            request,
            "regions/partials/_village_options.html",
            {
                "villages": villages,
                "target": request.GET.get("target", ""),
                "typed": typed,
                "typed_code": typed.replace(".", "").replace(" ", "").isdigit(),
            },
        )
    return JsonResponse(
        {
            "results": [
                {
                    "code": v.code,
                    "name": v.name,
                    "district": v.district.name,
                    "regency": v.district.regency.name,
                    "postal_code": v.postal_code,
                }
                for v in villages
            ]
        }
    )


@login_required
def children(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Options for the next select of a cascade: districts of a regency or villages of a district."""
    prefix = _jurisdiction(request)
    parent = selectors.normalize_region_code(request.GET.get("parent", ""))
    # Only areas inside the jurisdiction open; the cascade starts at the user's own province or regency.
    if prefix and not (parent == prefix or parent.startswith(prefix + ".")):
        raise Http404
    items: QuerySet[Regency] | QuerySet[District] | QuerySet[Village]
    if len(parent) == 5:
        items = selectors.districts_of(parent)
    elif len(parent) == 8:
        items = selectors.villages_of(parent)
    elif len(parent) == 2 or parent == "":
        items = selectors.regencies_in(parent)
    else:
        raise Http404
    return render(request, "regions/partials/_options.html", {"items": items})


@login_required
def village_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(
        Village.objects.filter(selectors.within_q(_jurisdiction(request))).select_related(
            "district__regency"
        ),
        code=code,
    )
    return render(request, "regions/village.html", {"village": village, "hamlets": village.hamlets.all()})


@login_required
@require_POST
def hamlet_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if not request.user.manages_programmes:
        raise PermissionDenied
    village = get_object_or_404(Village.objects.filter(selectors.within_q(_jurisdiction(request))), code=code)
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Enter the hamlet's name."))
    else:
        try:
            hamlet, created = services.hamlet_get_or_create(village=village, text=name, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if created:
                messages.success(request, _("Hamlet %(name)s added.") % {"name": hamlet})
            else:
                messages.info(request, _("Hamlet %(name)s is already in the list.") % {"name": hamlet})
    return redirect("regions:village", code=village.code)


@login_required
def region_browser(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Cascading selects over the user's jurisdiction, and the village search."""
    prefix = _jurisdiction(request)
    regencies = selectors.regencies_in(prefix[:2] if len(prefix) >= 2 else prefix)
    if len(prefix) == 5:
        regencies = regencies.filter(code=prefix)
    return render(request, "regions/browser.html", {"regencies": regencies})
