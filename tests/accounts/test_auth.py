"""Staff sign in with their e-mail address, sign out, and reset a forgotten password by mail."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_sign_in_with_their_e_mail_address_in_any_case(client, user_factory):
    user_factory(email="h.jansen@example.nl", full_name="Henk Jansen", handler=True)
    response = client.post(
        reverse("accounts:login"),
        {"username": "H.Jansen@Example.NL", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("staff-home")
    assert response.context["user"].email == "h.jansen@example.nl"
    assert "Henk Jansen" in response.content.decode()


def test_a_wrong_password_says_what_to_do_and_keeps_the_address(client, user_factory):
    user_factory(email="h.jansen@example.nl")
    response = client.post(
        reverse("accounts:login"), {"username": "h.jansen@example.nl", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "wachtwoord opnieuw in" in page  # "... or reset your password"
    assert 'value="h.jansen@example.nl"' in page
    assert not response.wsgi_request.user.is_authenticated


def test_an_inactive_account_cannot_sign_in(client, user_factory):
    user_factory(email="weg@example.nl", is_active=False)
    client.post(reverse("accounts:login"), {"username": "weg@example.nl", "password": PASSWORD})
    assert client.get(reverse("staff-home")).status_code == 302


def test_sign_out_ends_the_session(client, user_factory):
    client.force_login(user_factory())
    assert client.get(reverse("staff-home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("staff-home")).status_code == 302


def test_sign_out_is_not_possible_by_a_link(client, user_factory):
    client.force_login(user_factory())
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_password_reset_by_mail_end_to_end(client, user_factory, smtp_server):
    user = user_factory(email="vergeten@example.nl")
    response = client.post(reverse("accounts:password_reset"), {"email": "Vergeten@example.nl"})
    assert response["Location"] == reverse("accounts:password_reset_done")

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["X-Envelope-To"] == "vergeten@example.nl"
    body = smtp_server.bodies()[0]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", body).group(1)

    page = client.get(link, follow=True)
    assert page.context["validlink"]
    form_url = page.redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "een-nieuw-lang-ww-2026", "new_password2": "een-nieuw-lang-ww-2026"},
    )
    user.refresh_from_db()
    assert user.check_password("een-nieuw-lang-ww-2026")

    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_reveals_nothing_about_unknown_addresses(client, user_factory, smtp_server):
    user_factory(email="bestaat@example.nl")
    known = client.post(reverse("accounts:password_reset"), {"email": "bestaat@example.nl"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "onbekend@example.nl"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["bestaat@example.nl"]


# Pages open to anonymous visitors, by URL name. Every other page must send them to sign in.
PUBLIC = {
    "public-home",
    "health",
    "set_language",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # The citizen's status link (the token is the authority; complaints/views/status.py).
    "status_request",
    "status",
    # The public complaint form (complaints/views/public.py).
    "complaint_start",
    "complaint_form",
    "complaint_sent",
    "status_information",
    "status_withdraw",
    "status_reopen",
    "status_survey",
    "status_formal",
    "status_attachment",
}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin has its own sign-in; tested with the roles
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_staff_page_sends_anonymous_visitors_to_sign_in(client):
    checked = 0
    for name, pattern in url_names():
        if name in PUBLIC:
            continue
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "1")
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), name
        checked += 1
    assert checked >= 3  # staff home, password change, password change done


def test_public_pages_are_open_without_an_account(client):
    for url in (
        reverse("public-home"),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
    ):
        assert client.get(url).status_code == 200, url
