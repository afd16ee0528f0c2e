"""Background work of the catalogue: making the sizes of an uploaded product photo."""

from __future__ import annotations

from django_tasks import task

from .models import ProductPhoto


@task()
def photo_prepare_task(photo_id: int) -> str:
    from .services import photo_prepare

    photo = ProductPhoto.objects.filter(pk=photo_id).first()
    if photo is None:  # removed before the worker reached it
        return "gone"
    return photo_prepare(photo=photo).status
