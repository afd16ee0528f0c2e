"""Demo aid records for the 2018 programme, made through the aid app's services.

At the opening on 4 September 2018 each of the four groups received production equipment suited to its
trade, bought on the programme's aid budget line: Rp25,000,000 a group, the line's Rp100,000,000 realised to
the rupiah. Each handover has its record (numbered from the office's pattern) and its signed scan, so the
groups are equipped and the programme may move on to mentoring.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from tunas.aid import selectors, services
from tunas.aid.models import Allocation, Handover, Purchase
from tunas.programs.models import Program
from tunas.registry.models import Group

HANDOVER_DAY = dt.date(2018, 9, 4)
# Who signed for the office as the first party (fictional, as every demo person); the head of office
# acknowledges ("Mengetahui") below.
OFFICIAL = {
    "official_name": "I Ketut Suardana, S.T.",
    "official_nip": "197503152000031004",
    "official_position": "Kepala Bidang Penempatan dan Perluasan Kesempatan Kerja",
}
AID_LINE = "Bantuan alat bantu produksi (4 kelompok)"

# (item, specification, unit, quantity, unit price, supplier, bought on, serial prefix or "")
GOODS: dict[str, list[tuple[str, str, str, int, int, str, dt.date, str]]] = {
    "Kerajinan Lontar Besang": [
        ("Pisau pengutik lontar", "Set 5 mata pisau baja, gagang kayu", "set", 20, 350_000,
         "CV Karya Lontar Bali", dt.date(2018, 8, 27), ""),
        ("Alat pres daun lontar", "Penjepit kayu jati 60 cm dengan baut", "unit", 4, 1_250_000,
         "CV Karya Lontar Bali", dt.date(2018, 8, 27), ""),
        ("Mesin pemotong daun lontar", "Mesin potong listrik 250 W, lebar 40 cm", "unit", 2, 3_500_000,
         "UD Teknik Jaya Semarapura", dt.date(2018, 8, 28), "MPL-18"),
        ("Meja kerja ukir", "Kayu mahoni 120 × 60 cm", "unit", 6, 1_000_000,
         "UD Mebel Gelgel", dt.date(2018, 8, 28), ""),
    ],
    "Jajan Bali Sengguan": [
        ("Dandang kukusan", "Stainless steel, diameter 60 cm, 3 susun", "unit", 6, 1_500_000,
         "UD Sumber Dapur Semarapura", dt.date(2018, 8, 27), ""),
        ("Cetakan jajan Bali", "Set cetakan kuningan (klepon, jaja uli, kue mangkok)", "set", 20, 250_000,
         "UD Sumber Dapur Semarapura", dt.date(2018, 8, 27), ""),
        ("Kompor gas dua tungku", "Kompor besi cor tekanan rendah", "unit", 4, 1_250_000,
         "Toko Elektronik Sinar Klungkung", dt.date(2018, 8, 29), "KGS-18"),
        ("Mixer adonan", "Planetary mixer 10 liter, 500 W", "unit", 2, 3_000_000,
         "Toko Elektronik Sinar Klungkung", dt.date(2018, 8, 29), "MXA-18"),
    ],
    "Keripik Ceker Pasekan": [
        ("Mesin penggoreng", "Deep fryer gas 20 liter, stainless", "unit", 2, 6_500_000,
         "CV Mesin Pangan Denpasar", dt.date(2018, 8, 28), "DFG-18"),
        ("Mesin peniris minyak", "Spinner 5 kg, 0,5 HP", "unit", 1, 5_000_000,
         "CV Mesin Pangan Denpasar", dt.date(2018, 8, 28), "SPN-18"),
        ("Mesin perajang", "Slicer listrik, ketebalan dapat diatur", "unit", 1, 4_500_000,
         "CV Mesin Pangan Denpasar", dt.date(2018, 8, 28), "SLC-18"),
        ("Sealer kemasan", "Continuous band sealer", "unit", 2, 1_250_000,
         "CV Mesin Pangan Denpasar", dt.date(2018, 8, 28), "SLR-18"),
    ],
    "Ngilur Bhuwana Sente": [
        ("Alat pemintal tali ijuk", "Pemintal engkol besi, tiga pilinan", "unit", 4, 4_000_000,
         "UD Teknik Jaya Semarapura", dt.date(2018, 8, 29), "PTI-18"),
        ("Sisir serat ijuk", "Sisir besi 40 gigi", "buah", 10, 300_000,
         "UD Teknik Jaya Semarapura", dt.date(2018, 8, 29), ""),
        ("Timbangan duduk", "Kapasitas 150 kg", "unit", 2, 1_500_000,
         "Toko Besi Dawan", dt.date(2018, 8, 30), ""),
        ("Gerobak dorong", "Roda karet, bak baja", "unit", 2, 1_500_000,
         "Toko Besi Dawan", dt.date(2018, 8, 30), ""),
    ],
}  # fmt: skip


def load_aid(program: Program, result: dict) -> None:
    """Records the 2018 programme's aid work (idempotent)."""
    if program.code != "KLK-TKM-2018":
        return
    officer = result["users"]["operator"]
    line = program.budget_lines.filter(name=AID_LINE).first()
    if line is None:
        return
    for group_name, goods in GOODS.items():
        group = Group.objects.filter(program=program, name=group_name).first()
        if group is not None:
            _equip(program, group, line, goods, officer)


@transaction.atomic
def _equip(program: Program, group: Group, line, goods, officer) -> None:
    items = []
    for name, spec, unit, quantity, price, supplier, bought_on, serial_prefix in goods:
        purchase = Purchase.objects.filter(program=program, name=name).first()
        if purchase is None:
            purchase = services.purchase_record(
                program=program,
                budget_line=line,
                name=name,
                specification=spec,
                unit=unit,
                quantity=quantity,
                unit_price=price,
                supplier=supplier,
                purchased_on=bought_on,
                by=officer,
            )
        allocation = Allocation.objects.filter(purchase=purchase, group=group).first()
        if allocation is None:
            allocation = services.allocation_save(
                purchase=purchase, group=group, quantity=quantity, by=officer
            )
        serials = [f"{serial_prefix}-{i:03d}" for i in range(1, quantity + 1)] if serial_prefix else []
        items.append(services.ItemData(allocation, quantity, serials))
    handover = Handover.objects.filter(group=group).first()
    if handover is None:
        members = selectors.approved_members(group=group)
        handover = services.handover_save(
            group=group,
            handed_on=HANDOVER_DAY,
            place=f"Balai {group.hamlet or group.village.name}, {group.village.name}",
            official_name=OFFICIAL["official_name"],
            official_nip=OFFICIAL["official_nip"],
            official_position=OFFICIAL["official_position"],
            receiver=members[0],
            witnesses=members[1:3],
            items=items,
            by=officer,
        )
    if not handover.is_signed:
        services.handover_sign(
            handover=handover, scan=_signed_scan(handover), expected_version=handover.version, by=officer
        )


def _signed_scan(handover: Handover) -> SimpleUploadedFile:
    """A stand-in for the paper record as scanned after signing: a page with its number and signatures."""
    page = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(page)
    lines = [
        "BERITA ACARA SERAH TERIMA",
        f"Nomor: {handover.number}",
        "",
        f"Kelompok {handover.group.name}",
        f"{handover.handed_on:%d-%m-%Y}",
        "",
        "PIHAK KEDUA                 PIHAK PERTAMA",
        "   (ttd)                       (ttd)",
        f"{handover.parties['receiver']['name']}",
        f"{handover.parties['official']['name']}",
    ]
    for i, text in enumerate(lines):
        draw.text((60, 80 + i * 28), text, fill=0)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return SimpleUploadedFile("bast-ttd.png", out.getvalue(), content_type="image/png")
