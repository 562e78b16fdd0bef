from django.urls import path

from ..views import directory

urlpatterns = [
    path("directory/", directory.directory, name="directory"),
    path("directory/<int:pk>/", directory.directory_provider, name="directory_provider"),
]
