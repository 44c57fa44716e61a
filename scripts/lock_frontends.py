"""Refresh the frontends' npm lock files in templates/frontend/<frontend>/.

A generated project's frontend/package-lock.json includes one of these (see
{{cookiecutter.project_slug}}/frontend/package-lock.json). This bakes each frontend,
lets npm resolve its package.json afresh, and stores the lock with the project's
name and version turned back into template expressions.

    uv run python scripts/lock_frontends.py
"""

import json
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
