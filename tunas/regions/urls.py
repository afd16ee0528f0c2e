from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.region_browser, name="browser"),
    path("cari-desa/", views.village_search, name="village_search"),
    path("anak/", views.children, name="children"),
    path("desa/<str:code>/", views.village_detail, name="village"),
    path("desa/<str:code>/dusun/", views.hamlet_add, name="hamlet_add"),
]
