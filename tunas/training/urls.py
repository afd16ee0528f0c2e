from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("pelatihan/program/<str:code>/baru/", views.training_create, name="create"),
    path("pelatihan/program/<str:code>/pengaturan/", views.settings_edit, name="settings"),
    path("pelatihan/<int:pk>/", views.training_detail, name="detail"),
    path("pelatihan/<int:pk>/ubah/", views.training_edit, name="edit"),
    path("pelatihan/<int:pk>/sesi-baru/", views.session_add, name="session_add"),
    path("pelatihan/<int:pk>/daftar-hadir/<str:day>/", views.sheet_pdf, name="sheet_pdf"),
    path("pelatihan/<int:pk>/daftar-hadir/<str:day>/unggah/", views.sheet_upload, name="sheet_upload"),
    path("pelatihan/<int:pk>/daftar-hadir/<str:day>/berkas/", views.sheet_photo, name="sheet_photo"),
    path("pelatihan/<int:pk>/kelulusan/", views.training_complete, name="complete"),
    path("pelatihan/<int:pk>/sertifikat/terbitkan/", views.certificates_issue, name="certificates_issue"),
    path(
        "pelatihan/<int:pk>/sertifikat/terbitkan/<int:member>/",
        views.certificate_issue_one,
        name="certificate_issue",
    ),
    path("pelatihan/<int:pk>/sertifikat.pdf", views.certificates_pdf, name="certificates_pdf"),
    path("pelatihan/<int:pk>/biaya/", views.costs, name="costs"),
    path("pelatihan/sesi/<int:pk>/ubah/", views.session_edit, name="session_edit"),
    path("pelatihan/sesi/<int:pk>/hapus/", views.session_delete, name="session_delete"),
    path("pelatihan/sesi/<int:pk>/kehadiran/", views.attendance_mark, name="attendance"),
    path("pelatihan/sertifikat/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("pelatihan/sertifikat/<int:pk>/cabut/", views.certificate_revoke, name="certificate_revoke"),
    path("instruktur/", views.instructor_list, name="instructor_list"),
    path("instruktur/baru/", views.instructor_edit, name="instructor_create"),
    path("instruktur/<int:pk>/", views.instructor_detail, name="instructor_detail"),
    path("instruktur/<int:pk>/ubah/", views.instructor_edit, name="instructor_edit"),
    path("sesi-saya/", views.my_sessions, name="my_sessions"),
    path("verifikasi/<str:code>/", views.verify, name="verify"),
]
