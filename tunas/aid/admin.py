"""The aid app in Django's admin: the office's numbering settings editable, the records read only (every
change to them goes through the services, which keep the ledger and the locks)."""

from __future__ import annotations

from django.contrib import admin

from .models import AidSettings, CashTransfer, Handover, Purchase


@admin.register(AidSettings)
class AidSettingsAdmin(admin.ModelAdmin):
    list_display = ("office", "handover_number_pattern")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "program", "quantity", "unit_price", "purchased_on")
    list_filter = ("program",)


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ("number", "group", "handed_on", "signed_at")
    list_filter = ("program",)


@admin.register(CashTransfer)
class CashTransferAdmin(ReadOnlyAdmin):
    list_display = ("group", "amount", "transferred_on")
    list_filter = ("program",)
