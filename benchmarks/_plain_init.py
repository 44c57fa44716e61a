"""Run a service's command with the SDK floor: a plain
`sentry_sdk.init(dsn=PLAIN_SENTRY_DSN, traces_sample_rate=PLAIN_TRACES_SAMPLE_RATE)`
(the SDK's defaults for everything else) instead of the template's set-up, which
finds SENTRY_DSN empty and stays off.

Usage: python _plain_init.py uvicorn app:app --port 8000 (any console script of
the service's virtual environment, or a path to a Python script).
"""

import os
import runpy
import shutil
import sys

import sentry_sdk

sentry_sdk.init(
    dsn=os.environ["PLAIN_SENTRY_DSN"],
    traces_sample_rate=float(os.environ.get("PLAIN_TRACES_SAMPLE_RATE", "0.1")),
)
sys.argv = sys.argv[1:]
runpy.run_path(shutil.which(sys.argv[0]) or sys.argv[0], run_name="__main__")
