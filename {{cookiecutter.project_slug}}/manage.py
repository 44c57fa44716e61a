#!/usr/bin/env python
"""Django's command-line utility; settings follow ENVIRONMENT by default."""

import sys


def main() -> None:
    from django.core.management import execute_from_command_line

    from {{ cookiecutter.project_slug }}.config.startup import start

    start()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
