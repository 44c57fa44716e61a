#!/usr/bin/env python
"""Django's command-line utility; settings follow ENVIRONMENT by default."""

import os
import sys


def main() -> None:
    from {{ cookiecutter.project_slug }}.config import default_settings_module
    from {{ cookiecutter.project_slug }}.core.sentry import init_sentry

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
    init_sentry()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
