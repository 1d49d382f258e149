"""A real Celery worker starts on our settings and answers through Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.integration


@pytest.fixture
def worker(redis_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": redis_url}
    name = f"test-{os.getpid()}@%h"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--pool",
            "solo",
            "-n",
            name,
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, name.replace("%h", os.uname().nodename)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_worker_on_our_settings_answers_over_redis(worker):
    process, name = worker
    deadline = time.monotonic() + 30
    replies = []
    while time.monotonic() < deadline and not replies:
        assert process.poll() is None, process.stdout.read()
        replies = app.control.ping(destination=[name], timeout=1.0)
    assert replies, "the worker did not answer within 30 s"
    assert name in replies[0]


def test_celery_uses_json_and_late_acknowledgement():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
