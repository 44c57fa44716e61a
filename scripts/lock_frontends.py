"""Refresh the frontends' npm lock files in templates/frontend/<frontend>/.

A generated project's frontend/package-lock.json includes one of these (see
{{cookiecutter.project_slug}}/frontend/package-lock.json). This bakes each frontend,
lets npm resolve its package.json afresh, and stores the lock with the project's
name and version turned back into template expressions.

    uv run python scripts/lock_frontends.py

It runs only under the Node the frontends name (`engines` in their package.json):
npm picks versions for the Node it runs on.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
LOCKS = TEMPLATE / "templates" / "frontend"
FRONTENDS = ("vue", "react")
SLUG = "lockproject"
NAME_EXPRESSION = "{{ cookiecutter.project_slug | replace('_', '-') }}-frontend"
VERSION_EXPRESSION = "{{ cookiecutter.version }}"
PACKAGE_JSON = TEMPLATE / "{{cookiecutter.project_slug}}" / "frontend" / "package.json"
ENGINES_NODE = re.compile(r'"node": ">=(\d+)\.(\d+)"')


def node_problem() -> str | None:
    """Why the Node on PATH cannot lock the frontends, or None when it can."""
    wanted = ENGINES_NODE.search(PACKAGE_JSON.read_text(encoding="utf-8"))
    if wanted is None:
        return f"no engines.node of the form >=MAJOR.MINOR in {PACKAGE_JSON}"
    minimum = (int(wanted[1]), int(wanted[2]))
    engines = f">={wanted[1]}.{wanted[2]}"
    try:
        found = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        return f"node does not run: {error}"
    major, minor, _ = found.lstrip("v").split(".", 2)
    if (int(major), int(minor)) < minimum:
        return f"node {found} is older than the frontends' engines ({engines})"
    return None


def lock(frontend: str, workdir: Path) -> str:
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            output_dir=str(workdir / frontend),
            extra_context={
                "frontend": frontend,
                "project_slug": SLUG,
            },
        )
    )
    frontend_dir = project / "frontend"
    (frontend_dir / "package-lock.json").unlink()
    print(f"{frontend}: npm install --package-lock-only", flush=True)
    subprocess.run(
        ["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"],
        cwd=frontend_dir,
        check=True,
    )
    locked = json.loads((frontend_dir / "package-lock.json").read_text())
    # The project's own entries: the lock's root and its "" package.
    for entry in (locked, locked["packages"][""]):
        entry["name"] = NAME_EXPRESSION
        entry["version"] = VERSION_EXPRESSION
    return json.dumps(locked, indent=2) + "\n"


def main() -> int:
    problem = node_problem()
    if problem is not None:
        print(f"lock_frontends: {problem}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for frontend in FRONTENDS:
            target = (
                TEMPLATE / "templates" / "frontend" / frontend / "package-lock.json"
            )
            target.write_text(lock(frontend, Path(tmp)))
            print(f"{frontend}: wrote {target.relative_to(TEMPLATE)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
