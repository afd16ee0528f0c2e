from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from tunas.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("akun/", include("tunas.accounts.urls")),
    path("wilayah/", include("tunas.regions.urls")),
    path("program/", include("tunas.programs.urls")),
    path("laporan/", include("tunas.reports.urls")),
    path("", include("tunas.registry.urls")),
    path("", include("tunas.training.urls")),
    path("", include("tunas.aid.urls")),
    path("", include("tunas.mentoring.urls")),
    path("", include("tunas.catalog.urls")),
    path("", include("tunas.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
