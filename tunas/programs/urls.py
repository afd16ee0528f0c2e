from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("baru/", views.program_edit, name="create"),
    path("<str:code>/", views.program_detail, name="detail"),
    path("<str:code>/ubah/", views.program_edit, name="edit"),
    path("<str:code>/tahap-berikut/", views.program_advance, name="advance"),
]
