"""What `make run` does, after installing: migrate SQLite, seed the demo, serve with runserver.

Run for real in subprocesses with the dev settings, on a throwaway SQLite file and a free port.
"""

import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import environment_without_settings, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_server(tmp_path):
    env = environment_without_settings(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/health/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("runserver did not start")
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=10)


def test_the_demo_serves_dutch_pages_with_their_styles_and_the_handler_signs_in(demo_server):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    home = opener.open(demo_server + "/").read().decode()
    assert "Een klacht indienen" in home
    for asset in ("/static/css/klachtenladder.css", "/static/vendor/utrecht/index.css"):
        assert opener.open(demo_server + asset).status == 200, asset

    login = opener.open(demo_server + "/accounts/login/").read().decode()
    token = login.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    form = {
        "csrfmiddlewaretoken": token,
        "username": "behandelaar@example.nl",
        "password": "klachtenladder-demo",
    }
    request = urllib.request.Request(
        demo_server + "/accounts/login/",
        data=urlencode(form).encode(),
        headers={"Referer": demo_server + "/accounts/login/"},
    )
    staff = opener.open(request)
    assert staff.url.endswith("/staff/")
    assert "Welkom, Hamza" in staff.read().decode()
