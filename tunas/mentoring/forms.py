"""Forms of the office's mentoring pages (the phones' visit and report forms are sent as JSON)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tunas.core.forms import BootstrapFormMixin, DateInput
from tunas.registry.models import Group
from tunas.registry.selectors import SELECTED_STATUSES

from . import selectors


class AssignmentForm(BootstrapFormMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Group.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DateInput())

    def __init__(self, *args, program, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        group_field: Any = self.fields["group"]
        group_field.queryset = Group.objects.filter(program=program, status__in=SELECTED_STATUSES).order_by(
            "name"
        )
        mentor_field: Any = self.fields["mentor"]
        mentor_field.queryset = selectors.mentors_of_office(program=program)
        mentor_field.label_from_instance = lambda u: u.get_full_name() or u.username

    def add_server_errors(self, exc: ValidationError) -> None:
        for field, errors in exc.error_dict.items():
            for error in errors:
                self.add_error(field if field in self.fields else None, error)


class SettingsForm(BootstrapFormMixin, forms.Form):
    max_groups = forms.IntegerField(
        label=_("Groups per mentor"), min_value=1, max_value=20, help_text=_("Usually 2.")
    )
    max_people = forms.IntegerField(
        label=_("People per mentor"), min_value=1, max_value=400, help_text=_("Usually 40.")
    )
    email_reminders = forms.BooleanField(
        label=_("Remind mentors by e-mail"),
        required=False,
        help_text=_(
            "Once a month: the reports due and the follow-ups overdue, to mentors with an e-mail address."
        ),
    )
