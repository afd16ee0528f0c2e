"""The catalogue's stable error codes (DESIGN.md): a code once published keeps its meaning."""

from django.utils.translation import gettext_lazy as _

from tunas.core.errors import register_messages

MESSAGES = {
    "photo_too_large": _("The photo is larger than 10 MB. Choose a smaller photo or take it again."),
    "photo_too_many_pixels": _(
        "The image is too large to open safely (more than 40 megapixels). Send a smaller copy of it."
    ),
    "photo_format": _("Only JPEG, PNG and WebP photos can be used. Save the photo in one of these formats."),
    "photo_not_image": _("The file is not a photo that can be read. Choose a JPEG, PNG or WebP photo."),
    "price_positive": _("The price must be more than Rp 0."),
    "phone_not_consented": _(
        "This is the phone of a member who has not agreed to appear publicly. Use a number the group "
        "agreed to publish, or record the member's consent first."
    ),
    "group_not_selected": _(
        "Only a group that passed selection and has not dissolved can be shown in the catalogue."
    ),
    "catalog_editor": _("Only an officer, the group's mentor or the group's chair can edit its products."),
}

register_messages(MESSAGES)
