from django.urls import path

from . import views, views_ledger, views_team

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("baru/", views.program_edit, name="create"),
    path("<str:code>/", views.program_detail, name="detail"),
    path("<str:code>/ubah/", views.program_edit, name="edit"),
    path("<str:code>/tahap-berikut/", views.program_advance, name="advance"),
    path("<str:code>/tim-verifikasi/", views_team.program_team, name="team"),
    path("<str:code>/tahap-sebelumnya/", views.program_step_back, name="step_back"),
    path("<str:code>/anggaran/belanja/", views_ledger.spending_add, name="spending_add"),
    path("<str:code>/anggaran/belanja/<int:pk>/batal/", views_ledger.spending_cancel, name="spending_cancel"),
    path(
        "<str:code>/anggaran/belanja/<int:pk>/kuitansi/",
        views_ledger.spending_receipt,
        name="spending_receipt",
    ),
    path("<str:code>/anggaran/revisi/", views_ledger.budget_revise, name="budget_revise"),
    path("per-tahap/<str:stage>/", views.programs_in_stage, name="in_stage"),
]
