"""The catalogue's search takes every typed word in any order, each in the name, a description or the group's
name; on PostgreSQL trigram indexes answer it and a word typed with a slip still finds its product."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tunas.catalog import selectors
from tunas.catalog.models import Product

from .factories import ProductFactory, ProfileFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes and similar words exist on PostgreSQL only"
)


def found(text: str) -> set[str]:
    filters = selectors.PublicFilters(q=selectors.clean_search(text))
    return set(selectors.public_products(filters=filters).values_list("name", flat=True))


@pytest.fixture
def products():
    ProductFactory(
        name="Keranjang Bambu",
        description_id="Anyaman bambu tali.",
        description_en="A woven basket.",
        group=ProfileFactory(group__name="Sari Makmur").group,
    )
    ProductFactory(
        name="Kipas Lontar Ukir",
        description_id="Kipas dari daun lontar.",
        description_en="A carved palm-leaf fan.",
        group=ProfileFactory(group__name="Tunas Harapan").group,
    )


def test_every_word_is_needed_in_any_order_with_any_spacing_and_capitals(products):
    assert found("ukir   KIPAS") == {"Kipas Lontar Ukir"}
    assert found("lontar kipas ukir") == {"Kipas Lontar Ukir"}
    assert found("kipas bambu") == set()


def test_each_word_may_be_in_the_name_a_description_or_the_group_name(products):
    assert found("keranjang makmur") == {"Keranjang Bambu"}  # name and group
    assert found("anyaman sari") == {"Keranjang Bambu"}  # Indonesian description and group
    assert found("woven") == {"Keranjang Bambu"}  # English description
    assert found("harapan carved") == {"Kipas Lontar Ukir"}


def test_like_wildcards_typed_in_the_box_are_plain_characters(products):
    assert found("%") == set()
    assert found("_") == set()
    # As LIKE patterns these would match "Kipas"; nor are they similar enough to it.
    assert found("ki%s") == set()
    assert found("k_pas") == set()


def test_the_other_filters_still_apply_to_what_the_words_find(products):
    Product.objects.filter(name="Keranjang Bambu").update(price=90_000)
    filters = selectors.PublicFilters(q="bambu", price_max=50_000)
    assert not selectors.public_products(filters=filters).exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite matches the words only")
def test_on_sqlite_a_word_with_a_slip_finds_nothing(products):
    assert found("keranjng") == set()


@postgres_only
def test_a_word_typed_with_a_slip_finds_the_product_when_nothing_matches_exactly(products):
    assert found("keranjng") == {"Keranjang Bambu"}


@postgres_only
def test_similar_words_are_not_added_when_the_typed_words_find_something(products):
    ProductFactory(name="Keranjng Rotan", group=ProfileFactory().group)
    assert found("keranjang") == {"Keranjang Bambu"}


@postgres_only
def test_the_search_can_be_answered_by_the_trigram_indexes(products):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'catalog_product'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"product_name_trgm", "product_description_id_trgm", "product_description_en_trgm"} <= names
    qs = Product.objects.alias(**selectors.SEARCH_KEYS).filter(selectors.search_q("keranjang")).order_by()
    with connection.cursor() as cursor:
        # A tiny table is read whole; with that and whole-index walks off, only a bitmap of the trigram
        # indexes is left, if the search's expressions are the indexed ones.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("product_name_trgm", "product_description_id_trgm", "product_description_en_trgm"):
        assert index in plan


def test_a_search_costs_a_fixed_number_of_queries_whatever_it_finds(products):
    for i in range(5):
        ProductFactory(name=f"Keranjang Pandan {i}")
    counts = []
    for text in ("keranjang", "tidakada"):
        with CaptureQueriesContext(connection) as queries:
            list(selectors.public_products(filters=selectors.PublicFilters(q=text)))
        counts.append(len(queries))
    # The list and its photos; on PostgreSQL also whether anything matched, and the similar-word try.
    assert max(counts) <= (4 if connection.vendor == "postgresql" else 2)
