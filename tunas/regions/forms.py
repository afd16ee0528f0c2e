"""The village picker: type part of a name, choose from the villages of the user's jurisdiction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Village


class VillagePickerWidget(forms.Widget):
    template_name = "regions/widgets/village_picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        village = None
        if value:
            village = Village.objects.select_related("district").filter(code=str(value)).first()
        context["village"] = village
        return context


class VillageField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("The village is unknown. Use its Kemendagri code or its exact name."),
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
