"""Shared form pieces (Rupiah input, error display) and the jurisdiction filter every list uses."""

from __future__ import annotations

import pytest
from django import forms

from tests.factories import OfficeFactory, ProgramFactory, UserFactory
from tunas.accounts.models import Office
from tunas.core.forms import BootstrapFormMixin, RupiahField
from tunas.core.scoping import jurisdiction_q
from tunas.programs.models import Program


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("Rp 1.250.000", 1_250_000),
        ("Rp1.250.000", 1_250_000),
        ("rp. 1.250.000", 1_250_000),
        ("RP 1.250.000,00", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1250000", 1_250_000),
        ("1 250 000", 1_250_000),
        ("1\u00a0250\u00a0000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("  10.000.000  ", 10_000_000),
        ("0", 0),
    ],
)
def test_rupiah_is_accepted_as_people_type_it(typed, amount):
    assert RupiahField().clean(typed) == amount


@pytest.mark.parametrize(
    "typed",
    ["Rp 1.250.000,50", "12,5", "1,25", "satu juta", "Rp", "-5.000", "1.250.000 Rp", "1e6"],
)
def test_anything_but_whole_rupiah_is_refused(typed):
    with pytest.raises(forms.ValidationError):
        RupiahField().clean(typed)


def test_an_optional_rupiah_may_stay_empty():
    assert RupiahField(required=False).clean("") is None


def test_rupiah_is_shown_with_thousand_dots_for_editing():
    assert RupiahField().prepare_value(1_250_000) == "1.250.000"


class _Sample(BootstrapFormMixin, forms.Form):
    name = forms.CharField(help_text="Nama lengkap")
    kind = forms.ChoiceField(choices=[("a", "A")])
    ok = forms.BooleanField(required=False)
    many = forms.MultipleChoiceField(
        choices=[("x", "X")], widget=forms.CheckboxSelectMultiple, required=False
    )


def test_widgets_get_bootstrap_classes():
    form = _Sample()
    assert "form-control" in form.fields["name"].widget.attrs["class"]
    assert "form-select" in form.fields["kind"].widget.attrs["class"]
    assert "form-check-input" in form.fields["ok"].widget.attrs["class"]
    assert "form-check-input" in form.fields["many"].widget.attrs["class"]


def test_an_invalid_field_is_marked_for_eyes_and_screen_readers():
    form = _Sample(data={"kind": "zzz"})
    assert not form.is_valid()
    attrs = form.fields["name"].widget.attrs
    assert "is-invalid" in attrs["class"]
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"].split() == ["id_name-help", "id_name-error"]
    assert "is-invalid" in form.fields["kind"].widget.attrs["class"]
    assert "is-invalid" not in form.fields["ok"].widget.attrs["class"]


def test_the_field_template_puts_the_error_beside_the_field_with_the_id_screen_readers_follow():
    from django.template.loader import render_to_string

    form = _Sample(data={"kind": "a"})
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["name"]})
    assert 'id="id_name-error"' in html
    assert 'id="id_name-help"' in html
    assert 'aria-describedby="id_name-help id_name-error"' in html


@pytest.mark.django_db
def test_jurisdiction_filters_match_whole_code_segments(klungkung):
    # "51.0" is no jurisdiction of "51.05"; a regency sees itself and what lies below it.
    OfficeFactory(name="Bali", level=Office.Level.PROVINCE, region_code="51")
    OfficeFactory(name="Gianyar", region_code="51.04")
    OfficeFactory(name="Dompu", region_code="52.05")
    regency = jurisdiction_q(UserFactory(office=klungkung), "region_code")
    assert set(Office.objects.filter(regency).values_list("region_code", flat=True)) == {"51.05"}
    province = jurisdiction_q(UserFactory(office=Office.objects.get(region_code="51")), "region_code")
    assert set(Office.objects.filter(province).values_list("region_code", flat=True)) == {
        "51",
        "51.04",
        "51.05",
    }


@pytest.mark.django_db
def test_a_national_office_sees_every_programme_and_an_officeless_user_none(klungkung, gianyar):
    ProgramFactory(office=klungkung)
    ProgramFactory(office=gianyar)
    ministry = OfficeFactory(name="Kementerian Ketenagakerjaan", level=Office.Level.NATIONAL, region_code="")
    national = UserFactory(office=ministry)
    officeless = UserFactory(office=None)
    assert Program.objects.filter(jurisdiction_q(national, "office__region_code")).count() == 2
    assert Program.objects.filter(jurisdiction_q(officeless, "office__region_code")).count() == 0
