"""Security headers on every HTML route (QUALITY.md, security table: headers and settings).

Every URL pattern that answers GET is requested as an anonymous visitor and as a signed-in
coordinator: a Content-Security-Policy with a nonce and without 'unsafe-inline', nosniff,
frame-ancestors 'none', X-Frame-Options, Referrer-Policy, and no-store on pages with personal
data. Ids in a pattern are filled from a small data set (a case, its status link, a draft
letter); patterns with other ids (attachments, parties, actions...) are left out.
"""

import logging
import re

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from complaints.models import LetterStatus
from complaints.services.status_links import status_link_issue
from config.log_filters import redact
from tests.factories import ComplaintFactory, DepartmentFactory, LetterFactory, UserFactory
from tests.test_deploy import check_deploy, production_env

pytestmark = pytest.mark.django_db

NONCE_IN_HEADER = re.compile(r"'nonce-([^']+)'")
INLINE_NONCES = re.compile(r"<(?:script|style|link)\b[^>]*\bnonce=\"([^\"]*)\"", re.IGNORECASE)
INLINE_WITHOUT_SRC = re.compile(r"<(script|style)\b(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
# Routes under admin/ are Django's own; the index and the model lists are still checked below.
SKIPPED_PREFIXES = ("admin/",)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    """(name, route) of every pattern, routes joined, e.g. ('complaints:case', 'staff/...')."""
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            namespace = getattr(resolver, "namespace", None)
            found.append((f"{namespace}:{name}" if namespace else name, route))
    return found


@pytest.fixture
def world(settings):
    settings.STATUS_LINK_RATE = "10000/m"
    settings.PUBLIC_SUBMIT_RATE = "10000/h"
    cache.clear()
    department = DepartmentFactory()
    coordinator = UserFactory(coordinator=True, department=department)
    complaint = ComplaintFactory(explore=True, department=department)
    token = status_link_issue(complaint)
    # The letter page shows the letterhead logo as a data: image (img-src allows data:).
    letter = LetterFactory(complaint=complaint, status=LetterStatus.DRAFT)
    return {
        "coordinator": coordinator,
        # /complaint/ (first in the sorted routes) starts the draft that step 1 shows.
        "values": {
            "reference": complaint.reference,
            "token": token,
            "step": "1",
            "letter_id": str(letter.pk),
        },
    }


def _routes(values: dict[str, str]) -> list[str]:
    """Every GET-able route, ids filled; routes with ids we do not know are left out
    (an object id of a row the test did not make answers 404 anyway)."""
    paths = []
    for _name, route in _patterns(get_resolver()):
        route = route.lstrip("^").rstrip("$")
        if route.startswith(SKIPPED_PREFIXES) or "(?P" in route:
            continue
        names = CONVERTER.findall(route)
        if any(name not in values for name in names):
            continue
        path = "/" + CONVERTER.sub(lambda m: values[m.group(1)], route)
        paths.append(path)
    return [*sorted(set(paths)), "/admin/"]


def _get_all(client, values) -> tuple[list, list[str]]:
    """(path, response) of every route that answered with an HTML page; paths that failed."""
    client.raise_request_exception = False
    pages, failed = [], []
    for path in _routes(values):
        response = client.get(path)
        if response.status_code >= 500:
            failed.append(path)
        elif _is_html(response):
            pages.append((path, response))
    return pages, failed


def _is_html(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def _assert_headers(path: str, response) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, (path, policy)
    assert directives["default-src"] == "'self'", (path, policy)
    assert directives["frame-ancestors"] == "'none'", (path, policy)
    assert directives["object-src"] == "'none'", (path, policy)
    assert directives["base-uri"] == "'none'", (path, policy)
    assert directives["form-action"] == "'self'", (path, policy)
    for directive in ("script-src", "style-src"):
        assert directives[directive].startswith("'self' 'nonce-"), (path, policy)
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer"), path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path

    html = response.content.decode()
    header_nonces = set(NONCE_IN_HEADER.findall(policy))
    assert len(header_nonces) == 1, (path, policy)
    page_nonces = set(INLINE_NONCES.findall(html))
    assert page_nonces == header_nonces, (path, page_nonces, header_nonces)
    for tag, attributes in INLINE_WITHOUT_SRC.findall(html):
        assert "nonce=" in attributes, f"{path}: inline <{tag}> without the nonce"
    assert not re.search(r"\sstyle=", html), f"{path}: a style attribute (blocked by the CSP)"
    assert not re.search(r"\son[a-z]+=", html), f"{path}: an inline event handler"


def _private(response) -> bool:
    control = response.get("Cache-Control", "")
    return "no-store" in control and "private" in control


def test_every_html_route_sends_the_security_headers_to_anonymous_visitors(client, world):
    checked = []
    pages, failed = _get_all(client, world["values"])
    for path, response in pages:
        _assert_headers(path, response)
        if path.startswith(("/status/", "/complaint/", "/accounts/")):
            assert _private(response), f"{path}: {response.get('Cache-Control')}"
        checked.append(path)
    # The public pages, the form's first step, the status page and the sign-in page at least.
    token = world["values"]["token"]
    assert {"/", "/complaint/1/", f"/status/{token}/", "/accounts/login/"} <= set(checked)
    assert not failed, f"server errors on {failed}"


def test_every_html_route_sends_the_security_headers_and_no_store_to_staff(client, world):
    client.force_login(world["coordinator"])
    checked = []
    pages, failed = _get_all(client, world["values"])
    for path, response in pages:
        _assert_headers(path, response)
        assert _private(response), f"{path}: {response.get('Cache-Control')}"
        checked.append(path)
    reference = world["values"]["reference"]
    assert {
        "/staff/",
        "/staff/complaints/",
        f"/staff/complaints/{reference}/",
        f"/staff/complaints/{reference}/letters/{world['values']['letter_id']}/",
        "/staff/complaints/due/",
    } <= set(checked), checked
    assert not failed, f"server errors on {failed}"


def test_staff_downloads_keep_their_own_cache_control(client, world):
    client.force_login(world["coordinator"])
    response = client.get("/staff/complaints/export.csv")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_home_page_without_personal_data_stays_cacheable(client):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_staff_shell_runs_htmx_without_eval_inline_styles_or_history_copies(client, world):
    client.force_login(world["coordinator"])
    html = client.get("/staff/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    for setting in (
        '"includeIndicatorStyles": false',
        '"allowEval": false',
        '"allowScriptTags": false',
        '"historyCacheSize": 0',
    ):
        assert setting in config


# ---------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------
def test_a_404_on_a_status_url_does_not_log_the_token(client, caplog, world):
    token = world["values"]["token"]
    guessed = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4"
    with caplog.at_level(logging.INFO):
        client.get(f"/status/{guessed}/")
        client.get(f"/status/{token}/files/999999/")
        client.post(f"/status/{token}/withdraw/", {}, HTTP_REFERER=f"/status/{token}/")
    logged = "\n".join([record.getMessage() for record in caplog.records] + [caplog.text])
    assert "Not Found: /status/[redacted]/" in logged
    assert guessed not in logged and token not in logged


def test_the_redaction_covers_gunicorn_access_log_arguments():
    logger = logging.getLogger("gunicorn.access")
    token = "c2VjcmV0LXRva2VuLXZhbHVl"
    record = logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        1,
        "%(r)s %(f)s",
        ({"r": f"GET /status/{token}/ HTTP/1.1", "f": f"https://x.nl/status/{token}/"},),
        None,
    )
    assert token not in record.getMessage()
    assert redact("/status/") == "/status/"
    assert redact(f"/status/{token}/survey/?a=1") == "/status/[redacted]/survey/?a=1"


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------
def test_check_deploy_is_clean_with_a_realistic_production_environment():
    returncode, output, found = check_deploy(
        production_env(
            DEBUG="false",
            REDIS_URL="redis://127.0.0.1:6379/8",
            EMAIL_URL="smtp+tls://mailer:secret@smtp.example.nl:587",
            SECURE_HSTS_SECONDS="31536000",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
            SECURE_HSTS_PRELOAD="true",
            SESSION_COOKIE_SECURE="true",
            CSRF_COOKIE_SECURE="true",
            SITE_URL="https://klachten.example.nl",
        )
    )
    assert "Traceback" not in output, output
    assert found == set(), output
    assert returncode == 0, output


def test_production_settings_send_hsts_with_subdomains(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
