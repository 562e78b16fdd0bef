from django.contrib import admin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["kind", "consortium", "event", "due_on", "status", "fts_notice_id"]
    list_filter = ["kind", "status"]
    list_select_related = ["consortium"]
    # Published notices are records of what was sent: changed through the service only.
    readonly_fields = ["fields", "fts_notice_id", "drafted_at", "published_at", "reminded_on"]
