"""Deployment: the production settings pass ``check --deploy``; docker-compose.yml is valid.

Both run commands in a subprocess and need no database access. A .env file beside
manage.py is read by the settings too: keep it out of the way when these fail oddly.
"""

import functools
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SETTINGS_VARIABLES, environment_without_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Every warning `check --deploy` may still print with production settings, and why.
# A warning not listed here fails the test; so does one listed here that is gone.
EXPLAINED_DEPLOY_WARNINGS = {
    "security.W021": (
        "SECURE_HSTS_PRELOAD is off by default on purpose: being on the browsers' preload "
        "list is hard to undo, so set SECURE_HSTS_PRELOAD=true only after submitting the "
        "domain at hstspreload.org."
    ),
}

CHECK_ID = re.compile(r"^\S*: \(([a-z_]+\.[A-Z]\d+)\)", re.MULTILINE)


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: settings defaults plus what compose sets."""
    env = environment_without_settings()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        ALLOWED_HOSTS="klachten.example.nl",
        CSRF_TRUSTED_ORIGINS="https://klachten.example.nl",
        BEHIND_TLS_PROXY="true",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> tuple[int, str, set[str]]:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    return result.returncode, output, set(CHECK_ID.findall(output))


def test_the_settings_read_the_variables_this_test_controls():
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_HSTS_PRELOAD"} <= SETTINGS_VARIABLES


def test_check_deploy_prints_only_the_explained_warnings():
    returncode, output, found = check_deploy(production_env())

    assert "Traceback" not in output, output
    unexplained = found - EXPLAINED_DEPLOY_WARNINGS.keys()
    assert not unexplained, f"explain or fix {sorted(unexplained)}:\n{output}"
    gone = EXPLAINED_DEPLOY_WARNINGS.keys() - found
    assert not gone, f"{sorted(gone)} no longer raised: drop it from EXPLAINED_DEPLOY_WARNINGS"
    # --fail-level WARNING: a non-zero exit is the explained warnings, nothing else.
    assert returncode == (1 if found else 0), output


def test_check_deploy_is_clean_once_the_domain_is_preloaded():
    returncode, output, found = check_deploy(production_env(SECURE_HSTS_PRELOAD="true"))

    assert found == set(), output
    assert returncode == 0, output
    assert "no issues" in output


# ---------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------
APP_SERVICES = ("web", "worker", "beat")


@functools.cache
def compose_command() -> tuple[str, ...]:
    """`docker compose` (v2 plugin) when it works, else `docker-compose` (v1), else skip."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return (docker, "compose")
    legacy = shutil.which("docker-compose")
    if legacy:
        return (legacy,)
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def run_compose(tmp_path: Path, *args: str, secret_key: str | None) -> subprocess.CompletedProcess:
    # An empty env file: a developer's .env beside docker-compose.yml must not count.
    env_file = tmp_path / "empty.env"
    env_file.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return subprocess.run(
        [*compose_command(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def v1_builds_and_images(config: str) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Per service, its build lines and image, from `docker-compose config` (v1) output.

    v1 prints block-style YAML with two-space indents: services at 2, their keys at 4.
    """
    services: dict[str, tuple[list[str], list[str | None]]] = {}
    in_services = False
    current = None
    key = None
    for line in config.splitlines():
        if not line.startswith(" "):
            in_services = line.rstrip() == "services:"
            continue
        if not in_services:
            continue
        if match := re.match(r"^  ([\w.-]+):\s*$", line):
            current = match.group(1)
            services[current] = ([], [None])
        elif current and (match := re.match(r"^    ([\w.-]+):(.*)$", line)):
            key, value = match.group(1), match.group(2).strip()
            if key == "build":
                services[current][0].append(value)
            elif key == "image":
                services[current][1][0] = value
        elif current and key == "build":
            services[current][0].append(line.strip())
    return {name: (tuple(build), image[0]) for name, (build, image) in services.items()}


def test_compose_defines_the_stack_with_one_build_for_the_app(tmp_path):
    command = compose_command()
    if command[-1] == "compose":  # v2: machine-readable output
        result = run_compose(tmp_path, "config", "--format", "json", secret_key="x" * 50)
        assert result.returncode == 0, result.stderr
        config = json.loads(result.stdout)["services"]
        services = set(config)
        app = {
            name: (config[name].get("build"), config[name].get("image")) for name in APP_SERVICES
        }
    else:  # v1: service names, then the block-style YAML
        listed = run_compose(tmp_path, "config", "--services", secret_key="x" * 50)
        assert listed.returncode == 0, listed.stderr
        services = set(listed.stdout.split())
        result = run_compose(tmp_path, "config", secret_key="x" * 50)
        assert result.returncode == 0, result.stderr
        parsed = v1_builds_and_images(result.stdout)
        app = {name: parsed[name] for name in APP_SERVICES}

    assert {"web", "worker", "beat", "db", "redis"} <= services
    builds = {json.dumps(build, sort_keys=True) for build, _ in app.values()}
    images = {image for _, image in app.values()}
    assert len(builds) == 1 and all(build for build, _ in app.values()), app
    assert len(images) == 1 and None not in images, app


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_compose(tmp_path, "config", "--quiet", secret_key=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
