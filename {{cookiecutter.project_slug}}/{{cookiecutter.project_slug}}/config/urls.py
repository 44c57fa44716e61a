from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("health", views.health),
    path("api/v1/test/error", views.trigger_error),
{%- if cookiecutter.worker != "none" %}
    path("api/v1/tasks/orders", views.queue_order),
{%- endif %}
    path("api/v1/auth/", include("{{ cookiecutter.project_slug }}.accounts.urls")),
    path("api/v1/notes/", include("{{ cookiecutter.project_slug }}.notes.urls")),
    path("admin/", admin.site.urls),
]
