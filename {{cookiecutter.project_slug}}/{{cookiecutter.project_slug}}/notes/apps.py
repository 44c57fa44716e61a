from django.apps import AppConfig


class NotesConfig(AppConfig):
    """An example app: a model, a migration and authenticated views."""

    name = "{{ cookiecutter.project_slug }}.notes"
    label = "notes"
