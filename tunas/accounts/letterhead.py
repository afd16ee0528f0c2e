"""The kop surat of an office's official letters (Indonesian government letter style): the government line,
the office, its address and contacts, its logo, where it signs, and NIPs as printed under a signature.

Every official document (the selection record, handover records, attendance sheets, certificates, the
budget realisation) takes its letterhead from here.
"""

from __future__ import annotations

import base64
import mimetypes
from typing import Any

from tunas.regions.models import Province, Regency

NATIONAL_GOVERNMENT = "KEMENTERIAN KETENAGAKERJAAN REPUBLIK INDONESIA"
_REGENCY_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


def office_place(office: Any) -> str:
    """Where the office signs its documents: the regency or city (without "Kabupaten"/"Kota"), or province."""
    code = office.region_code
    if len(code) == 5:
        name = Regency.objects.filter(code=code).values_list("name", flat=True).first() or ""
        for word in _REGENCY_PREFIXES:
            if name.startswith(word):
                return name[len(word) :]
        return name
    if len(code) == 2:
        return Province.objects.filter(code=code).values_list("name", flat=True).first() or ""
    return "Jakarta"


def office_government(office: Any) -> str:
    """The government line of the letterhead: the office's own, else that of its jurisdiction.

    ``Kabupaten Klungkung`` gives ``PEMERINTAH KABUPATEN KLUNGKUNG``, a province ``PEMERINTAH PROVINSI BALI``,
    the national office the ministry.
    """
    if office.government_name.strip():
        return office.government_name.strip().upper()
    code = office.region_code
    if len(code) == 5:
        regency = Regency.objects.filter(code=code).first()
        if regency is not None:
            name = regency.name
            if not name.startswith(("Kabupaten ", "Kota ")):
                name = f"{'Kota' if regency.kind == Regency.Kind.CITY else 'Kabupaten'} {name}"
            return f"PEMERINTAH {name}".upper()
    if len(code) == 2:
        province = Province.objects.filter(code=code).values_list("name", flat=True).first()
        if province:
            name = province if province.lower().startswith("provinsi ") else f"Provinsi {province}"
            return f"PEMERINTAH {name}".upper()
    return NATIONAL_GOVERNMENT


def nip_display(nip: str) -> str:
    """An 18-digit NIP as it is printed under a signature: ``19680412 199403 1 007``."""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def _logo_data_uri(office: Any) -> str:
    """The office logo inlined in the document (any storage, no URL fetched); "" when none or unreadable."""
    if not office.logo:
        return ""
    try:
        with office.logo.open("rb") as f:
            data = f.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(office.logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def letterhead(office: Any) -> dict:
    """The kop surat: government, office, address and contacts, logo."""
    contacts = []
    if office.phone:
        contacts.append(f"Telepon {office.phone}")
    if office.email:
        contacts.append(f"Pos-el {office.email}")
    if office.website:
        contacts.append(f"Laman {office.website}")
    return {
        "government": office_government(office),
        "office": office.name.upper(),
        "address": office.address,
        "contacts": contacts,
        "logo": _logo_data_uri(office),
    }
