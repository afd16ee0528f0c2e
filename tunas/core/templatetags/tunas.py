"""Template filters for money, counts, percentages, dates and masked IDs (core.formatting)."""

from django import template
from django.utils.http import urlencode

from tunas.core import formatting
from tunas.core.nik import mask_nik

register = template.Library()

register.filter("rupiah", formatting.rupiah)
register.filter("angka", formatting.number)
register.filter("persen", formatting.percent)
register.filter("tanggal", formatting.date_long)
register.filter("waktu", formatting.datetime_long)
register.filter("menit", formatting.minutes)
register.filter("telepon", formatting.phone)
register.filter("nik_masked", mask_nik)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed: filters stay in the URL when paging."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.simple_tag(takes_context=True)
def query_hidden(context: template.Context, drop: str = "") -> str:
    """Hidden inputs for the current query string less ``drop`` (comma-separated): a form inside a list keeps
    its filters."""
    from django.utils.html import format_html_join

    request = context["request"]
    dropped = {name.strip() for name in drop.split(",") if name.strip()}
    pairs = [(k, v) for k, values in request.GET.lists() if k not in dropped for v in values]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', pairs)
