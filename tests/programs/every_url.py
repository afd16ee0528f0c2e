"""The ledger's URLs for tests/test_every_url.py: a line, an entry with its receipt, and Gianyar's own entry
that no Klungkung page may show."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from tunas.programs import ledger
from tunas.programs.models import BudgetLine

PUBLIC: set[str] = set()

FOREIGN_ENTRY = "Belanja rahasia Disnaker Gianyar"
RECEIPT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend(world) -> dict[str, dict]:
    program = world["program"]
    line = BudgetLine.objects.create(program=program, name="Peralatan usaha", planned=50_000_000)
    entry = ledger.spending_record(
        program=program,
        budget_line=line,
        spent_on=dt.date(2026, 11, 20),
        amount=1_250_000,
        description="Pemotong lontar",
        receipt=SimpleUploadedFile("kwitansi.pdf", RECEIPT),
        by=world["officer"],
    )
    gianyar = world["gianyar_program"]
    gianyar_line = BudgetLine.objects.create(program=gianyar, name="Pos rahasia Gianyar", planned=9_000_000)
    gianyar_officer = UserFactory(username="op.gianyar.ledger", office=gianyar.office, roles=["officer"])
    ledger.spending_record(
        program=gianyar,
        budget_line=gianyar_line,
        spent_on=dt.date(2026, 11, 21),
        amount=8_500_000,
        description=FOREIGN_ENTRY,
        by=gianyar_officer,
    )
    world["foreign_texts"] += [FOREIGN_ENTRY, "Pos rahasia Gianyar"]
    code = program.code
    return {
        "programs:spending_add": {"code": code},
        "programs:spending_cancel": {"code": code, "pk": entry.pk},
        "programs:spending_receipt": {"code": code, "pk": entry.pk},
        "programs:budget_revise": {"code": code},
    }
