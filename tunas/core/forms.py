"""Form fields shared by the apps."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

_EN_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")


class RupiahField(forms.IntegerField):
    """Whole Rupiah; accepts what people type: ``Rp 1.250.000``, ``1250000``, ``1 250 000``."""

    default_error_messages = {"invalid": _("Enter an amount in whole Rupiah, for example 1.250.000.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "class": "text-end"})

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = re.sub(r"(?i)^\s*rp\.?\s*", "", value.strip())
            cleaned = re.sub(r"[.\s\u00a0]", "", cleaned)
            if re.fullmatch(r"[0-9]+,0{1,2}", cleaned):
                cleaned = cleaned.split(",")[0]
            elif _EN_GROUPED.fullmatch(cleaned):
                # Typed the English way (1,250,000): commas that group thousands, never decimals.
                cleaned = cleaned.replace(",", "")
            value = cleaned
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionedFormMixin(forms.Form):
    """Carries the row version the user started editing from (core.concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


if TYPE_CHECKING:
    # For the type checker the mixins are forms; at run time they stay plain mixins before forms.Form.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class BootstrapFormMixin(_FormBase):
    """Gives every widget its Bootstrap class, and marks invalid fields for screen readers and eyes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-help")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                # Screen readers read the error beside the field (includes/field.html) with the field.
                error_id = f"id_{self.add_prefix(name)}-error"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()
