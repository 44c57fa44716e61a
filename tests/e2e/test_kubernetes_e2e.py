"""The production overlay's pods, run bare-metal (see `cluster.py`) on this machine's
PostgreSQL and Redis, reporting to the envelope recorder: two web pods and two worker
pods at once (and one beat with Celery), all started together, so their migrations
run side by side.

For a representative set of combinations (the render and validation of every overlay
of every combination is in tests/test_kubernetes.py): each migration run succeeds and
every migration is applied once; each web pod passes its probes and serves the
overlay's release; both serve the same database (a user signed up through one reads
its profile through the other); a job queued through a web pod runs on a worker,
whose event reaches SENTRY_DSN_WORKER with the overlay's release; and every process
stops cleanly within its pod's grace period.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.client import graphql, sign_up
from tests.e2e.cluster import Cluster, start_cluster
from tests.e2e.recorder import Recorder
from tests.helpers.combos import Combo, framework_worker_combos
from tests.helpers.kubernetes import config_map

pytestmark = [pytest.mark.e2e]

OVERLAY = "production"
REPRESENTATIVE = ("fastapi/celery", "django/arq", "starlette-graphql/none")
COMBOS = [combo for combo in framework_worker_combos() if combo.id in REPRESENTATIVE]
TASKS_PATH = "/api/v1/tasks/orders"
ME_QUERY = "query Me { me { id username } }"
# What each migration tool prints for a migration it applies.
APPLIED = {
    "django": re.compile(r"Applying (\S+)\.\.\. OK"),
    "alembic": re.compile(r"Running upgrade (\S* -> \S+),"),
}
SENTRY_KEY = "0123456789abcdef0123456789abcdef"
WEB_PROJECT, WORKER_PROJECT = "1", "2"


@dataclass
class Drive:
    """What one run of the overlay answered."""

    cluster: Cluster
    release: str
    domain: str
    health: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_elsewhere: dict[str, Any] = field(default_factory=dict)
    user_id: str = ""
    order_id: str | None = None
    queued_status: int | None = None
    job_events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture(scope="module")
def kube_recorder() -> Iterator[Recorder]:
    """A recorder of its own (no Bugsink behind it: only what arrives matters)."""
    with Recorder() as running:
        yield running


def combo_params(*, with_worker: bool = False) -> list[Any]:
    """The combinations as parameters, in the stack test's xdist groups: one worker
    syncs each project for both."""
    return [
        pytest.param(combo, id=combo.id, marks=pytest.mark.xdist_group(combo.id))
        for combo in COMBOS
        if not with_worker or combo.answer("worker") != "none"
    ]


@pytest.fixture(scope="module", params=combo_params())
def kube_combo(request: pytest.FixtureRequest) -> Combo:
    return request.param


@pytest.fixture(scope="module")
def drive(
    kube_combo: Combo,
    synced_project: Callable[[Combo], Path],
    kube_recorder: Recorder,
    machine_urls: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Drive]:
    """Start the overlay's pods, use them once, stop them (which flushes Sentry)."""
    framework, worker = kube_combo.id.split("/")
    database_url, redis_url = machine_urls
    dsn = f"http://{SENTRY_KEY}@127.0.0.1:{kube_recorder.port}"
    cluster = start_cluster(
        synced_project(kube_combo),
        tmp_path_factory.mktemp("cluster"),
        overlay=OVERLAY,
        secret_values={
            "SENTRY_DSN": f"{dsn}/{WEB_PROJECT}",
            "SENTRY_DSN_WORKER": f"{dsn}/{WORKER_PROJECT}",
            "SECRET_KEY": secrets.token_urlsafe(48),
        },
        database_url=database_url,
        redis_url=redis_url,
    )
    config = config_map(cluster.docs, f"{kube_combo.slug.replace('_', '-')}-config")
    driven = Drive(
        cluster=cluster, release=config["SENTRY_RELEASE"], domain=config["DOMAIN"]
    )
    try:
        _drive(driven, framework, worker, kube_recorder)
    finally:
        cluster.stop()
    if driven.order_id is not None:
        driven.job_events = _job_events(kube_recorder, driven.order_id, timeout=5)
    yield driven


def _client(drive: Drive, pod: int) -> httpx.Client:
    """A client of one web pod, with what the Ingress adds: the public host, HTTPS."""
    (web,) = [p for p in drive.cluster.pods_of("web") if p.name == f"web-{pod}"]
    return httpx.Client(
        base_url=web.base_url,
        headers={"Host": drive.domain, "X-Forwarded-Proto": "https"},
        timeout=30,
    )


def _drive(drive: Drive, framework: str, worker: str, recorder: Recorder) -> None:
    for pod in drive.cluster.pods_of("web"):
        with httpx.Client(base_url=pod.base_url, timeout=30) as client:
            answer = client.get("/health", headers={"Host": drive.domain})
            assert answer.status_code == 200, answer.text
            drive.health[pod.name] = answer.json()
    marker = uuid.uuid4().hex[:10]
    user = {
        "username": f"kube_{marker}",
        "email": f"kube.{marker}@example.com",
        "password": f"Kube-Passw0rd-{marker}",
    }
    with _client(drive, 0) as first, _client(drive, 1) as second:
        drive.user_id, token = sign_up(first, framework, user)
        auth = {"Authorization": f"Bearer {token}"}
        if framework == "starlette-graphql":
            drive.profile_elsewhere = graphql(second, ME_QUERY, {}, token)["me"]
        else:
            profile = second.get("/api/v1/auth/me", headers=auth)
            assert profile.status_code == 200, profile.text
            drive.profile_elsewhere = profile.json()
        if worker != "none":
            drive.order_id = f"kube-{marker}-order"
            queued = second.post(
                TASKS_PATH,
                json={"order_id": drive.order_id, "email": user["email"], "fail": True},
                headers=auth,
            )
            drive.queued_status = queued.status_code
            assert queued.status_code == 202, queued.text
            # The failing job's event: sent by a worker before it stops.
            assert _job_events(recorder, drive.order_id, timeout=60), (
                f"no event for the job\n{drive.cluster.logs()}"
            )


def _job_events(
    recorder: Recorder, order_id: str, timeout: float
) -> list[tuple[str, dict[str, Any]]]:
    """(project id, event) for every event that names ``order_id``."""
    recorder.wait_for(
        lambda item: order_id in item.raw.decode(errors="replace"),
        timeout=timeout,
        item_type="event",
    )
    found = []
    for envelope in list(recorder.envelopes):
        project = envelope.path.strip("/").split("/")[1]
        for item in envelope.items:
            if item.type == "event" and order_id in item.raw.decode(errors="replace"):
                found.append((project, item.payload))
    return found


def test_pods_as_the_manifests_say(drive: Drive, kube_combo: Combo) -> None:
    counts = Counter(pod.component for pod in drive.cluster.pods)
    worker = kube_combo.answer("worker")
    expected = {"web": 2}
    if worker != "none":
        expected["worker"] = 2
    if worker == "celery":
        expected["beat"] = 1  # Exactly one.
    assert dict(counts) == expected


def test_migrations_ran_side_by_side_and_applied_once(
    drive: Drive, kube_combo: Combo
) -> None:
    runs = drive.cluster.migrations()
    with_schema = [pod for pod in drive.cluster.pods if pod.component != "beat"]
    assert len(runs) == len(with_schema) >= 2
    assert all(run.exit_code == 0 for run in runs), drive.cluster.logs()
    tool = "django" if kube_combo.answer("framework") == "django" else "alembic"
    applied = Counter(
        migration for run in runs for migration in APPLIED[tool].findall(run.log())
    )
    assert applied, f"no migration applied\n{drive.cluster.logs()}"
    twice = {migration: n for migration, n in applied.items() if n != 1}
    assert not twice, f"applied more than once: {twice}"
    # One run applied them all; the others found nothing left to do.
    appliers = [run.pod for run in runs if APPLIED[tool].search(run.log())]
    assert len(appliers) == 1, appliers


def test_each_web_pod_is_ready_and_reports_the_release(drive: Drive) -> None:
    web = drive.cluster.pods_of("web")
    assert [pod.probes.get("readiness") for pod in web] == [True] * len(web)
    assert set(drive.health) == {pod.name for pod in web}
    for name, body in drive.health.items():
        assert body["status"] == "ok", name
        sentry = body["sentry"]
        assert sentry["enabled"] is True, name
        assert sentry["release"] == drive.release, name
        assert sentry["environment"] == OVERLAY, name


def test_web_pods_share_the_migrated_database(drive: Drive) -> None:
    """Signed up through one web pod, read through the other."""
    assert str(drive.profile_elsewhere["id"]) == drive.user_id


@pytest.mark.parametrize("kube_combo", combo_params(with_worker=True), indirect=True)
def test_the_liveness_probes_of_the_workers_pass(drive: Drive) -> None:
    others = [pod for pod in drive.cluster.pods if pod.component != "web"]
    assert others
    assert {pod.name: pod.probes.get("liveness") for pod in others} == {
        pod.name: True for pod in others
    }


@pytest.mark.parametrize("kube_combo", combo_params(with_worker=True), indirect=True)
def test_a_queued_job_runs_on_a_worker(drive: Drive) -> None:
    assert drive.queued_status == 202
    events = drive.job_events
    assert events, drive.cluster.logs()
    # Two workers, one job: it ran once (its one error event).
    assert len(events) == 1, [project for project, _ in events]
    project, event = events[0]
    assert project == WORKER_PROJECT, "the worker reports to SENTRY_DSN_WORKER"
    assert event["release"] == drive.release
    assert event["environment"] == OVERLAY
    assert (event.get("tags") or {}).get("service") == "worker"


def test_every_process_stops_within_its_grace_period(drive: Drive) -> None:
    stopped = {
        f"{run.pod}/{run.name}": (run.exit_code, run.seconds_to_stop)
        for pod in drive.cluster.pods
        for run in pod.containers
    }
    grace = {
        pod.name: pod.spec.get("terminationGracePeriodSeconds", 30)
        for pod in drive.cluster.pods
    }
    killed = {
        name: result
        for name, result in stopped.items()
        if result[0] is None
        or result[0] < 0
        or (result[1] is not None and result[1] >= grace[name.split("/")[0]])
    }
    assert not killed, f"(exit code, seconds) {killed}\n{drive.cluster.logs()}"
