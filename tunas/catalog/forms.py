"""Forms of the catalogue's staff pages."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tunas.accounts.models import User
from tunas.accounts.roles import Role
from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField, VersionedFormMixin
from tunas.registry.forms import CodedErrorsMixin
from tunas.registry.models import Group

from . import photos
from .models import Exhibition, GroupProfile, Product


class _VersionedModelForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ProductForm(_VersionedModelForm):
    price = RupiahField(label=_("price (Rp)"), min_value=1)
    publish = forms.BooleanField(
        label=_("Show in the public catalogue"),
        required=False,
        help_text=_(
            "A new product, or a price changed by more than half, is shown once an officer approves it."
        ),
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "category",
            "price",
            "unit",
            "min_order",
            "availability",
            "description_id",
            "description_en",
            "nib",
            "pirt",
            "halal",
        ]
        widgets = {
            "description_id": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "nib": _("Shown when given. Buyers and bazaar organisers ask for it."),
            "pirt": _("For home-made food. Shown when given."),
            "halal": _("Shown when given."),
        }


class ProfileForm(_VersionedModelForm):
    class Meta:
        model = GroupProfile
        fields = ["consent_publish", "order_phone", "story_id", "story_en"]
        widgets = {
            "story_id": forms.Textarea(attrs={"rows": 5}),
            "story_en": forms.Textarea(attrs={"rows": 5}),
            "order_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }


class ProfileLinksForm(ProfileForm):
    """The profile as an officer edits it: also who besides the office edits the group's products."""

    class Meta(ProfileForm.Meta):
        fields = [*ProfileForm.Meta.fields, "representative", "mentor"]

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(office=office, is_active=True).order_by("first_name", "username")
        for name, role in (("representative", Role.GROUP_REP), ("mentor", Role.MENTOR)):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = users.filter(groups__name=role)
            field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]


class PhotoForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("For people who cannot see the photo, e.g. Three lontar fans on a table."),
    )

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        photos.photo_check(upload, size=upload.size)
        return upload


class ReturnForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.Form):
    note = forms.CharField(
        label=_("What to change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


class ExhibitionForm(_VersionedModelForm):
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups taking part"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Exhibition
        fields = ["name", "starts_on", "ends_on", "place", "description_id", "description_en", "published"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description_id": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["groups"])
        field.queryset = groups if groups is not None else Group.objects.none()
        field.label_from_instance = lambda g: f"{g.name} ({g.program.code})"  # type: ignore[method-assign,assignment]
        if self.instance.pk:
            self.initial["groups"] = list(self.instance.groups.values_list("pk", flat=True))
