"""URLs of the spreadsheet import: upload → preview → confirm → progress → result (and run again)."""

from django.urls import path

from . import views_import as views

urlpatterns = [
    path("impor/<str:code>/", views.import_upload, name="import_upload"),
    path("impor/<str:code>/templat.xlsx", views.import_template, name="import_template"),
    path("impor/<str:code>/<int:pk>/pratinjau/", views.import_preview, name="import_preview"),
    path("impor/<str:code>/<int:pk>/konfirmasi/", views.import_confirm, name="import_confirm"),
    path("impor/<str:code>/<int:pk>/progres/", views.import_progress, name="import_progress"),
    path("impor/<str:code>/<int:pk>/hasil/", views.import_result, name="import_result"),
    path("impor/<str:code>/<int:pk>/masalah.xlsx", views.import_problems, name="import_problems"),
    path("impor/<str:code>/<int:pk>/ulangi/", views.import_retry, name="import_retry"),
]
