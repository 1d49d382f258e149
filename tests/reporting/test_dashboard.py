"""The dashboard (issue 8, point 2): who sees which department, the figures on the page against
the figures computed from the specs of a seeded data set (tests/reporting/test_rollups.py),
the same number of queries for few and many cases, and the period filter's errors.

Rendered figures are read from the page's tables and key figures by their ids; shares are
compared with the page's own formatting (``share``) in Dutch, so the tests hold before and
after the translation of the new texts.
"""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.models import ClosureReason, Judgment, Stage
from reporting.charts import bar_chart, column_chart, nice_scale
from reporting.ladder_metrics import Ratio
from reporting.templatetags.dashboard import NOTHING, figure, share
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory
from tests.reporting.test_rollups import QUARTERS, YEAR, build, data_set, expected

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")
WHOLE_YEAR = {"start": "2025-01", "end": "2025-12"}


# ---------------------------------------------------------------------------
# Reading the page: the text of an element, the rows of a table (by id)
# ---------------------------------------------------------------------------
class _Page(HTMLParser):
    VOID = {"br", "hr", "img", "input", "link", "meta", "rect", "line", "circle", "polyline"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.by_id: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "text": [], "children": []}
        if self.stack:
            self.stack[-1]["children"].append(node)
        if node["attrs"].get("id"):
            self.by_id[node["attrs"]["id"]] = node
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1]["text"].append(data)
            self.stack[-1]["children"].append(data)


def _text(node) -> str:
    parts = [c if isinstance(c, str) else _text(c) for c in node["children"]]
    return " ".join(" ".join(parts).split())


def _walk(node, tag):
    for child in node["children"]:
        if isinstance(child, dict):
            if child["tag"] == tag:
                yield child
            yield from _walk(child, tag)


def parsed(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def text_of(page: _Page, element_id: str) -> str:
    return _text(page.by_id[element_id])


def rows_of(page: _Page, table_id: str, section: str = "tbody") -> dict[str, list[str]]:
    """{row key: cell texts}: the key is the row's data-value, else its header cell."""
    table = page.by_id[table_id]
    rows = {}
    for body in _walk(table, section):
        for row in _walk(body, "tr"):
            cells = [_text(c) for c in row["children"] if isinstance(c, dict)]
            rows[row["attrs"].get("data-value") or cells[0]] = cells[1:]
    return rows


def dutch_share(part: int, whole: int) -> str:
    with translation.override("nl"):
        return share(Ratio(part, whole))


def dutch_figure(value) -> str:
    with translation.override("nl"):
        return figure(value)


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["handler", "employee", "functional_admin"])
def test_staff_without_a_dashboard_permission_are_refused(client, role):
    client.force_login(UserFactory(**{role: True}))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["board", "coordinator"])
def test_board_and_coordinators_see_the_organisation_and_may_choose_a_department(client, role):
    department = DepartmentFactory(name="Burgerzaken")
    DepartmentFactory(name="Oud", is_active=False)
    client.force_login(UserFactory(**{role: True}))

    whole = client.get(URL)
    assert whole.status_code == 200
    assert whole.context["dashboard"].department is None
    choices = dict(whole.context["form"].fields["department"].choices)
    assert "Burgerzaken" in choices.values() and "Oud" not in choices.values()

    filtered = client.get(URL, {"department": department.pk})
    assert filtered.status_code == 200
    assert filtered.context["dashboard"].department == department
    assert "Burgerzaken" in text_of(parsed(filtered), "dashboard-title")
    assert "Burgerzaken" not in text_of(parsed(whole), "dashboard-title")


def test_a_department_that_is_not_listed_is_refused_with_a_message(client):
    client.force_login(UserFactory(board=True))
    inactive = DepartmentFactory(is_active=False)
    for value in (inactive.pk, "999999", "abc"):
        response = client.get(URL, {"department": value})
        assert response.status_code == 400
        assert response.context["form"].errors["department"]
        assert response.context["dashboard"].department is None  # the organisation instead


def test_a_manager_sees_their_own_department_and_no_department_filter(client):
    own, other = DepartmentFactory(name="Belastingen"), DepartmentFactory(name="Wonen")
    ComplaintFactory(explore=True, department=own)
    ComplaintFactory(explore=True, department=other)
    ComplaintFactory(explore=True, department=other)
    client.force_login(UserFactory(manager=True, department=own))

    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["dashboard"].department == own
    assert "department" not in response.context["form"].fields
    page = parsed(response)
    assert "id_department" not in page.by_id
    assert text_of(page, "kpi-open").endswith("1")


def test_a_manager_asking_for_another_department_still_sees_only_their_own(client):
    own, other = DepartmentFactory(name="Belastingen"), DepartmentFactory(name="Wonen")
    ComplaintFactory(explore=True, department=other)
    client.force_login(UserFactory(manager=True, department=own))

    response = client.get(URL, {"department": other.pk})
    assert response.status_code == 200  # the parameter is ignored, never obeyed
    assert response.context["dashboard"].department == own
    assert text_of(parsed(response), "kpi-open").endswith("0")
    assert "Wonen" not in response.content.decode()


def test_a_manager_without_a_department_is_told_so(client):
    client.force_login(UserFactory(manager=True, department=None))
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-department" in parsed(response).by_id
    assert "dashboard" not in response.context


def test_the_dashboard_is_in_the_navigation_of_managers_board_and_coordinators():
    from accounts.navigation import items_for

    for role, shown in (("manager", True), ("board", True), ("coordinator", True),
                        ("handler", False), ("employee", False)):  # fmt: skip
        urls = [item.url for item in items_for(UserFactory(**{role: True}))]
        assert (URL in urls) is shown, role


# ---------------------------------------------------------------------------
# The figures against the specs
# ---------------------------------------------------------------------------
@pytest.fixture
def seeded():
    specs = data_set(60)
    return specs, build(specs)


def check_page(response, want: dict) -> None:
    """The figures on the page (key figures and tables) against the expected ones."""
    assert response.status_code == 200
    page = parsed(response)
    assert text_of(page, "kpi-received").split()[1] == str(want["received"])
    assert str(want["received_written"]) in text_of(page, "kpi-received")
    assert text_of(page, "kpi-closed").split()[-1] == str(want["closed"])
    assert dutch_share(want["in_term"], want["with_term"]) in text_of(page, "kpi-in-term")
    assert dutch_figure(want["median_lead"]) in text_of(page, "kpi-lead")
    assert dutch_share(want["ended"][0], want["closed"]) in text_of(page, "kpi-stay-low")
    assert dutch_share(want["logged_escalated"], want["logged"]) in text_of(
        page, "kpi-escalation-1-2"
    )
    assert dutch_share(want["ended"][2], want["ended"][1] + want["ended"][2]) in text_of(
        page, "kpi-escalation-2-3"
    )
    assert text_of(page, "kpi-escalated").split()[-1] == str(want["escalated"])
    assert text_of(page, "kpi-taken-up").split()[-1] == str(want["taken_up"])

    ended = rows_of(page, "table-ended")
    for rung in (1, 2, 3):
        count, shown = ended[str(rung)]
        assert count == str(want["ended"][rung - 1])
        assert shown == dutch_share(want["ended"][rung - 1], want["closed"])
    reasons = rows_of(page, "table-reasons")
    assert {k: int(v[0]) for k, v in reasons.items()} == {
        r: want["reasons"].get(r, 0) for r in ClosureReason.values
    }
    judgments = rows_of(page, "table-judgments")
    assert {k: int(v[0]) for k, v in judgments.items()} == {
        j: want["judgments"].get(j, 0) for j in Judgment.values
    }
    ratings = rows_of(page, "table-ratings")
    answers = sum(want["ratings"].values())
    for value in range(1, 6):
        count, shown = ratings[str(value)]
        assert count == str(want["ratings"].get(value, 0))
        assert shown == dutch_share(want["ratings"].get(value, 0), answers)
    assert text_of(page, "kpi-answers").split()[-1] == str(answers)
    outcomes = rows_of(page, "table-ombudsman")
    assert sum(int(v[0]) for v in outcomes.values()) == sum(want["outcomes"].values())
    for outcome, n in want["outcomes"].items():
        assert outcomes[outcome] == [str(n)]
    volumes = rows_of(page, "table-volumes", "tfoot")
    assert next(iter(volumes.values())) == [
        str(want["received"]),
        str(want["closed"]),
        str(want["escalated"]),
    ]


def test_the_board_sees_the_figures_of_the_organisation_and_of_a_chosen_department(client, seeded):
    specs, built = seeded
    client.force_login(UserFactory(board=True))
    check_page(client.get(URL, WHOLE_YEAR), expected(specs, YEAR, None))

    department = built["departments"]["b"]
    quarter = QUARTERS[1]
    response = client.get(URL, {"start": "2025-04", "end": "2025-06", "department": department.pk})
    check_page(response, expected(specs, quarter, "b"))

    themes = rows_of(parsed(client.get(URL, WHOLE_YEAR)), "table-themes")
    want = expected(specs, YEAR, None)["themes"]
    names = built["themes"]
    assert {name: int(cells[-1]) for name, cells in themes.items()} == {
        names[i].name: n for i, n in want.items()
    }
    for cells in themes.values():  # the months add up to the total
        assert sum(int(c) for c in cells[:-1]) == int(cells[-1])


def test_a_manager_sees_the_figures_of_their_department(client, seeded):
    specs, built = seeded
    manager = UserFactory(manager=True, department=built["departments"]["a"])
    client.force_login(manager)
    check_page(client.get(URL, WHOLE_YEAR), expected(specs, YEAR, "a"))
    response = client.get(URL, {"start": "2025-07", "end": "2025-09"})
    check_page(response, expected(specs, QUARTERS[2], "a"))

    causes = rows_of(parsed(client.get(URL, WHOLE_YEAR)), "table-causes")
    want = expected(specs, YEAR, "a")["causes"]
    counted = {code: int(cells[0]) for code, cells in causes.items() if int(cells[0])}
    assert counted == {built["causes"][i].code: n for i, n in want.items()}


def test_open_cases_by_stage_and_rung_and_the_overdue_ones(client):
    department = DepartmentFactory()
    ComplaintFactory(intake=True, department=department, rung=2)
    ComplaintFactory(explore=True, department=department, rung=2, decision_due=date(2020, 1, 6))
    ComplaintFactory(explore=True, department=department, rung=1)
    ComplaintFactory(closed=True, department=department)
    client.force_login(UserFactory(manager=True, department=department))
    page = parsed(client.get(URL))
    table = rows_of(page, "table-open")
    with translation.override("nl"):
        intake, explore = Stage.INTAKE.label, Stage.EXPLORE.label
        assert table[str(intake)] == ["0", "1", "0", "1"]
        assert table[str(explore)] == ["1", "1", "0", "2"]
    assert next(iter(rows_of(page, "table-open", "tfoot").values())) == ["1", "2", "0", "3"]
    assert text_of(page, "kpi-overdue").split()[-1] == "1"


def test_shares_show_a_dash_when_there_is_nothing_to_divide(client):
    client.force_login(UserFactory(manager=True, department=DepartmentFactory()))
    page = parsed(client.get(URL))
    assert text_of(page, "kpi-in-term").endswith(
        f"{NOTHING} {NOTHING}"
    )  # the percent, and the share
    assert text_of(page, "kpi-stay-low").endswith(f"{NOTHING} {NOTHING}")
    assert NOTHING in text_of(page, "kpi-lead")
    assert text_of(page, "kpi-average").endswith(NOTHING)
    assert rows_of(page, "table-ended")["1"] == ["0", NOTHING]


def test_the_page_says_when_the_figures_were_last_refreshed(client, seeded):
    client.force_login(UserFactory(board=True))
    response = client.get(URL)
    refreshed = response.context["dashboard"].refreshed_at
    assert refreshed is not None
    with translation.override("nl"):
        from django.template.defaultfilters import date as date_filter
        from django.utils import timezone

        shown = date_filter(timezone.localtime(refreshed), "DATETIME_FORMAT")
    assert shown in text_of(parsed(response), "refreshed")


# ---------------------------------------------------------------------------
# The cost does not grow with the number of cases
# ---------------------------------------------------------------------------
# The signed-in user and their permissions are one query (accounts/backends.py), not Django's
# three. The period's tables and
# charts are drawn once per state of the rollups (reporting.dashboard.period_html), the figures
# of now counted once per change of a case or an action (reporting.figures.open_now_kept):
# three queries more for each when they are drawn, none when they come from the cache.
@pytest.mark.parametrize("role", ["manager", "board"])
def test_the_page_costs_the_same_number_of_queries_for_few_and_many_cases(
    client, django_assert_num_queries, role
):
    from reporting.figures import open_now_changed

    drawn, cached = 10, 4
    built = build(data_set(6, seed=1))
    user = UserFactory(**{role: True}, department=built["departments"]["a"])
    client.force_login(user)
    # A request first (of another period): the session's "last seen" time is written at most
    # once a minute, so the measured requests right after it do not write the session.
    client.get(URL)
    open_now_changed()  # as a change of a case would
    with django_assert_num_queries(drawn):
        assert client.get(URL, WHOLE_YEAR).status_code == 200
    with django_assert_num_queries(cached):
        assert client.get(URL, WHOLE_YEAR).status_code == 200
    build(data_set(90, seed=2))  # new cases and month rows: both parts are drawn again
    client.get(URL)
    open_now_changed()
    with django_assert_num_queries(drawn):
        assert client.get(URL, WHOLE_YEAR).status_code == 200
    with django_assert_num_queries(cached):
        assert client.get(URL, WHOLE_YEAR).status_code == 200


def test_the_period_comes_from_the_cache_until_the_rollups_change(client):
    """The period's part is kept per state of the rollups: a refresh after a change shows the
    new figures at once; the figures of now are counted on every request."""
    from reporting.rollups import rollups_refresh

    build(data_set(6, seed=1))
    client.force_login(UserFactory(board=True))
    first = parsed(client.get(URL, WHOLE_YEAR))
    build(data_set(9, seed=2))  # more cases in the period
    rollups_refresh()
    ComplaintFactory()  # and one open now
    second = parsed(client.get(URL, WHOLE_YEAR))
    assert text_of(second, "kpi-received") != text_of(first, "kpi-received")
    assert text_of(second, "kpi-open") != text_of(first, "kpi-open")


# ---------------------------------------------------------------------------
# The period filter
# ---------------------------------------------------------------------------
def test_by_default_the_last_twelve_months_up_to_this_month_are_shown(client):
    from django.utils import timezone

    from reporting.figures import default_period
    from reporting.rollups import month_of

    client.force_login(UserFactory(board=True))
    board = client.get(URL).context["dashboard"]
    start, end = default_period(timezone.localdate())
    assert (board.start, board.end) == (month_of(start), month_of(end))
    assert len(board.months) == 12


def test_an_end_month_before_the_start_month_is_refused_and_the_input_kept(client):
    client.force_login(UserFactory(board=True))
    response = client.get(URL, {"start": "2025-06", "end": "2025-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    page = parsed(response)
    assert page.by_id["id_start"]["attrs"]["value"] == "2025-06"
    assert page.by_id["id_end"]["attrs"]["value"] == "2025-01"
    assert page.by_id["id_end"]["attrs"].get("aria-invalid") == "true"
    # The figures of the default period are still shown, under their own heading.
    assert len(response.context["dashboard"].months) == 12


@pytest.mark.parametrize("typed", ["abc", "2025-13", "2025", "1999-01", "<b>2025</b>"])
def test_a_month_that_is_not_a_month_is_refused_and_kept(client, typed):
    client.force_login(UserFactory(manager=True))
    response = client.get(URL, {"start": typed})
    assert response.status_code == 400
    assert response.context["form"].errors["start"]
    assert parsed(response).by_id["id_start"]["attrs"]["value"] == typed
    assert "<b>2025</b>" not in response.content.decode()  # escaped, never markup


def test_a_period_longer_than_five_years_is_refused(client):
    client.force_login(UserFactory(board=True))
    response = client.get(URL, {"start": "2015-01", "end": "2025-12"})
    assert response.status_code == 400
    assert response.context["form"].errors["start"]


def test_quick_choices_keep_the_department_and_mark_the_period_shown(client):
    department = DepartmentFactory()
    client.force_login(UserFactory(board=True))
    response = client.get(URL, {"department": department.pk})
    quick = response.context["quick"]
    assert all(f"department={department.pk}" in choice.query for choice in quick)
    assert [choice.current for choice in quick].count(True) == 1
    assert quick[0].current  # the last twelve months, the default


def test_the_chart_coordinates_are_written_without_a_decimal_comma(client):
    client.force_login(UserFactory(board=True))
    ComplaintFactory(closed=True)
    svg = client.get(URL).content.decode().split("<svg", 2)[1]
    assert "," not in svg.split("</svg>", 1)[0]  # 12.5, never 12,5


def test_a_chart_is_drawn_once_per_value_and_language(monkeypatch):
    """The ``{% chart %}`` tag keeps what it drew: the same chart again costs no template; a
    chart of other figures, or in another language (the month names), is drawn anew."""
    from reporting.templatetags import dashboard as tags

    drawn = []
    real = tags.render_to_string
    monkeypatch.setattr(
        tags, "render_to_string", lambda *args, **kwargs: drawn.append(1) or real(*args, **kwargs)
    )
    tags._drawn.cache_clear()
    months = [date(2025, m, 1) for m in range(1, 13)]
    chart = column_chart(months, [("a", list(range(12)))])
    with translation.override("nl"):
        dutch = tags.chart(chart)
        assert tags.chart(column_chart(months, [("a", list(range(12)))])) == dutch
        assert len(drawn) == 1
        tags.chart(column_chart(months, [("a", [1] * 12)]))
        assert len(drawn) == 2
    with translation.override("en"):
        english = tags.chart(chart)
    assert len(drawn) == 3
    assert ">mrt<" in dutch.lower() and ">mar<" in english.lower()


# ---------------------------------------------------------------------------
# The chart geometry
# ---------------------------------------------------------------------------
def test_the_scale_is_round_and_reaches_the_largest_value():
    assert nice_scale(0) == (4, 1)
    assert nice_scale(3) == (3, 1)
    assert nice_scale(7) == (8, 2)
    assert nice_scale(42) == (60, 20)
    assert nice_scale(1234) == (1500, 500)


def test_columns_are_as_high_as_their_value_and_bars_as_long():
    months = [date(2025, m, 1) for m in range(1, 13)]
    chart = column_chart(months, [("a", list(range(12))), ("b", [4] * 12)])
    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15]
    scale = (chart.bottom - chart.top) / 15
    for column in chart.columns:
        for bar in column.bars:
            assert bar.height == pytest.approx(bar.value * scale, abs=0.1)
            assert bar.y + bar.height == pytest.approx(chart.bottom, abs=0.1)
    rows = bar_chart([("x", 10), ("y", 5), ("z", 0)]).rows
    assert rows[1].width == pytest.approx(rows[0].width / 2, abs=0.1)
    assert rows[2].width == 0
