from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class CursorPagination(pagination.CursorPagination):
    """Stable pages over growing tables; `?page_size=` up to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor is opaque but not signed: one that was tampered with must be a 404, not
        a query that fails on a position of the wrong type."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        if "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        try:
            field = self._model._meta.get_field(ordering.lstrip("-"))
            field.run_validators(field.to_python(cursor.position))  # type and range
        except FieldDoesNotExist:  # ordered by an annotation: nothing to check it against
            return cursor
        except (ValidationError, ValueError, TypeError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        return cursor
