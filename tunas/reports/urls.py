from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("unduhan/<int:pk>/", views.export_progress, name="export_progress"),
    path("unduhan/<int:pk>/berkas", views.export_file, name="export_file"),
    path("<slug:code>.<slug:fmt>", views.report_download, name="download"),
]
