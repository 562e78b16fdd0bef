from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest


class CursorPagination(pagination.CursorPagination):
    """Stable pages over growing tables; `?page_size=` up to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, 1 or more; above 200 gives 200."
    max_page_size = 200

    def get_page_size(self, request):
        """DRF quietly falls back to the default for a page size it cannot read; a caller who
        sent one that is no whole number of at least 1 is told so instead (a 400)."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        try:
            return pagination._positive_int(values[-1], strict=True, cutoff=self.max_page_size)
        except ValueError as exc:
            raise BadRequest(
                {self.page_size_query_param: ["Enter a whole number, 1 or more."]}
            ) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

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
