"""The API's documentation: Swagger UI, served from our own static files under our CSP."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with no inline script or style: the page loads its start-up script from
    `?script` on the same URL, so `script-src 'self'` is enough. Public, like the schema."""

    template_name = "api/swagger_ui.html"
