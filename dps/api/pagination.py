from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over growing tables; `?page_size=` up to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
