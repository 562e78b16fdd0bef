from django.contrib import admin

from .models import Lot, Service


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "position"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "service_type", "ofsted_rating", "vacancies"]
    list_filter = ["service_type", "ofsted_rating"]
    search_fields = ["name", "ofsted_urn"]
    list_select_related = ["provider"]
