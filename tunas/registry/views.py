"""Registry pages. ``program_tab_context`` fills the programme page's groups and participants tabs."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors


def program_tab_context(request, program, tab: str) -> dict:
    if tab != "groups":
        return {}
    groups = selectors.group_list_visible(user=request.user, program=program).order_by("name")
    return {"groups_page": Paginator(groups, 25).get_page(request.GET.get("page"))}


@login_required
def group_list(request):
    groups = selectors.group_list_visible(user=request.user).order_by("program__code", "name")
    return render(request, "registry/group_list.html", {"page": Paginator(groups, 25).get_page(request.GET.get("page"))})


@login_required
def member_list(request):
    return render(request, "registry/member_list.html", {})


@login_required
def verification_queue(request):
    return render(request, "registry/verification_queue.html", {})
