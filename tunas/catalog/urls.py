from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import views, views_public
from .sitemaps import SITEMAPS

app_name = "catalog"

urlpatterns = [
    # Public, no sign-in ------------------------------------------------------------------------------------
    path("katalog/", views_public.home, name="home"),
    path("katalog/produk/", views_public.product_list, name="products"),
    path("katalog/produk/<slug:slug>/", views_public.product_detail, name="product"),
    path("katalog/kelompok/<slug:slug>/", views_public.group_detail, name="group"),
    path("katalog/pameran/", views_public.exhibitions, name="exhibitions"),
    path("katalog/pesan/<slug:slug>/", views_public.order, name="order"),
    path("katalog/foto/<str:name>", views_public.photo_file, name="photo_file"),
    path("katalog/bahasa/", views_public.language, name="language"),
    # An index of sections, each paged by 5,000 (?p=2): the sitemap protocol's limit is 50,000 a file.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {
            "sitemaps": SITEMAPS,
            "template_name": "catalog/sitemap_index.xml",
            "sitemap_url_name": "catalog:sitemap",
        },
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "catalog/sitemap.xml"},
        name="sitemap",
    ),
    # Staff -------------------------------------------------------------------------------------------------
    path("katalog/kelola/", views.manage, name="manage"),
    path("katalog/kelola/persetujuan/", views.approvals, name="approvals"),
    path("katalog/kelola/kelompok/<int:pk>/", views.group_manage, name="group_manage"),
    path("katalog/kelola/kelompok/<int:pk>/profil/", views.profile_edit, name="profile_edit"),
    path("katalog/kelola/kelompok/<int:pk>/produk-baru/", views.product_create, name="product_create"),
    path("katalog/kelola/kelompok/<int:pk>/poster.pdf", views.group_poster, name="group_poster"),
    path("katalog/kelola/produk/<int:pk>/", views.product_edit, name="product_edit"),
    path("katalog/kelola/produk/<int:pk>/foto/", views.product_photos, name="product_photos"),
    path("katalog/kelola/produk/<int:pk>/setujui/", views.product_approve, name="product_approve"),
    path("katalog/kelola/produk/<int:pk>/kembalikan/", views.product_return, name="product_return"),
    path("katalog/kelola/produk/<int:pk>/unggulan/", views.product_feature, name="product_feature"),
    path("katalog/kelola/produk/<int:pk>/poster.pdf", views.product_poster, name="product_poster"),
    path("katalog/kelola/foto/<int:pk>/hapus/", views.photo_delete, name="photo_delete"),
    path("katalog/kelola/program/<str:code>/katalog.pdf", views.program_catalogue, name="program_catalogue"),
    path("katalog/kelola/katalog.pdf", views.office_catalogue, name="office_catalogue"),
    path("katalog/kelola/pameran/", views.exhibition_list, name="exhibition_list"),
    path("katalog/kelola/pameran/baru/", views.exhibition_create, name="exhibition_create"),
    path("katalog/kelola/pameran/<int:pk>/", views.exhibition_edit, name="exhibition_edit"),
]
