"""Template helpers of the registry pages: category labels, and NIKs in full only for roles needing them."""

from django import template

from tunas.core.choices import TargetCategory
from tunas.core.nik import mask_nik

register = template.Library()


@register.filter
def category_labels(keys) -> list[str]:
    """``["lansia", "penganggur"]`` -> their labels in the user's language, in the vocabulary's order."""
    chosen = set(keys or [])
    return [str(label) for key, label in TargetCategory.choices if key in chosen]


@register.simple_tag(takes_context=True)
def personal_number(context: template.Context, value: str | None) -> str:
    """A NIK or KK in full for the roles whose work needs it (UU 27/2022), masked for everyone else."""
    if not value:
        return "—"
    user = context.get("user")
    return value if user is not None and getattr(user, "sees_full_nik", False) else mask_nik(value)
