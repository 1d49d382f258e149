"""Dutch first, English second; the translations are complete."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_dutch_is_the_default_whatever_the_browser_prefers(client):
    page = client.get(reverse("public-home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = page.content.decode()
    assert '<html lang="nl"' in text
    assert "Een klacht indienen" in text


def test_the_language_switch_turns_the_site_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    text = client.get(reverse("public-home")).content.decode()
    assert '<html lang="en"' in text
    assert "Make a complaint" in text

    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert "Een klacht indienen" in client.get(reverse("public-home")).content.decode()


def test_the_switch_works_without_javascript(client):
    text = client.get(reverse("public-home")).content.decode()
    assert f'action="{reverse("set_language")}"' in text
    assert 'name="language" value="en"' in text


OUR_CATALOGS = sorted(
    path.relative_to(ROOT)
    for path in ROOT.glob("**/locale/nl/LC_MESSAGES/django.po")
    if not {".venv", "node_modules"} & set(path.relative_to(ROOT).parts)
)


def test_each_app_and_the_templates_have_a_dutch_catalog():
    folders = {path.parts[0] for path in OUR_CATALOGS}
    assert {"locale", "accounts", "complaints", "ladder", "reporting"} <= folders


@pytest.mark.parametrize("catalog", OUR_CATALOGS, ids=str)
def test_every_dutch_catalog_is_complete(catalog):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(ROOT / catalog)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


# What ``make makemessages`` leaves out (the copy below has no .venv or node_modules).
IGNORED = ["--ignore=tests", "--ignore=bench", "-v", "0"]


def test_every_translatable_string_in_the_code_is_in_a_catalog(tmp_path):
    """A new string without a Dutch text fails here, not in front of a Dutch user: the
    catalogs are extracted afresh from a copy of the code (as ``make makemessages`` does) and
    each committed catalog must hold, translated, every message of its fresh extraction."""
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(".venv", "node_modules", ".git", "staticfiles", "*.mo", "*.pyc")
    shutil.copytree(ROOT, copy, ignore=skip)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", *IGNORED],
        cwd=copy,
        check=True,
    )
    for catalog in OUR_CATALOGS:
        result = subprocess.run(
            ["msgcmp", str(ROOT / catalog), str(copy / catalog)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{catalog}: run make makemessages\n{result.stderr}"
