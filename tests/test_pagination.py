"""The shared pagination links (templates/components/pagination.html) keep the list's filters."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def links(query: str, number: int) -> str:
    request = RequestFactory().get(f"/staff/complaints/?{query}")
    page = Paginator(range(120), 50).get_page(number)
    return render_to_string("components/pagination.html", {"page": page}, request=request)


def test_the_links_change_the_page_and_keep_every_filter():
    html = links("scope=department&stage=explore&page=2", 2)
    assert 'href="?scope=department&amp;stage=explore&amp;page=1"' in html
    assert 'href="?scope=department&amp;stage=explore&amp;page=3"' in html
    assert "Pagina 2 van 3" in html


def test_the_first_page_has_no_previous_and_a_single_page_no_links():
    assert "page=0" not in links("", 1)
    assert 'href="?page=2"' in links("", 1)
    request = RequestFactory().get("/")
    single = Paginator(range(10), 50).get_page(1)
    assert "kl-pagination" not in render_to_string(
        "components/pagination.html", {"page": single}, request=request
    )
