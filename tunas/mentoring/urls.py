from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("pendampingan/", views.overview, name="overview"),
    path("pendampingan/sw.js", views.service_worker, name="service_worker"),
    path("pendampingan/manifest.webmanifest", views.manifest, name="manifest"),
    path("pendampingan/kelompok/<int:pk>/", views.group_page, name="group"),
    path("pendampingan/kelompok/<int:pk>/kunjungan/baru/", views.visit_form, name="visit_form"),
    path("pendampingan/kelompok/<int:pk>/laporan/baru/", views.report_form, name="report_form"),
    path("pendampingan/kunjungan/<uuid:pk>/", views.visit_detail, name="visit_detail"),
    path("pendampingan/laporan/<uuid:pk>/", views.report_detail, name="report_detail"),
    path("pendampingan/tindak-lanjut/<int:pk>/selesai/", views.follow_up_done, name="follow_up_done"),
    path("pendampingan/foto/<int:pk>/", views.photo_file, name="photo_file"),
    path("pendampingan/program/<str:code>/penugasan/", views.assignments, name="assignments"),
    path("pendampingan/penugasan/<int:pk>/akhiri/", views.assignment_end, name="assignment_end"),
    path("pendampingan/program/<str:code>/pengaturan/", views.settings_page, name="settings"),
    path("pendampingan/api/sesi/", views.api_session, name="api_session"),
    path("pendampingan/api/kunjungan/<uuid:pk>/", views.api_visit, name="api_visit"),
    path("pendampingan/api/laporan/<uuid:pk>/", views.api_report, name="api_report"),
]
