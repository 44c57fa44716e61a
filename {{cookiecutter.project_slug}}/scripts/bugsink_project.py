r"""Create this project's team and project in the local Bugsink; print the DSNs.

Run once, inside the Bugsink container (the dev compose file passes it the key):

    docker compose -f docker-compose.dev.yml exec -T bugsink \
        bugsink-manage shell < scripts/bugsink_project.py

The project gets BUGSINK_PROJECT_KEY (from .env) as its DSN key, so the `app` service's
default SENTRY_DSN (http://<key>@bugsink:8000/<id>) already points at it. Running it
again changes nothing.
"""

import os
import uuid

from bugsink.app_settings import get_settings
from projects.models import Project
from teams.models import Team

NAME = "{{ cookiecutter.project_slug }}"
key = uuid.UUID(os.environ["BUGSINK_PROJECT_KEY"])
team, _ = Team.objects.get_or_create(name=NAME)
project, created = Project.objects.get_or_create(
    sentry_key=key, defaults={"name": NAME, "team": team}
)
host_dsn = project.dsn
compose_dsn = f"http://{key.hex}@bugsink:8000/{project.id}"
print(f"Bugsink project {project.name!r} {'created' if created else 'already exists'}.")
print(f"SENTRY_DSN for the app service (docker compose): {compose_dsn}")
print(f"SENTRY_DSN for the app run on the host:           {host_dsn}")
print(f"Bugsink UI: {get_settings().BASE_URL}")
