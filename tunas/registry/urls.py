from django.urls import include, path

from . import views, views_audit

app_name = "registry"

urlpatterns = [
    path("kelompok/", views.group_list, name="group_list"),
    path("kelompok/ekspor/", views.group_export, name="group_export"),
    path("kelompok/baru/<str:code>/", views.group_edit, name="group_create"),
    path("kelompok/<int:pk>/", views.group_detail, name="group_detail"),
    path("kelompok/<int:pk>/ubah/", views.group_edit, name="group_edit"),
    path("kelompok/<int:pk>/anggota-baru/", views.member_add, name="member_add"),
    path("kelompok/<int:pk>/verifikasi/", views.group_verify, name="group_verify"),
    path("peserta/", views.member_list, name="member_list"),
    path("peserta/ekspor/", views.member_export, name="member_export"),
    path("peserta/<int:pk>/", views.member_detail, name="member_detail"),
    path("peserta/<int:pk>/ubah/", views.member_edit, name="member_edit"),
    path("peserta/<int:pk>/keluarkan/", views.member_remove, name="member_remove"),
    path("peserta/<int:pk>/verifikasi/", views.member_verify, name="member_verify"),
    path(
        "peserta/<int:pk>/peringatan-selesai/", views.member_warnings_resolve, name="member_warnings_resolve"
    ),
    path("peserta/<int:pk>/riwayat/", views_audit.member_trail, name="member_trail"),
    path("kelompok/<int:pk>/riwayat/", views_audit.group_trail, name="group_trail"),
    path("jejak-audit/", views_audit.office_trail, name="office_trail"),
    path("jejak-audit/ekspor/", views_audit.office_trail_export, name="office_trail_export"),
    path("verifikasi/", views.verification_queue, name="verification_queue"),
    path(
        "verifikasi/setujui-tanpa-masalah/",
        views.queue_approve_without_problems,
        name="queue_approve_without_problems",
    ),
    path("seleksi/<str:code>/berita-acara.pdf", views.selection_record_pdf, name="selection_record_pdf"),
    path("dusun-desa/", views.hamlet_options, name="hamlet_options"),
    # Spreadsheet import (upload → preview → confirm → progress → result) lives in its own module.
    path("", include("tunas.registry.urls_import")),
]
