"""The deadline arithmetic as a table: one legal rule per row. No database, no clock.

Every expected date is a literal worked out by hand from a calendar, never by the code under test.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.deadlines import (
    KNOWN_EQUAL_DAYS,
    add_working_days,
    decision_due,
    easter_sunday,
    is_atw_holiday,
    is_atw_rest_day,
    not_handled_notice_due,
    ombudsman_term_end,
    postponed_decision_due,
    roll_forward,
    term_end,
)

NO_DECREE: frozenset[date] = frozenset()

# id, received, committee, postponed, equal_days (None = the known decree days), expected
DECISION_DUE = [
    # Awb 9:11: 6 calendar weeks from receipt, Monday to Monday
    ("plain-6-weeks", date(2026, 2, 2), False, False, None, date(2026, 3, 16)),
    # received on a Friday: the term ends on the Friday six weeks later
    ("received-friday", date(2026, 2, 6), False, False, None, date(2026, 3, 20)),
    # Atw art. 1: ends on a Saturday, extended to Monday
    ("ends-saturday", date(2026, 2, 7), False, False, None, date(2026, 3, 23)),
    # Atw art. 1: ends on a Sunday, extended to Monday
    ("ends-sunday", date(2026, 2, 8), False, False, None, date(2026, 3, 23)),
    # Atw art. 3: Easter Monday 6 April 2026 -> Tuesday
    ("ends-easter-monday", date(2026, 2, 23), False, False, None, date(2026, 4, 7)),
    # Atw art. 3 lid 2: Good Friday 3 April 2026, then weekend and Easter Monday -> Tuesday
    ("ends-good-friday", date(2026, 2, 20), False, False, None, date(2026, 4, 7)),
    # Atw art. 3: King's Day Monday 27 April 2026 -> Tuesday
    ("ends-kings-day", date(2026, 3, 16), False, False, None, date(2026, 4, 28)),
    # 27 April 2025 is a Sunday, King's Day is Saturday 26 April -> Monday 28 April (no holiday)
    ("ends-kings-day-on-26-april", date(2025, 3, 15), False, False, None, date(2025, 4, 28)),
    # the Sunday 27 April 2025 is not King's Day; Monday 28 April is a working day
    ("ends-27-april-sunday", date(2025, 3, 16), False, False, None, date(2025, 4, 28)),
    # Atw art. 3: 5 May is a holiday every year, not only in lustrum years -> Wednesday
    ("ends-5-may-2026", date(2026, 3, 24), False, False, None, date(2026, 5, 6)),
    # Monday 4 May 2026 is not a holiday and not a decree day: not extended
    ("ends-4-may-2026-not-holiday", date(2026, 3, 23), False, False, None, date(2026, 5, 4)),
    # Ascension Day 14 May 2026, decree day Friday 15 May, weekend -> Monday 18 May
    ("ends-ascension-day", date(2026, 4, 2), False, False, None, date(2026, 5, 18)),
    # Atw art. 3 lid 3: decree day Friday 15 May 2026 -> Monday 18 May
    ("ends-decree-day-15-may", date(2026, 4, 3), False, False, None, date(2026, 5, 18)),
    # Atw art. 3: Whit Monday 25 May 2026 -> Tuesday
    ("ends-whit-monday", date(2026, 4, 13), False, False, None, date(2026, 5, 26)),
    # Christmas Day Thursday 25 Dec 2025, Boxing Day, weekend -> Monday 29 Dec
    ("ends-christmas-day", date(2025, 11, 13), False, False, None, date(2025, 12, 29)),
    # Boxing Day Friday 26 Dec 2025 followed by the weekend -> Monday 29 Dec
    ("ends-boxing-day", date(2025, 11, 14), False, False, None, date(2025, 12, 29)),
    # Christmas Day Friday 25 Dec 2026, Boxing Day is the Saturday -> Monday 28 Dec
    ("ends-christmas-friday", date(2026, 11, 13), False, False, None, date(2026, 12, 28)),
    # New Year's Day Friday 1 Jan 2027 (no decree day) -> Monday 4 Jan
    ("ends-new-years-day", date(2026, 11, 20), False, False, None, date(2027, 1, 4)),
    # Atw art. 3 lid 3: decree day Friday 2 Jan 2026 -> Monday 5 Jan
    ("ends-decree-day-2-january", date(2025, 11, 21), False, False, None, date(2026, 1, 5)),
    # the longest run: 5 May, Ascension Day, decree day 7 May 2027, weekend -> Monday 10 May
    ("ends-5-may-2027-five-rest-days", date(2027, 3, 24), False, False, None, date(2027, 5, 10)),
    # Awb 9:11 with 9:13: advisory committee, 10 weeks
    ("committee-10-weeks", date(2026, 2, 2), True, False, None, date(2026, 4, 13)),
    # 10 weeks is within Atw art. 4: a committee term ending on a Sunday is extended
    ("committee-ends-sunday", date(2026, 2, 8), True, False, None, date(2026, 4, 20)),
    # Awb 9:11 lid 2: postponed 6 + 4 = 10 weeks, ends on 5 May 2026 -> Wednesday
    ("postponed-6-plus-4", date(2026, 2, 24), False, True, None, date(2026, 5, 6)),
    # Atw art. 4: committee + postponed is 14 weeks, not extended: stays on Sunday 17 May
    ("committee-postponed-sunday", date(2026, 2, 8), True, True, None, date(2026, 5, 17)),
    # Atw art. 4: 14 weeks ending on Ascension Day 14 May 2026 stays there
    ("committee-postponed-ascension", date(2026, 2, 5), True, True, None, date(2026, 5, 14)),
    # equal_days=set() drops the decree days: Friday 15 May 2026 is a working day
    ("no-decree-15-may", date(2026, 4, 3), False, False, NO_DECREE, date(2026, 5, 15)),
    # without decree days, Ascension Day 14 May 2026 -> Friday 15 May
    ("no-decree-ascension", date(2026, 4, 2), False, False, NO_DECREE, date(2026, 5, 15)),
    # equal_days adds a day: 16 March 2026 declared equal -> Tuesday 17 March
    ("extra-decree-day", date(2026, 2, 2), False, False, {date(2026, 3, 16)}, date(2026, 3, 17)),
    # equal_days replaces the constant: 4 May declared, 15 May then no longer a decree day
    (
        "replaced-decree-4-may",
        date(2026, 3, 23),
        False,
        False,
        {date(2026, 5, 4)},
        date(2026, 5, 6),
    ),
    (
        "replaced-decree-15-may",
        date(2026, 4, 3),
        False,
        False,
        {date(2026, 5, 4)},
        date(2026, 5, 15),
    ),
]


@pytest.mark.parametrize(
    ("received", "committee", "postponed", "equal_days", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in DECISION_DUE],
)
def test_decision_due_follows_awb_9_11_and_the_atw(
    received, committee, postponed, equal_days, expected
):
    due = decision_due(received, committee=committee, postponed=postponed, equal_days=equal_days)
    assert due == expected


# id, received, weeks postponed, committee, expected
POSTPONED = [
    # Awb 9:11 lid 2: 6 + 1 weeks on the unrolled term, Monday to Monday
    ("1-week", date(2026, 2, 2), 1, False, date(2026, 3, 23)),
    ("2-weeks", date(2026, 2, 2), 2, False, date(2026, 3, 30)),
    # 6 + 3 = 9 weeks ends on Easter Monday 6 April 2026 -> Tuesday
    ("3-weeks-easter-monday", date(2026, 2, 2), 3, False, date(2026, 4, 7)),
    # 4 weeks is the same as decision_due(postponed=True)
    ("4-weeks", date(2026, 2, 2), 4, False, date(2026, 4, 13)),
    # year end: 7 weeks ends on New Year's Day Friday 1 Jan 2027 -> Monday 4 Jan
    ("1-week-new-years-day", date(2026, 11, 13), 1, False, date(2027, 1, 4)),
    # year end: 7 weeks ends on decree day Friday 2 Jan 2026 -> Monday 5 Jan
    ("1-week-decree-2-january", date(2025, 11, 14), 1, False, date(2026, 1, 5)),
    # year end: 8 weeks ends on Christmas Day Friday 25 Dec 2026 -> Monday 28 Dec
    ("2-weeks-christmas", date(2026, 10, 30), 2, False, date(2026, 12, 28)),
    # committee 10 + 1 = 11 weeks ends Sunday 26 April 2026; Monday is King's Day -> Tuesday
    ("committee-1-week-kings-day", date(2026, 2, 8), 1, True, date(2026, 4, 28)),
    # Atw art. 4: committee 10 + 2 = 12 weeks is still rolled: Sunday 3 May 2026 -> Monday
    ("committee-2-weeks-12-rolled", date(2026, 2, 8), 2, True, date(2026, 5, 4)),
    # Atw art. 4: committee 10 + 3 = 13 weeks is not rolled: stays on Sunday 10 May 2026
    ("committee-3-weeks-13-not-rolled", date(2026, 2, 8), 3, True, date(2026, 5, 10)),
    # Atw art. 4: 14 weeks ending on Ascension Day 14 May 2026 stays there
    ("committee-4-weeks-ascension", date(2026, 2, 5), 4, True, date(2026, 5, 14)),
    # 6 + 4 = 10 weeks ends on Liberation Day Tuesday 5 May 2026 -> Wednesday
    ("4-weeks-5-may", date(2026, 2, 24), 4, False, date(2026, 5, 6)),
]


@pytest.mark.parametrize(
    ("received", "weeks", "committee", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in POSTPONED],
)
def test_postponed_decision_due_adds_weeks_to_the_original_term(
    received, weeks, committee, expected
):
    assert postponed_decision_due(received, weeks, committee=committee) == expected


@pytest.mark.parametrize("weeks", [-1, 0, 5, 8])
def test_a_postponement_is_one_to_four_weeks(weeks):
    with pytest.raises(ValueError, match="1 to 4 weeks"):
        postponed_decision_due(date(2026, 2, 2), weeks)


def test_postponed_decision_due_uses_the_given_decree_days():
    # 6 + 1 weeks from 25 March 2026 ends on Wednesday 13 May 2026; declared equal -> Monday 18
    assert postponed_decision_due(date(2026, 3, 25), 1) == date(2026, 5, 13)
    declared = {date(2026, 5, 13)}
    assert postponed_decision_due(date(2026, 3, 25), 1, equal_days=declared) == date(2026, 5, 15)


@pytest.mark.parametrize(
    ("start", "weeks", "expected"),
    [
        # Atw art. 4: exactly 12 weeks is still extended (Sunday 3 May 2026 -> Monday 4 May)
        pytest.param(date(2026, 2, 8), 12, date(2026, 5, 4), id="12-weeks-rolled"),
        # Atw art. 4: 13 weeks is longer than 12, not extended
        pytest.param(date(2026, 2, 1), 13, date(2026, 5, 3), id="13-weeks-not-rolled"),
    ],
)
def test_term_end_applies_the_atw_up_to_12_weeks(start, weeks, expected):
    assert term_end(start, weeks) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Awb 9:8: 4 weeks, Wednesday to Wednesday
        pytest.param(date(2026, 3, 4), date(2026, 4, 1), id="plain-4-weeks"),
        # Awb 9:8 with Atw art. 1: ends on Easter Monday 6 April 2026 -> Tuesday
        pytest.param(date(2026, 3, 9), date(2026, 4, 7), id="ends-easter-monday"),
        # ends on Saturday 21 March 2026 -> Monday
        pytest.param(date(2026, 2, 21), date(2026, 3, 23), id="ends-saturday"),
    ],
)
def test_not_handled_notice_due_is_4_weeks_rolled(received, expected):
    assert not_handled_notice_due(received) == expected


@pytest.mark.parametrize(
    ("day", "equal_days", "expected"),
    [
        pytest.param(date(2026, 1, 1), None, True, id="new-years-day"),
        pytest.param(date(2026, 1, 2), None, True, id="decree-2-january-2026"),
        pytest.param(date(2026, 4, 3), None, True, id="good-friday"),
        # Easter Sunday is not listed in Atw art. 3; it is a Sunday (a rest day) anyway
        pytest.param(date(2026, 4, 5), None, False, id="easter-sunday-not-listed"),
        pytest.param(date(2026, 4, 6), None, True, id="easter-monday"),
        pytest.param(date(2026, 4, 27), None, True, id="kings-day"),
        # 27 April is a Sunday: King's Day is the Saturday before
        pytest.param(date(2025, 4, 26), None, True, id="kings-day-2025-on-26th"),
        pytest.param(date(2025, 4, 27), None, False, id="27-april-2025-sunday"),
        pytest.param(date(2031, 4, 26), None, True, id="kings-day-2031-on-26th"),
        pytest.param(date(2026, 5, 4), None, False, id="4-may-2026-not-decreed"),
        pytest.param(date(2026, 5, 5), None, True, id="5-may-non-lustrum"),
        pytest.param(date(2026, 5, 14), None, True, id="ascension-day"),
        pytest.param(date(2026, 5, 15), None, True, id="decree-15-may-2026"),
        pytest.param(date(2026, 5, 15), NO_DECREE, False, id="15-may-without-decree"),
        pytest.param(date(2026, 5, 24), None, False, id="whit-sunday-not-listed"),
        pytest.param(date(2026, 5, 25), None, True, id="whit-monday"),
        pytest.param(date(2027, 5, 7), None, True, id="decree-7-may-2027"),
        pytest.param(date(2028, 4, 28), None, True, id="decree-28-april-2028"),
        pytest.param(date(2028, 5, 26), None, True, id="decree-26-may-2028"),
        pytest.param(date(2026, 12, 25), None, True, id="christmas-day"),
        # Boxing Day 2026 is a Saturday and still a holiday
        pytest.param(date(2026, 12, 26), None, True, id="boxing-day-on-saturday"),
        # an ordinary weekend is a rest day but not a holiday
        pytest.param(date(2026, 3, 14), None, False, id="ordinary-saturday"),
        pytest.param(date(2026, 3, 15), None, False, id="ordinary-sunday"),
        pytest.param(date(2026, 3, 16), None, False, id="ordinary-monday"),
    ],
)
def test_is_atw_holiday_lists_atw_article_3(day, equal_days, expected):
    assert is_atw_holiday(day, equal_days=equal_days) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 3, 14), True, id="saturday"),
        pytest.param(date(2026, 3, 15), True, id="sunday"),
        pytest.param(date(2026, 4, 6), True, id="easter-monday"),
        pytest.param(date(2026, 5, 15), True, id="decree-day"),
        pytest.param(date(2026, 3, 16), False, id="ordinary-monday"),
        pytest.param(date(2026, 5, 4), False, id="4-may-2026"),
    ],
)
def test_is_atw_rest_day_is_weekend_or_holiday(day, expected):
    assert is_atw_rest_day(day) is expected


def test_known_equal_days_are_exactly_the_2025_decree():
    assert (
        frozenset(
            {
                date(2026, 1, 2),
                date(2026, 5, 15),
                date(2027, 5, 7),
                date(2028, 4, 28),
                date(2028, 5, 26),
            }
        )
        == KNOWN_EQUAL_DAYS
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 3, 16), date(2026, 3, 16), id="working-day-unchanged"),
        pytest.param(date(2026, 4, 3), date(2026, 4, 7), id="good-friday-to-tuesday"),
        pytest.param(date(2038, 4, 23), date(2038, 4, 28), id="good-friday-2038-to-kings-day"),
    ],
)
def test_roll_forward_moves_to_the_next_working_day(day, expected):
    assert roll_forward(day) == expected


@pytest.mark.parametrize(
    ("start", "days", "equal_days", "expected"),
    [
        # Thursday + 3 working days over a weekend -> Tuesday
        pytest.param(date(2026, 3, 12), 3, None, date(2026, 3, 17), id="across-weekend"),
        # Thursday 2 April 2026 + 2: skips Good Friday, weekend, Easter Monday -> Wednesday
        pytest.param(date(2026, 4, 2), 2, None, date(2026, 4, 8), id="across-easter"),
        # Wednesday 24 Dec 2025 + 1: skips Christmas, Boxing Day, weekend -> Monday 29 Dec
        pytest.param(date(2025, 12, 24), 1, None, date(2025, 12, 29), id="across-christmas"),
        # Tuesday 23 Dec 2025 + 5: also skips New Year's Day and decree day 2 Jan 2026
        pytest.param(date(2025, 12, 23), 5, None, date(2026, 1, 5), id="across-new-year"),
        # Wednesday 13 May 2026 + 1: Ascension Day and decree day -> Monday 18 May
        pytest.param(date(2026, 5, 13), 1, None, date(2026, 5, 18), id="across-ascension"),
        # without decree days, Friday 15 May 2026 is a working day
        pytest.param(date(2026, 5, 13), 1, NO_DECREE, date(2026, 5, 15), id="no-decree"),
        # from a Saturday, the first working day is Monday
        pytest.param(date(2026, 3, 14), 1, None, date(2026, 3, 16), id="from-saturday"),
        # 0 working days: start unchanged, even on a rest day
        pytest.param(date(2026, 3, 14), 0, None, date(2026, 3, 14), id="zero"),
        # backwards: Monday - 1 -> Friday
        pytest.param(date(2026, 3, 16), -1, None, date(2026, 3, 13), id="minus-one"),
        # 5 working days before due date Tuesday 7 April 2026, over Easter -> Friday 27 March
        pytest.param(date(2026, 4, 7), -5, None, date(2026, 3, 27), id="minus-five-easter"),
        # year end: Wednesday 23 Dec 2026 + 5 skips Christmas and the weekend -> Thursday 31 Dec
        pytest.param(date(2026, 12, 23), 5, None, date(2026, 12, 31), id="to-year-end"),
        # over the year end: Monday 28 Dec 2026 + 4 skips New Year's Day -> Monday 4 Jan 2027
        pytest.param(date(2026, 12, 28), 4, None, date(2027, 1, 4), id="over-year-end"),
        # backwards from Easter Sunday: skips Good Friday -> Thursday 2 April
        pytest.param(date(2026, 4, 5), -1, None, date(2026, 4, 2), id="minus-from-sunday"),
    ],
)
def test_add_working_days_skips_weekends_and_holidays(start, days, equal_days, expected):
    assert add_working_days(start, days, equal_days=equal_days) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2000, date(2000, 4, 23), id="2000"),
        pytest.param(2008, date(2008, 3, 23), id="2008"),
        pytest.param(2011, date(2011, 4, 24), id="2011"),
        pytest.param(2024, date(2024, 3, 31), id="2024"),
        pytest.param(2025, date(2025, 4, 20), id="2025"),
        pytest.param(2026, date(2026, 4, 5), id="2026"),
        pytest.param(2027, date(2027, 3, 28), id="2027"),
        pytest.param(2038, date(2038, 4, 25), id="2038-latest"),
        pytest.param(2285, date(2285, 3, 22), id="2285-earliest"),
    ],
)
def test_easter_sunday_is_gregorian_easter(year, expected):
    assert easter_sunday(year) == expected


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        pytest.param(date(2026, 3, 16), date(2027, 3, 16), id="one-year"),
        # Atw art. 4: a one-year term is not extended, even ending on Saturday 15 May 2027
        pytest.param(date(2026, 5, 15), date(2027, 5, 15), id="not-rolled"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), id="leap-day"),
    ],
)
def test_ombudsman_term_end_is_one_year_after_the_outcome(sent, expected):
    assert ombudsman_term_end(sent) == expected


def test_longest_run_of_rest_days_2000_to_2100_is_five():
    # The bound the property test below relies on: 5-9 May 2027 and 23-27 April 2038.
    runs: dict[date, int] = {}
    day, start = date(2000, 1, 1), None
    while day <= date(2100, 12, 31):
        if is_atw_rest_day(day):
            start = start or day
            runs[start] = runs.get(start, 0) + 1
        else:
            start = None
        day += timedelta(days=1)
    longest = max(runs.values())
    assert longest == 5
    assert sorted(s for s, n in runs.items() if n == longest) == [
        date(2027, 5, 5),
        date(2038, 4, 23),
    ]


DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(database=None)
@given(received=DATES)
def test_decision_due_is_a_working_day_within_the_atw_bound(received):
    due = decision_due(received)
    assert not is_atw_rest_day(due)
    # at most 5 consecutive rest days occur in 2000-2100, so the roll adds at most 5 days
    assert received + timedelta(days=42) <= due <= received + timedelta(days=42 + 5)


@settings(database=None)
@given(received=DATES, committee=st.booleans(), postponed=st.booleans())
def test_long_terms_are_not_rolled(received, committee, postponed):
    due = decision_due(received, committee=committee, postponed=postponed)
    weeks = (10 if committee else 6) + (4 if postponed else 0)
    if weeks > 12:
        assert due == received + timedelta(weeks=weeks)
    else:
        assert not is_atw_rest_day(due)
        assert timedelta(weeks=weeks) <= due - received <= timedelta(weeks=weeks, days=5)


@settings(database=None)
@given(start=DATES, days=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_later_working_day(start, days):
    forward = add_working_days(start, days)
    assert forward > start
    assert not is_atw_rest_day(forward)
    backward = add_working_days(start, -days)
    assert backward < start
    assert not is_atw_rest_day(backward)


@settings(database=None)
@given(
    received=DATES,
    weeks=st.integers(min_value=1, max_value=4),
    committee=st.booleans(),
)
def test_a_postponed_term_is_later_but_never_beyond_four_weeks(received, weeks, committee):
    due = postponed_decision_due(received, weeks, committee=committee)
    assert decision_due(received, committee=committee) < due
    assert due <= decision_due(received, committee=committee, postponed=True)
    total = (10 if committee else 6) + weeks
    if total <= 12:  # Atw art. 4: only terms up to 12 weeks are rolled
        assert not is_atw_rest_day(due)
    else:
        assert due == received + timedelta(weeks=total)


@settings(database=None)
@given(
    first=DATES,
    later_by=st.integers(min_value=1, max_value=60),
    committee=st.booleans(),
    postponed=st.booleans(),
    weeks=st.integers(min_value=1, max_value=4),
)
def test_a_later_receipt_never_gives_an_earlier_due_date(
    first, later_by, committee, postponed, weeks
):
    later = first + timedelta(days=later_by)
    for due in (
        lambda day: decision_due(day, committee=committee, postponed=postponed),
        lambda day: postponed_decision_due(day, weeks, committee=committee),
        not_handled_notice_due,
        lambda day: add_working_days(day, weeks),
    ):
        assert due(first) <= due(later)


@settings(database=None)
@given(received=DATES, committee=st.booleans())
def test_a_rolled_term_never_ends_on_a_weekend_or_holiday(received, committee):
    for due in (
        decision_due(received, committee=committee),
        decision_due(received, postponed=True),  # 10 weeks, within Atw art. 4
        not_handled_notice_due(received),
    ):
        assert due.weekday() < 5
        assert not is_atw_holiday(due)
