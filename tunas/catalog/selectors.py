"""Reads of the catalogue: the public shop window (no user, only what may be shown) and the staff pages
(scoped to the user). A list never issues a query per row: photos come in one prefetch."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, Lookup, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Lower

from tunas.core.search import search_words, supports_fuzzy, words_q
from tunas.registry.models import Group, Membership

from . import rules
from .models import (
    Category,
    Exhibition,
    GroupProfile,
    PhotoStatus,
    Product,
    ProductClick,
    ProductPhoto,
    ProductStatus,
)

SEARCH_MAX = 100
SORTS = {
    "new": ("-published_at", "pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "pk"),
}


def public_group_q(prefix: str = "") -> Q:
    """Groups the public may see: selected, not dissolved, and agreed to be shown."""
    return Q(**{f"{prefix}status__in": rules.PUBLIC_GROUP_STATUSES}) & Q(
        **{f"{prefix}catalog_profile__consent_publish": True}
    )


def public_q() -> Q:
    """Products the public may see: published by an officer, of a group the public may see."""
    return Q(status=ProductStatus.PUBLISHED) & public_group_q("group__")


def _ready_photos(to_attr: str = "ready_photos") -> Prefetch:
    return Prefetch(
        "photos",
        queryset=ProductPhoto.objects.filter(status=PhotoStatus.READY).order_by("position", "pk"),
        to_attr=to_attr,
    )


def clean_search(text: str | None) -> str:
    """What a search box sent, as text a query can hold: no control characters (a NUL breaks PostgreSQL),
    single spaces, at most SEARCH_MAX characters. Any alphabet stays."""
    text = unicodedata.normalize("NFC", str(text or ""))
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(kept.split())[:SEARCH_MAX]


# The product's own texts, lower-cased as they are searched; on PostgreSQL each has a trigram index
# (migration 0002) that serves the containment and the similar-word fallback alike.
SEARCH_KEYS = {
    "search_name": Lower("name"),
    "search_description_id": Lower("description_id"),
    "search_description_en": Lower("description_en"),
}


class _InArray(Lookup):
    """``column = ANY(ARRAY(subquery))``: the subquery runs once, and the condition stays one on the
    product's own column, which the planner can OR with the trigram indexes (an IN, or a join, cannot)."""

    lookup_name = "in_array"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _group_named(word: str) -> Q:
    """Products of a group whose name holds the word (the registry's trigram index on group names)."""
    groups = Group.objects.filter(words_q("name", word, lowered=False)).order_by().values("pk")
    if connection.vendor == "postgresql":
        return Q(_InArray(F("group_id"), ArraySubquery(groups)))
    return Q(group__in=groups)


def search_q(text: str, *, fuzzy: bool = False) -> Q:
    """Products (with ``SEARCH_KEYS`` aliased) holding every word typed, in any order, each in the name, a
    description or the group's name; ``fuzzy`` (PostgreSQL) also takes words similar to the typed ones."""
    condition = Q()
    for word in search_words(text):
        one = _group_named(word)
        for key in SEARCH_KEYS:
            one = words_q(key, word, fuzzy=fuzzy) | one
        condition &= one
    return condition


def search(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    """The products of ``qs`` matching the search; when none does, those with similar words (PostgreSQL),
    as the registry's name search falls back to them."""
    qs = qs.alias(**SEARCH_KEYS)
    found = qs.filter(search_q(text))
    if supports_fuzzy() and not found.exists():
        found = qs.filter(search_q(text, fuzzy=True))
    return found


@dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    category: str = ""
    district: str = ""
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "new"
    group: int | None = None

    @property
    def ordering(self) -> tuple[str, ...]:
        return SORTS.get(self.sort, SORTS["new"])


def _int_or_none(value: object) -> int | None:
    try:
        number = int(str(value).replace(".", "").strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 10**12 else None


def public_filters(data) -> PublicFilters:
    """The filters of a public list from the query string; what cannot be understood is left out."""
    category = data.get("category", "")
    district = str(data.get("district", ""))[:8]
    sort = data.get("sort", "new")
    return PublicFilters(
        q=clean_search(data.get("q")),
        category=category if category in Category.values else "",
        district=district if len(district) == 8 and district.replace(".", "").isdigit() else "",
        price_min=_int_or_none(data.get("price_min")) if data.get("price_min") else None,
        price_max=_int_or_none(data.get("price_max")) if data.get("price_max") else None,
        sort=sort if sort in SORTS else "new",
    )


def public_products(*, filters: PublicFilters | None = None) -> QuerySet[Product]:
    """Public products matching the filters, with their group, village, district and ready photos."""
    filters = filters or PublicFilters()
    qs = Product.objects.filter(public_q()).select_related(
        "group__village__district", "group__hamlet", "group__catalog_profile"
    )
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.district:
        qs = qs.filter(group__village__district_id=filters.district)
    if filters.price_min is not None:
        qs = qs.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        qs = qs.filter(price__lte=filters.price_max)
    if filters.group is not None:
        qs = qs.filter(group_id=filters.group)
    if filters.q:  # last: whether anything matches is asked of the other filters' result
        qs = search(qs, filters.q)
    return qs.prefetch_related(_ready_photos())


def public_product(*, slug: str) -> Product:
    """One public product by its slug, or Product.DoesNotExist (unpublished, hidden group, dissolved)."""
    return (
        Product.objects.filter(public_q())
        .select_related(
            "group__village__district__regency",
            "group__hamlet",
            "group__catalog_profile",
            "group__program__office",
        )
        .prefetch_related(_ready_photos())
        .get(slug=slug)
    )


def public_group(*, slug: str) -> GroupProfile:
    """One public group page by its slug, or GroupProfile.DoesNotExist."""
    return (
        GroupProfile.objects.filter(public_group_q("group__"))
        .select_related("group__village__district__regency", "group__hamlet", "group__program__office")
        .get(slug=slug)
    )


def public_members(*, group: Group) -> list[str]:
    """Names of the members who agreed to appear publicly, chair first; nothing else of them."""
    from tunas.registry.selectors import ROLE_ORDER

    return list(
        Membership.objects.filter(group=group, consent_public=True, holds_place=True, verification="approved")
        .order_by(ROLE_ORDER, "person__full_name")
        .values_list("person__full_name", flat=True)
    )


def public_categories() -> list[dict]:
    """Categories with public products and how many: one query."""
    rows = Product.objects.filter(public_q()).values("category").annotate(n=Count("pk")).order_by("category")
    labels = dict(Category.choices)
    return [
        {"key": r["category"], "label": labels.get(r["category"], r["category"]), "n": r["n"]} for r in rows
    ]


def public_districts() -> list[dict]:
    """Districts with public products and how many: one query."""
    rows = (
        Product.objects.filter(public_q())
        .values("group__village__district_id", "group__village__district__name")
        .annotate(n=Count("pk"))
        .order_by("group__village__district__name")
    )
    return [
        {"code": r["group__village__district_id"], "name": r["group__village__district__name"], "n": r["n"]}
        for r in rows
    ]


def featured_products(*, limit: int = 8) -> list[Product]:
    """Products an officer featured, newest first, filled up with the newest others."""
    qs = public_products().order_by("-featured", "-published_at", "pk")
    return list(qs[:limit])


def public_exhibitions(*, today: dt.date | None = None, upcoming_only: bool = False) -> QuerySet[Exhibition]:
    """Exhibitions shown publicly, with the public groups taking part (one prefetch)."""
    qs = Exhibition.objects.filter(published=True).select_related("office")
    if upcoming_only:
        qs = qs.filter(ends_on__gte=today or dt.date.today())
    public_groups = Group.objects.filter(public_group_q()).select_related("catalog_profile", "village")
    return qs.prefetch_related(Prefetch("groups", queryset=public_groups)).order_by("-starts_on", "name")


def sitemap_products() -> QuerySet[Product]:
    return Product.objects.filter(public_q()).only("slug", "updated_at").order_by("pk")


def sitemap_groups() -> QuerySet[GroupProfile]:
    """Public group pages with the time their page last changed (profile or latest public product)."""
    return (
        GroupProfile.objects.filter(public_group_q("group__"))
        .annotate(
            product_changed=Max("group__products__updated_at", filter=Q(group__products__status="published"))
        )
        .select_related("group")
        .only("slug", "updated_at", "group__updated_at")
        .order_by("pk")
    )


# Staff ----------------------------------------------------------------------------------------------------


def groups_for_staff(*, user, program=None) -> QuerySet[Group]:
    """Groups the user works on in the catalogue, with product counts: one query."""
    qs = Group.objects.filter(rules.staff_scope_q(user)).select_related(
        "program__office", "village__district", "catalog_profile"
    )
    if program is not None:
        qs = qs.filter(program=program)
    return qs.annotate(
        cat_products=Count("products", distinct=True),
        cat_published=Count("products", filter=Q(products__status=ProductStatus.PUBLISHED), distinct=True),
        cat_pending=Count("products", filter=Q(products__status=ProductStatus.PENDING), distinct=True),
    ).order_by("program__code", "name")


def group_for_staff(*, user, pk: int) -> Group:
    """One group the user works on, or Group.DoesNotExist."""
    return (
        Group.objects.filter(rules.staff_scope_q(user))
        .select_related("program__office", "village__district__regency", "hamlet", "catalog_profile")
        .get(pk=pk)
    )


def products_for_staff(*, user, status: str = "", group=None, program=None) -> QuerySet[Product]:
    """Products the user works on, with group and ready photos."""
    qs = Product.objects.filter(rules.staff_scope_q(user, "group__")).select_related(
        "group__program__office", "group__village", "group__catalog_profile"
    )
    if status in ProductStatus.values:
        qs = qs.filter(status=status)
    if group is not None:
        qs = qs.filter(group=group)
    if program is not None:
        qs = qs.filter(group__program=program)
    return qs.prefetch_related(_ready_photos())


def product_for_staff(*, user, pk: int) -> Product:
    """One product the user works on, or Product.DoesNotExist."""
    return (
        Product.objects.filter(rules.staff_scope_q(user, "group__"))
        .select_related("group__program__office", "group__village__district", "group__catalog_profile")
        .get(pk=pk)
    )


def awaiting_approval_count(*, user) -> int:
    """Products waiting for the user's approval: in the jurisdiction the officer manages."""
    if not user.manages_programmes:
        return 0
    return Product.objects.filter(rules.staff_scope_q(user, "group__"), status=ProductStatus.PENDING).count()


def clicks_by_month(*, products: list[Product], months: int = 6, today: dt.date | None = None) -> dict:
    """Clicks on "Order via WhatsApp" per product and month for the last ``months`` months: one query.

    Returns ``{"months": [date, ...], "rows": {product_pk: [count per month]}, "totals": {pk: total}}``.
    """
    today = today or dt.date.today()
    first = today.replace(day=1)
    month_list = []
    for _i in range(months):
        month_list.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    month_list.reverse()
    counts: dict[tuple[int, dt.date], int] = {}
    for row in ProductClick.objects.filter(
        product__in=[p.pk for p in products], month__gte=month_list[0]
    ).values("product_id", "month", "count"):
        counts[(row["product_id"], row["month"])] = row["count"]
    rows = {p.pk: [counts.get((p.pk, m), 0) for m in month_list] for p in products}
    return {"months": month_list, "rows": rows, "totals": {pk: sum(v) for pk, v in rows.items()}}


def clicks_total(*, product_ids) -> dict[int, int]:
    return dict(
        ProductClick.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(n=Sum("count"))
        .values_list("product_id", "n")
    )


def exhibitions_for_staff(*, user) -> QuerySet[Exhibition]:
    from tunas.core.scoping import office_q

    return Exhibition.objects.filter(office_q(user)).select_related("office").prefetch_related("groups")
