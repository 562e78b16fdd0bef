from django.contrib import admin

from .models import Dataset, LocalAuthority


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "upper_tier", "postcodes"]
    search_fields = ["code", "name"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "rows", "loaded_at"]
