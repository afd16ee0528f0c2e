"""The village picker: type part of a name, choose from the villages of the user's jurisdiction."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Village

# What a typed Kemendagri village code looks like: 5105031008, 51.05.03.1008 or 51 05 03 1008.
CODE_TYPED = re.compile(r"^\d{2}[.\s]?\d{2}[.\s]?\d{2}[.\s]?\d{4}$")


def _typed_code(text: str) -> str | None:
    from .selectors import normalize_region_code

    text = text.strip()
    return normalize_region_code(text) if CODE_TYPED.match(text) else None


class VillagePickerWidget(forms.Widget):
    """A search box and a hidden code. Without a village picked, the typed text is the value.

    The field then knows what was typed (a code, an exact name, or a name to pick from the list) and the
    page keeps the text in the box when the form comes back with an error.
    """

    template_name = "regions/widgets/village_picker.html"

    def value_from_datadict(self, data, files, name):
        code = (data.get(name) or "").strip()
        if code:
            return code
        return " ".join((data.get(f"{name}__search") or "").split())

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}__search" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        village = None
        typed = ""
        if isinstance(value, Village):
            village = value
        elif value:
            text = str(value)
            if code := _typed_code(text):
                village = Village.objects.select_related("district").filter(code=code).first()
            if village is None:
                typed = text
        context["village"] = village
        context["typed"] = typed
        # Attribute names with dashes cannot be read in a template: the form's marks are passed on here.
        built = context["widget"]["attrs"]
        default_help = f"{built['id']}-help" if built.get("id") else ""
        context["described_by"] = built.get("aria-describedby") or default_help
        context["invalid"] = built.get("aria-invalid") == "true"
        return context


class VillageField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("The village is unknown. Use its Kemendagri code or its exact name."),
        "not_picked": _(
            "No village is picked for “%(text)s”. Pick a village from the list that opens as you type, or "
            "type its Kemendagri code."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Village (desa/kelurahan)"))
        kwargs.setdefault("help_text", _("Type part of the village name, then choose it from the list."))
        super().__init__(
            queryset=Village.objects.all(), to_field_name="code", widget=VillagePickerWidget, **kwargs
        )

    def limit_to(self, prefix: str) -> None:
        from .selectors import within_q

        self.queryset = Village.objects.filter(within_q(prefix))

    def to_python(self, value: Any) -> Village | None:
        """A picked code, a typed code, or a typed name that only one village of the list bears."""
        if value in self.empty_values or isinstance(value, Village):
            return super().to_python(value)
        text = str(value).strip()
        if code := _typed_code(text):
            return super().to_python(code)
        villages = cast("QuerySet[Village]", self.queryset)
        same_name = list(villages.filter(name__iexact=text)[:2])
        if len(same_name) == 1:
            return same_name[0]
        # The stable code of DESIGN.md: the text names no village the form can take.
        raise ValidationError(
            self.error_messages["not_picked"], code="village_unknown", params={"text": text}
        )
