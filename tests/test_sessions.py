"""Sessions (``config.sessions``): in the database, read through the cache."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

ABOUT = {
    "complainant_name": "Fatima Yilmaz",
    "complainant_email": "fatima@example.nl",
    "preferred_contact": "email",
}


def test_a_changed_session_is_written_with_one_statement_of_its_own(client):
    """An update of a session needs no transaction of its own (Django's: BEGIN, UPDATE,
    COMMIT): the one statement commits by itself. Here, in a test's transaction, Django's
    would show as a savepoint around it."""
    step_1 = reverse("complaint_form", args=[1])
    assert client.post(step_1, ABOUT).status_code == 302  # the session is made
    with CaptureQueriesContext(connection) as captured:
        assert client.post(step_1, {**ABOUT, "complainant_name": "F. Yilmaz"}).status_code == 302
    statements = [query["sql"] for query in captured]
    writes = [n for n, sql in enumerate(statements) if sql.startswith('UPDATE "django_session"')]
    assert len(writes) == 1
    around = statements[writes[0] - 1 : writes[0] + 2]
    assert not [sql for sql in around if sql.startswith(("SAVEPOINT", "RELEASE"))]
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert "F. Yilmaz" in str(Session.objects.get(session_key=key).get_decoded())


def test_a_session_gone_from_the_database_meanwhile_is_refused_as_django_does(client):
    """Signed out in another tab, or expired and swept, while the cache still had it: the
    request that would write it back gets Django's 400, not a server error."""
    step_1 = reverse("complaint_form", args=[1])
    assert client.post(step_1, ABOUT).status_code == 302
    Session.objects.all().delete()
    assert client.post(step_1, ABOUT).status_code == 400
