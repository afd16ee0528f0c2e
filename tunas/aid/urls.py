from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("bantuan/program/<str:code>/pembelian/baru/", views.purchase_create, name="purchase_create"),
    path("bantuan/program/<str:code>/transfer/baru/", views.transfer_create, name="transfer_create"),
    path("bantuan/pembelian/<int:pk>/", views.purchase_detail, name="purchase_detail"),
    path("bantuan/alokasi/<int:pk>/hapus/", views.allocation_delete, name="allocation_delete"),
    path("bantuan/kelompok/<int:pk>/", views.group_aid, name="group_aid"),
    path("bantuan/kelompok/<int:pk>/serah-terima/baru/", views.handover_create, name="handover_create"),
    path("bantuan/serah-terima/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("bantuan/serah-terima/<int:pk>/ubah/", views.handover_edit, name="handover_edit"),
    path("bantuan/serah-terima/<int:pk>/bast.pdf", views.handover_pdf, name="handover_pdf"),
    path("bantuan/serah-terima/<int:pk>/foto/", views.handover_photo_add, name="handover_photo_add"),
    path("bantuan/serah-terima/<int:pk>/tanda-tangan/", views.handover_sign, name="handover_sign"),
    path("bantuan/serah-terima/<int:pk>/pindaian/", views.handover_scan, name="handover_scan"),
    path("bantuan/serah-terima/belum-ditandatangani/", views.handovers_unsigned, name="handovers_unsigned"),
    path("bantuan/foto/<int:pk>/", views.photo_file, name="photo_file"),
    path("bantuan/foto/<int:pk>/hapus/", views.photo_delete, name="photo_delete"),
    path("bantuan/aset/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("bantuan/cek-aset/<int:pk>/foto/", views.check_photo, name="check_photo"),
    path("bantuan/transfer/<int:pk>/bukti/", views.transfer_proof, name="transfer_proof"),
    path("bantuan/lpj/<int:pk>/", views.report_detail, name="report_detail"),
    path("bantuan/lpj/<int:pk>/pembelian/", views.report_purchase_add, name="report_purchase_add"),
    path("bantuan/lpj/<int:pk>/kirim/", views.report_submit, name="report_submit"),
    path("bantuan/lpj/<int:pk>/lpj.pdf", views.report_pdf, name="report_pdf"),
    path("bantuan/lpj/<int:pk>/bukti-pengembalian/", views.report_return_proof, name="report_return_proof"),
    path(
        "bantuan/lpj-pembelian/<int:pk>/<str:kind>/", views.report_purchase_file, name="report_purchase_file"
    ),
    path("bantuan/lpj-terlambat/", views.reports_overdue, name="reports_overdue"),
    path("bantuan/pengaturan/", views.aid_settings, name="settings"),
]
