"""The verification team of a programme: one row per member, rows added and removed on the page."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from tunas.accounts.models import nip_validator
from tunas.core.forms import BootstrapFormMixin

from .models import TeamPosition
from .numbering import TeamMemberData

TEAM_SIZE_LIMIT = 30


class TeamMemberForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("With titles, as it is signed.")
    )
    nip = forms.CharField(
        label=_("NIP"),
        max_length=30,
        required=False,
        help_text=_("18 digits; leave empty for a member who is not a civil servant."),
    )
    position = forms.ChoiceField(
        label=_("Role in the team"), choices=TeamPosition.choices, initial=TeamPosition.MEMBER
    )

    def __init__(self, *args, show_help: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_help:
            # The help reads the same on every row: the first row carries it.
            for field in self.fields.values():
                field.help_text = ""
                field.widget.attrs.pop("aria-describedby", None)

    def clean_nip(self) -> str:
        # NIPs are often written in blocks (19680412 199403 1 007): the spaces are not part of it.
        nip = "".join(ch for ch in self.cleaned_data.get("nip", "") if ch not in " .-")
        if nip:
            nip_validator(nip)
        return nip

    def clean(self):
        data = super().clean() or {}
        if data.get("nip") and not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the name of the team member with this NIP."))
        return data

    def member(self) -> TeamMemberData | None:
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("name") or "").strip():
            return None
        return TeamMemberData(name=data["name"], nip=data.get("nip", ""), position=data["position"])


class BaseTeamFormSet(BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "show_help": index == 0}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        members = self.members()
        for position, message in (
            (TeamPosition.CHAIR, _("A verification team has one chair; make the others members.")),
            (TeamPosition.SECRETARY, _("A verification team has one secretary; make the others members.")),
        ):
            if sum(1 for m in members if m.position == position) > 1:
                raise ValidationError(message, code="value_invalid")

    def members(self) -> list[TeamMemberData]:
        """The rows kept (named, not marked for removal), in the order shown."""
        return [m for m in (form.member() for form in self.forms) if m is not None]


TeamFormSet = cast(
    type[BaseTeamFormSet],
    formset_factory(
        TeamMemberForm,
        formset=BaseTeamFormSet,
        extra=0,
        can_delete=True,
        max_num=TEAM_SIZE_LIMIT,
        validate_max=True,
    ),
)
