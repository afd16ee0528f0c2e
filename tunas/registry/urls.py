from django.urls import include, path

from . import views

app_name = "registry"

urlpatterns = [
    path("kelompok/", views.group_list, name="group_list"),
    path("peserta/", views.member_list, name="member_list"),
    path("verifikasi/", views.verification_queue, name="verification_queue"),
    # Spreadsheet import (upload → preview → confirm → progress → result) lives in its own module.
    path("", include("tunas.registry.urls_import")),
]
