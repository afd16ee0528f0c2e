"""The catalogue's staff pages: groups' public profiles, products and their approval, photos, interest,
exhibitions, posters and the printable catalogue. Every row is fetched through a scoped selector."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tunas.core.errors import ConflictError
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.pagination import list_page
from tunas.programs.models import Program
from tunas.programs.selectors import program_get_visible
from tunas.registry.models import Group

from . import documents, rules, selectors, services
from .forms import ExhibitionForm, PhotoForm, ProductForm, ProfileForm, ProfileLinksForm, ReturnForm
from .models import Exhibition, Product, ProductPhoto, ProductStatus


def _require_worker(request: AuthenticatedHttpRequest) -> None:
    if not rules.works_in_catalog(request.user):
        raise PermissionDenied


def _group_or_404(request: AuthenticatedHttpRequest, pk: int) -> Group:
    try:
        return selectors.group_for_staff(user=request.user, pk=pk)
    except Group.DoesNotExist as exc:
        raise Http404 from exc


def _product_or_404(request: AuthenticatedHttpRequest, pk: int) -> Product:
    try:
        return selectors.product_for_staff(user=request.user, pk=pk)
    except Product.DoesNotExist as exc:
        raise Http404 from exc


def _version(form) -> int:
    # An edit that does not say which version it started from cannot prove it is not stale.
    return form.cleaned_data.get("version") or 0


# Lists ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The groups the user works on in the catalogue, with their products' counts."""
    _require_worker(request)
    page = list_page(request, selectors.groups_for_staff(user=request.user), ordering=("name", "pk"))
    return render(
        request,
        "catalog/manage.html",
        {
            "page": page,
            "awaiting": selectors.awaiting_approval_count(user=request.user),
            "can_manage": request.user.manages_programmes,
        },
    )


@login_required
@require_GET
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Products waiting for an officer's approval, oldest change first."""
    if not request.user.manages_programmes:
        raise PermissionDenied
    qs = selectors.products_for_staff(user=request.user, status=ProductStatus.PENDING)
    page = list_page(request, qs, ordering=("updated_at", "pk"))
    for product in page.items:
        product.return_form = ReturnForm(initial={"version": product.version}, auto_id=f"r{product.pk}_%s")
    return render(request, "catalog/approvals.html", {"page": page})


def program_products_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The programme page's "Products" tab: its groups with their products' counts."""
    groups = list(selectors.groups_for_staff(user=request.user, program=program))
    return {
        "catalog_groups": groups,
        "catalog_totals": {
            "products": sum(getattr(g, "cat_products", 0) for g in groups),
            "published": sum(getattr(g, "cat_published", 0) for g in groups),
            "pending": sum(getattr(g, "cat_pending", 0) for g in groups),
        },
    }


# A group --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def group_manage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A group's catalogue: its public profile, its products with their state, and the clicks per month."""
    _require_worker(request)
    group = _group_or_404(request, pk)
    profile = getattr(group, "catalog_profile", None)
    products = list(selectors.products_for_staff(user=request.user, group=group).order_by("name", "pk"))
    interest = None
    if rules.may_see_interest(request.user, group, profile):
        interest = selectors.clicks_by_month(products=products)
        for product in products:
            product.clicks_row = interest["rows"][product.pk]  # type: ignore[attr-defined]
            product.clicks_total = interest["totals"][product.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "catalog/group_manage.html",
        {
            "group": group,
            "profile": profile,
            "products": products,
            "interest": interest,
            "may_edit": rules.may_edit(request.user, group, profile),
            "selected": group.status in rules.PUBLIC_GROUP_STATUSES,
            "may_approve": rules.may_approve(request.user, group),
        },
    )


@login_required
def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_worker(request)
    group = _group_or_404(request, pk)
    profile = services.profile_for(group)
    if not rules.may_edit(request.user, group, profile if profile.pk else None):
        raise PermissionDenied
    links = rules.may_link_editors(request.user, group)
    form_class = ProfileLinksForm if links else ProfileForm
    kwargs = {"office": group.program.office} if links else {}
    form = form_class(request.POST or None, instance=profile, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(
                profile=form.save(commit=False),
                expected_version=_version(form) if profile.pk else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("catalog:group_manage", pk=group.pk)
    return render(request, "catalog/profile_form.html", {"form": form, "group": group, "profile": profile})


# Products -------------------------------------------------------------------------------------------------


def _product_form(request: AuthenticatedHttpRequest, group: Group, product: Product) -> HttpResponse:
    if not rules.may_edit(request.user, group):
        raise PermissionDenied
    # A new product is meant for the catalogue; an existing one keeps whether it is shown.
    initial = {
        "publish": product.status in (ProductStatus.PUBLISHED, ProductStatus.PENDING) if product.pk else True
    }
    form = ProductForm(request.POST or None, instance=product, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_save(
                product=form.save(commit=False),
                publish=form.cleaned_data["publish"],
                expected_version=_version(form) if product.pk else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if product.status == ProductStatus.PENDING:
                messages.info(request, _("Saved. The product is shown once an officer approves it."))
            else:
                messages.success(request, _("Data saved successfully."))
            return redirect("catalog:product_photos", pk=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "group": group, "product": product})


@login_required
def product_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_worker(request)
    group = _group_or_404(request, pk)
    if group.status not in rules.PUBLIC_GROUP_STATUSES:
        messages.error(
            request,
            _("Only a group that passed selection and has not dissolved can be shown in the catalogue."),
        )
        return redirect("catalog:group_manage", pk=group.pk)
    return _product_form(request, group, Product(group=group))


@login_required
def product_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_worker(request)
    product = _product_or_404(request, pk)
    return _product_form(request, product.group, product)


@login_required
def product_photos(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A product's photos: upload (checked at once, sized in the background) and removal."""
    _require_worker(request)
    product = _product_or_404(request, pk)
    may_edit = rules.may_edit(request.user, product.group)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.photo_add(
                    product=product,
                    upload=form.cleaned_data["photo"],
                    alt_text=form.cleaned_data["alt_text"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The photo was uploaded. Its sizes are being prepared."))
                return redirect("catalog:product_photos", pk=product.pk)
    photos = list(product.photos.all())
    return render(
        request,
        "catalog/product_photos.html",
        {
            "product": product,
            "group": product.group,
            "photos": photos,
            "form": form,
            "may_edit": may_edit,
            "may_approve": rules.may_approve(request.user, product.group),
            "return_form": ReturnForm(initial={"version": product.version}),
        },
    )


@login_required
@require_POST
def photo_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_worker(request)
    photo = (
        ProductPhoto.objects.filter(
            pk=pk, product__in=selectors.products_for_staff(user=request.user).values("pk")
        )
        .select_related("product__group__program__office", "product__group__catalog_profile")
        .first()
    )
    if photo is None:
        raise Http404
    services.photo_delete(photo=photo, by=request.user)
    messages.success(request, _("The photo was removed."))
    return redirect("catalog:product_photos", pk=photo.product_id)


@login_required
@require_POST
def product_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    product = _product_or_404(request, pk)
    if not rules.may_approve(request.user, product.group):
        raise PermissionDenied
    try:
        services.product_approve(
            product=product, expected_version=int(request.POST.get("version") or 0), by=request.user
        )
    except (ConflictError, ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(name)s is published.") % {"name": product.name})
    return redirect(_safe_next(request) or reverse("catalog:approvals"))


@login_required
@require_POST
def product_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    product = _product_or_404(request, pk)
    if not rules.may_approve(request.user, product.group):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.product_return(
                product=product,
                note=form.cleaned_data["note"],
                expected_version=_version(form),
                by=request.user,
            )
        except (ConflictError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("%(name)s was sent back to its editors.") % {"name": product.name})
    else:
        messages.error(request, _("Say what should change before sending the product back."))
    return redirect(_safe_next(request) or reverse("catalog:approvals"))


@login_required
@require_POST
def product_feature(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    product = _product_or_404(request, pk)
    if not rules.may_approve(request.user, product.group):
        raise PermissionDenied
    try:
        services.product_feature(
            product=product,
            featured=request.POST.get("featured") == "1",
            expected_version=int(request.POST.get("version") or 0),
            by=request.user,
        )
    except (ConflictError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("catalog:group_manage", pk=product.group_id)


def _safe_next(request: AuthenticatedHttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else ""


# Print ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def group_poster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An A4 poster with a QR code to the group's public page, for market stalls and exhibitions."""
    _require_worker(request)
    group = _group_or_404(request, pk)
    profile = getattr(group, "catalog_profile", None)
    if profile is None or group.status not in rules.PUBLIC_GROUP_STATUSES or not profile.consent_publish:
        messages.error(request, _("The group's page is not public yet: record its consent first."))
        return redirect("catalog:group_manage", pk=group.pk)
    url = request.build_absolute_uri(reverse("catalog:group", args=[profile.slug]))
    return documents.group_poster_response(group=group, profile=profile, url=url)


@login_required
@require_GET
def product_poster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_worker(request)
    product = _product_or_404(request, pk)
    try:
        product = selectors.public_product(slug=product.slug)
    except Product.DoesNotExist:
        messages.error(request, _("Only a published product has a poster."))
        return redirect("catalog:group_manage", pk=product.group_id)
    url = request.build_absolute_uri(reverse("catalog:product", args=[product.slug]))
    return documents.product_poster_response(product=product, url=url)


@login_required
@require_GET
def program_catalogue(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The printable catalogue of one programme's public products."""
    _require_worker(request)
    if not request.user.reads_jurisdiction:
        raise PermissionDenied
    try:
        program = program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc
    return documents.catalogue_response(
        title=program.name,
        office=program.office,
        products=documents.catalogue_products(program=program),
        base_url=request.build_absolute_uri("/"),
        filename=f"katalog-{program.code}",
    )


@login_required
@require_GET
def office_catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The printable catalogue of every public product in the user's jurisdiction (a regency's, a
    province's)."""
    if not request.user.reads_jurisdiction or request.user.office is None:
        raise PermissionDenied
    office = request.user.office
    return documents.catalogue_response(
        title=str(office),
        office=office,
        products=documents.catalogue_products(region=office.region_code),
        base_url=request.build_absolute_uri("/"),
        filename=f"katalog-{office.region_code or 'nasional'}",
    )


# Exhibitions ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def exhibition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.reads_jurisdiction:
        raise PermissionDenied
    page = list_page(
        request, selectors.exhibitions_for_staff(user=request.user), ordering=("-starts_on", "pk")
    )
    return render(
        request, "catalog/exhibition_list.html", {"page": page, "can_manage": request.user.manages_programmes}
    )


def _exhibition_form(request: AuthenticatedHttpRequest, exhibition: Exhibition) -> HttpResponse:
    if not request.user.manages_programmes or request.user.office is None:
        raise PermissionDenied
    groups = (
        Group.objects.filter(rules.staff_scope_q(request.user), status__in=rules.PUBLIC_GROUP_STATUSES)
        .select_related("program")
        .order_by("program__code", "name")
    )
    form = ExhibitionForm(request.POST or None, instance=exhibition, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.exhibition_save(
                exhibition=form.save(commit=False),
                groups=list(form.cleaned_data["groups"]),
                expected_version=_version(form) if exhibition.pk else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("catalog:exhibition_list")
    return render(request, "catalog/exhibition_form.html", {"form": form, "exhibition": exhibition})


@login_required
def exhibition_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _exhibition_form(request, Exhibition())


@login_required
def exhibition_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exhibition = selectors.exhibitions_for_staff(user=request.user).filter(pk=pk).first()
    if exhibition is None:
        raise Http404
    return _exhibition_form(request, exhibition)


def today() -> dt.date:
    return dt.date.today()
