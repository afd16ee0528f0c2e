"""Form fields shared by the apps."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class RupiahField(forms.IntegerField):
    """Whole Rupiah; accepts what people type: ``Rp 1.250.000``, ``1250000``, ``1 250 000``."""

    default_error_messages = {"invalid": _("Enter an amount in whole Rupiah, for example 1.250.000.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "class": "text-end"})

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = re.sub(r"(?i)^\s*rp\.?\s*", "", value)
            cleaned = re.sub(r"[.\s]", "", cleaned)
            if cleaned.endswith(",00"):
                cleaned = cleaned[:-3]
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


class BootstrapFormMixin:
    """Gives every widget its Bootstrap class, and marks invalid fields for screen readers and eyes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
                continue
            css = (
                "form-check-input" if isinstance(widget, forms.CheckboxInput)
                else "form-select" if isinstance(widget, forms.Select)
                else "form-control"
            )
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
