"""A generated project follows its template with cruft: check, update, diff, link.

Every test here shares one template repository with a real git history, a copy of
this template:

- commit A: the template as it is;
- commit B (branch ``main``, after A): changes parts of files a project also changes
  (the README, ``core/sentry.py``) and other files (``.env.example``, the dev compose
  file beside its secret variables, the Celery app, which only some bakes keep);
- commit C (branch ``conflict``, after B): changes the README line a project changes.

Each story makes a project at A - with ``cruft create``, or with plain cookiecutter
and then the README's ``cruft link`` - commits it, commits a change of its own, and
follows the template with the commands of its README's "Updating from the template"
section: check (out of date), update to B, check (up to date), diff, then update to C
(a conflict). What each step did is kept and looked at by the tests below. Offline:
the template is a local git repository.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.helpers.combos import COOKIECUTTER_JSON, ROOT, Combo, make_combo
from tests.helpers.project import FENCE
from tests.helpers.tools import (
    IGNORED_DIRS,
    clean_env,
    expect_success,
    output,
    run,
    tool,
)

pytestmark = pytest.mark.xdist_group("cruft-update")

SECTION = "Updating from the template"
PROJECT_SLUG_DIR = "{{cookiecutter.project_slug}}"
DEFAULT_DESCRIPTION = str(COOKIECUTTER_JSON["description"])

# The project's own changes.
OWN_DESCRIPTION = "Our own description of this service."
OWN_FUNCTION = '\n\ndef our_own_function() -> str:\n    return "kept"\n'
# A generated file every project here deletes.
DELETED_BY_PROJECT = ".pre-commit-config.yaml"
# The template's changes.
B_MARK = "Template change B."
B_SETTING = "TEMPLATE_B_SETTING"
C_DESCRIPTION_SUFFIX = " (template change C)"


@dataclass(frozen=True)
class Story:
    how: str  # "create": `cruft create`; "link": plain cookiecutter, then `cruft link`
    combo: Combo

    @property
    def id(self) -> str:
        return f"{self.how}:{self.combo.id}"

    @property
    def celery(self) -> bool:
        return self.combo.answer("worker") == "celery"


DJANGO_CELERY_REACT = make_combo(framework="django", worker="celery", frontend="react")
STORIES = [
    Story("create", make_combo()),
    Story("create", DJANGO_CELERY_REACT),
    # Not the defaults: a link that lost the recorded answers would render another
    # project (fastapi, no worker) and fail loudly.
    Story("link", DJANGO_CELERY_REACT),
]


@dataclass(frozen=True)
class TemplateRepo:
    path: Path
    commit_a: str
    commit_b: str
    commit_c: str
    env: dict[str, str]


@dataclass
class Outcome:
    """What one story's steps did, kept for the tests."""

    project: Path
    slug: str
    dotenv: bytes
    replay_file: str
    check_before: subprocess.CompletedProcess[str]
    update: subprocess.CompletedProcess[str]
    status_after_update: list[str]
    files_after_update: dict[str, str]
    dotenv_after_update: bytes
    replay_file_after_update: str
    cruft_state_after_update: dict[str, object]
    check_after: subprocess.CompletedProcess[str]
    diff: subprocess.CompletedProcess[str]
    conflict_update: subprocess.CompletedProcess[str]
    unmerged_after_conflict: list[str]
    readme_after_conflict: str
    dotenv_after_conflict: bytes
    rejects: list[str] = field(default_factory=list)


# --- the template repository ----------------------------------------------------------


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = run(["git", *args], cwd=cwd, env=env)
    expect_success(result, f"git {' '.join(args)}")
    return result.stdout.strip()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected {old!r} once (the test's anchor)"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _change_b(template: Path) -> None:
    project = template / PROJECT_SLUG_DIR
    package = project / PROJECT_SLUG_DIR
    _edit(
        project / "README.md",
        "## Quick start\n",
        f"## Quick start\n\n{B_MARK}\n",
    )
    sentry = package / "core" / "sentry.py"
    sentry.write_text(f"# {B_MARK}\n" + sentry.read_text(encoding="utf-8"))
    _append(project / ".env.example", f"\n# {B_MARK}\n# {B_SETTING}=1\n")
    # Right above the lines that held generated secrets before they moved to .env.
    compose = project / "docker-compose.dev.yml"
    text = compose.read_text(encoding="utf-8")
    anchor = re.search(r"^ +SECRET_KEY: \$\{SECRET_KEY", text, re.MULTILINE)
    assert anchor, f"{compose}: no app SECRET_KEY line (the test's anchor)"
    compose.write_text(
        text[: anchor.start()] + f"      # {B_MARK}\n" + text[anchor.start() :]
    )
    # Kept by celery bakes, pruned from the others: it must never reach them.
    _append(package / "worker" / "celery_app.py", f"# {B_MARK}\n")
    # Deleted by every project here: it must stay deleted.
    _append(project / DELETED_BY_PROJECT, f"# {B_MARK}\n")


def _change_c(template: Path) -> None:
    _edit(
        template / PROJECT_SLUG_DIR / "README.md",
        "\n{{ cookiecutter.description | markdown_text }}\n",
        "\n{{ cookiecutter.description | markdown_text }}"
        + C_DESCRIPTION_SUFFIX
        + "\n",
    )


@pytest.fixture(scope="module")
def tools_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """git and cookiecutter settings of their own: no user config, no files in $HOME."""
    home = tmp_path_factory.mktemp("update-home")
    gitconfig = home / "gitconfig"
    gitconfig.write_text("")
    cookiecutterrc = home / "cookiecutterrc"
    cookiecutterrc.write_text(
        f"cookiecutters_dir: {home / 'cookiecutters'}\nreplay_dir: {home / 'replay'}\n"
    )
    return clean_env(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Template Tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="Template Tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
        COOKIECUTTER_CONFIG=str(cookiecutterrc),
    )


@pytest.fixture(scope="module")
def template_repo(
    tmp_path_factory: pytest.TempPathFactory, tools_env: dict[str, str]
) -> TemplateRepo:
    path = tmp_path_factory.mktemp("update-template") / "template"
    shutil.copytree(ROOT, path, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
    _git(path, tools_env, "init", "--quiet", "--initial-branch=main")
    _git(path, tools_env, "add", "--all")
    _git(path, tools_env, "commit", "--quiet", "-m", "A: the template as it is")
    commit_a = _git(path, tools_env, "rev-parse", "HEAD")
    _change_b(path)
    _git(path, tools_env, "commit", "--quiet", "--all", "-m", "B")
    commit_b = _git(path, tools_env, "rev-parse", "HEAD")
    _git(path, tools_env, "checkout", "--quiet", "-b", "conflict")
    _change_c(path)
    _git(path, tools_env, "commit", "--quiet", "--all", "-m", "C")
    commit_c = _git(path, tools_env, "rev-parse", "HEAD")
    _git(path, tools_env, "checkout", "--quiet", "main")
    return TemplateRepo(path, commit_a, commit_b, commit_c, tools_env)


# --- the stories ----------------------------------------------------------------------


def _cruft() -> str:
    found = tool("cruft")
    assert found, "cruft is not installed (a dev dependency of the template)"
    return found[0]


def readme_blocks(project: Path, title: str) -> list[list[str]]:
    """The command lines of every ```bash block under the README section ``title``."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    heading = re.search(rf"^## {re.escape(title)}\s*$", readme, re.MULTILINE)
    assert heading, f"README.md has no '## {title}' section"
    section = readme[heading.end() :]
    following = re.search(r"^## ", section, re.MULTILINE)
    if following:
        section = section[: following.start()]
    return [
        [line.strip() for line in block.splitlines() if line.strip()]
        for block in FENCE.findall(section)
    ]


def _shell(
    project: Path, line: str, repo: TemplateRepo
) -> subprocess.CompletedProcess[str]:
    """A README command line as a user runs it: `uvx cruft` is the installed cruft,
    `<template>` this test's template repository, `<commit>` commit A."""
    command = (
        line.replace("uvx cruft", shlex.quote(_cruft()))
        .replace("<template>", shlex.quote(str(repo.path)))
        .replace("<commit>", repo.commit_a)
    )
    unfilled = re.findall(r"<[a-z ,]+>", command)
    assert not unfilled, f"README placeholders this test cannot fill: {unfilled}"
    return run(["bash", "-c", command], cwd=project, env=repo.env, timeout=300)


def _make_project(story: Story, repo: TemplateRepo, workdir: Path) -> Path:
    if story.how == "create":
        result = run(
            [
                _cruft(),
                "create",
                "--no-input",
                "--checkout",
                repo.commit_a,
                "--output-dir",
                str(workdir),
                "--extra-context",
                json.dumps(story.combo.extra_context),
                str(repo.path),
            ],
            env=repo.env,
            timeout=300,
        )
        expect_success(result, "cruft create")
        project = workdir / story.combo.slug
    else:
        # Plain cookiecutter from the template as it was at A.
        source = workdir / "template-at-a"
        source.mkdir()
        archive = subprocess.run(
            ["git", "archive", repo.commit_a],
            cwd=repo.path,
            env=repo.env,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
        project = Path(
            cookiecutter(
                str(source),
                no_input=True,
                extra_context=story.combo.extra_context,
                output_dir=str(workdir),
                config_file=repo.env["COOKIECUTTER_CONFIG"],
            )
        )
        assert not (project / ".cruft.json").exists()
    if story.how == "create":
        _git(project, repo.env, "init", "--quiet", "--initial-branch=main")
        _git(project, repo.env, "add", "--all")
        _git(project, repo.env, "commit", "--quiet", "-m", "Generated")
    else:  # As the README says: into git first, then linked.
        _run_readme_block(project, repo, "git init ")
        _run_readme_block(project, repo, "uvx cruft link ")
    return project


def _run_readme_block(project: Path, repo: TemplateRepo, start: str) -> None:
    """Run, line by line, the one block of the README's update section that starts
    with `start`."""
    (block,) = [
        block for block in readme_blocks(project, SECTION) if block[0].startswith(start)
    ]
    for line in block:
        expect_success(_shell(project, line, repo), f"README: {line}")


def _own_change(project: Path, slug: str, env: dict[str, str]) -> None:
    _edit(project / "README.md", f"\n{DEFAULT_DESCRIPTION}\n", f"\n{OWN_DESCRIPTION}\n")
    _append(project / slug / "core" / "sentry.py", OWN_FUNCTION)
    (project / DELETED_BY_PROJECT).unlink()
    _git(project, env, "commit", "--quiet", "--all", "-m", "Our own change")


def _status(project: Path, env: dict[str, str]) -> list[str]:
    """`git status --porcelain` lines: "XY path", X the index, Y the work tree."""
    result = run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, env=env
    )
    expect_success(result)
    return result.stdout.splitlines()


def _run_story(story: Story, repo: TemplateRepo, workdir: Path) -> Outcome:
    project = _make_project(story, repo, workdir)
    slug = story.combo.slug
    _own_change(project, slug, repo.env)
    dotenv = (project / ".env").read_bytes()
    replay_file = (project / ".cookiecutter.json").read_text(encoding="utf-8")

    check_line, update_line = readme_blocks(project, SECTION)[0]
    assert check_line == "uvx cruft check", check_line
    assert update_line.startswith("uvx cruft update"), update_line
    check_before = _shell(project, check_line, repo)
    update = _shell(project, update_line, repo)
    status_after_update = _status(project, repo.env)
    watched = [
        "README.md",
        f"{slug}/core/sentry.py",
        ".env.example",
        "docker-compose.dev.yml",
    ]
    if story.celery:
        watched.append(f"{slug}/worker/celery_app.py")
    files_after_update = {
        name: (project / name).read_text(encoding="utf-8") for name in watched
    }
    dotenv_after_update = (project / ".env").read_bytes()
    replay_after_update = (project / ".cookiecutter.json").read_text(encoding="utf-8")
    cruft_state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    _git(project, repo.env, "add", "--all")
    _git(project, repo.env, "commit", "--quiet", "-m", "Template update B")

    check_after = _shell(project, check_line, repo)
    diff = run(
        [_cruft(), "diff", "--exit-code"], cwd=project, env=repo.env, timeout=300
    )
    conflict_update = _shell(project, f"{update_line} --checkout conflict", repo)
    unmerged = _git(project, repo.env, "diff", "--name-only", "--diff-filter=U")
    return Outcome(
        project=project,
        slug=slug,
        dotenv=dotenv,
        replay_file=replay_file,
        check_before=check_before,
        update=update,
        status_after_update=status_after_update,
        files_after_update=files_after_update,
        dotenv_after_update=dotenv_after_update,
        replay_file_after_update=replay_after_update,
        cruft_state_after_update=cruft_state,
        check_after=check_after,
        diff=diff,
        conflict_update=conflict_update,
        unmerged_after_conflict=unmerged.split(),
        readme_after_conflict=(project / "README.md").read_text(encoding="utf-8"),
        dotenv_after_conflict=(project / ".env").read_bytes(),
        rejects=sorted(p.name for p in project.rglob("*.rej")),
    )


@pytest.fixture(scope="module")
def outcomes(
    template_repo: TemplateRepo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Story], Outcome]]:
    """``outcomes(story)`` -> Outcome, each story run once per module."""
    cache: dict[Story, Outcome] = {}

    def _outcome(story: Story) -> Outcome:
        if story not in cache:
            workdir = tmp_path_factory.mktemp(story.how)
            cache[story] = _run_story(story, template_repo, workdir)
        return cache[story]

    yield _outcome


@pytest.fixture(params=STORIES, ids=[story.id for story in STORIES])
def story(request: pytest.FixtureRequest) -> Story:
    return request.param


@pytest.fixture
def outcome(story: Story, outcomes: Callable[[Story], Outcome]) -> Outcome:
    return outcomes(story)


# --- the tests ------------------------------------------------------------------------


def test_check_reports_the_template_moved_on(outcome: Outcome) -> None:
    assert outcome.check_before.returncode == 1, output(outcome.check_before)
    assert "out of date" in outcome.check_before.stdout, output(outcome.check_before)


def test_update_applies_the_template_change(
    outcome: Outcome, story: Story, template_repo: TemplateRepo
) -> None:
    expect_success(outcome.update)
    files = outcome.files_after_update
    assert f"\n## Quick start\n\n{B_MARK}\n" in files["README.md"]
    assert files[f"{outcome.slug}/core/sentry.py"].startswith(f"# {B_MARK}\n")
    assert f"\n# {B_SETTING}=1\n" in files[".env.example"]
    compose = files["docker-compose.dev.yml"]
    assert re.search(rf"# {B_MARK}\n +SECRET_KEY: \$\{{SECRET_KEY", compose), compose
    if story.celery:
        assert files[f"{outcome.slug}/worker/celery_app.py"].endswith(f"# {B_MARK}\n")
    else:
        assert not (outcome.project / outcome.slug / "worker").exists(), (
            "the update brought back a file the bake pruned"
        )
    assert outcome.cruft_state_after_update["commit"] == template_repo.commit_b


def test_update_keeps_the_project_change(outcome: Outcome) -> None:
    readme = outcome.files_after_update["README.md"]
    assert f"\n{OWN_DESCRIPTION}\n" in readme
    assert f"\n{DEFAULT_DESCRIPTION}\n" not in readme
    assert outcome.files_after_update[f"{outcome.slug}/core/sentry.py"].endswith(
        OWN_FUNCTION
    )
    assert not (outcome.project / DELETED_BY_PROJECT).exists(), (
        "the update brought back a file the project deleted"
    )


def test_update_is_a_clean_three_way_merge(outcome: Outcome, story: Story) -> None:
    """Every change staged, nothing rejected, no conflict, nothing else touched."""
    expected = {
        "M  README.md",
        f"M  {outcome.slug}/core/sentry.py",
        "M  .env.example",
        "M  docker-compose.dev.yml",
        " M .cruft.json",
    }
    if story.celery:
        expected.add(f"M  {outcome.slug}/worker/celery_app.py")
    assert set(outcome.status_after_update) == expected, output(outcome.update)


def test_updates_never_touch_dotenv(outcome: Outcome) -> None:
    assert outcome.dotenv_after_update == outcome.dotenv
    assert outcome.dotenv_after_conflict == outcome.dotenv


def test_replay_file_still_replays_the_answers(outcome: Outcome, story: Story) -> None:
    assert outcome.replay_file_after_update == outcome.replay_file
    answers = json.loads(outcome.replay_file)["cookiecutter"]
    for question, value in story.combo.extra_context.items():
        assert answers[question] == value
    # Which template commit the project follows lives in .cruft.json alone.
    assert not {"_template", "_commit"} & answers.keys()
    recorded = outcome.cruft_state_after_update["context"]
    assert isinstance(recorded, dict)
    for question, value in answers.items():
        assert recorded["cookiecutter"][question] == value


def test_check_passes_after_the_update(outcome: Outcome) -> None:
    expect_success(outcome.check_after)
    assert "up to date" in outcome.check_after.stdout


def test_diff_shows_only_the_project_change(outcome: Outcome) -> None:
    """`cruft diff`: the project against the template at its commit."""
    assert outcome.diff.returncode == 1, output(outcome.diff)
    header = re.compile(r"^diff --git upstream-template-old/(\S+) ", re.MULTILINE)
    changed = set(header.findall(outcome.diff.stdout))
    assert changed == {"README.md", f"{outcome.slug}/core/sentry.py"}, output(
        outcome.diff
    )
    # From the project to the template (README): the project's own lines are the
    # removed ones.
    removed = [
        line[1:] for line in outcome.diff.stdout.splitlines() if line.startswith("-")
    ]
    assert any(OWN_DESCRIPTION in line for line in removed), output(outcome.diff)
    assert "def our_own_function() -> str:" in removed, output(outcome.diff)


def test_a_conflict_is_left_for_the_user(outcome: Outcome) -> None:
    """Both sides changed the README's description line: git conflict markers, the
    file unmerged, the project's line inside them, no *.rej files."""
    result = outcome.conflict_update
    assert result.returncode == 0, output(result)  # cruft itself reports success...
    assert "README.md with conflicts" in result.stderr.replace("'", ""), output(result)
    assert outcome.unmerged_after_conflict == ["README.md"]
    assert outcome.rejects == []
    readme = outcome.readme_after_conflict
    conflict = re.search(
        r"^<<<<<<< [^\n]*\n(.*?)^=======\n(.*?)^>>>>>>> [^\n]*\n", readme, re.M | re.S
    )
    assert conflict, readme[:800]
    ours, theirs = conflict.groups()
    assert ours == f"{OWN_DESCRIPTION}\n"
    assert theirs == f"{DEFAULT_DESCRIPTION}{C_DESCRIPTION_SUFFIX}\n"
