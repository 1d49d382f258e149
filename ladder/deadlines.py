"""Awb deadlines and the Atw calendar: plain arithmetic on dates.

No ORM, no clock: callers pass the dates, services store the results on the case.

Rules (DOMAIN.md section 5):

- Awb terms count calendar weeks from the day of receipt: received on a Friday, a 6-week term
  ends on the Friday six weeks later.
- Awb 9:11 lid 1: decide within 6 weeks of receipt, 10 weeks with an advisory committee (9:13).
  Awb 9:11 lid 2: postpone once, at most 4 weeks, counted on the original (unrolled) term.
- Awb 9:8: the notice that a complaint is not handled is due within 4 weeks of receipt.
- Atw art. 1: a term ending on a Saturday, Sunday or recognised holiday is extended to the next
  day that is none of these. Atw art. 3: the recognised holidays, Good Friday (lid 2) and the
  days a royal decree declares equal (lid 3). Atw art. 4: no extension for terms longer than
  12 weeks, so a term of exactly 12 weeks is still rolled; 14 weeks (committee + postponement)
  is not. Atw art. 2 (at least two working days in a term) never bites on terms of 4+ weeks.
- Awb 9:24 lid 1: the complainant has one year after the outcome letter to go to the
  ombudsman; a one-year term is outside the Atw (art. 4).

Decree days cannot be computed; ``KNOWN_EQUAL_DAYS`` holds the known decree (Stcrt. 2025, 24713).
Every function taking ``equal_days`` uses that collection *instead of* the constant when given,
which is how services pass in the days the functional admin maintains.

With the statutory holidays and the known decree days, the longest run of consecutive rest days
in 2000-2100 is 5 days (5-9 May 2027: Liberation Day, Ascension Day, decree day, weekend; and
23-27 April 2038: Good Friday to King's Day on the Tuesday after Easter Monday), so the Atw moves
a term end by at most 5 days. Decree days supplied by the admin can make that run longer.
"""

from collections.abc import Collection
from datetime import date, timedelta
from functools import cache

DECISION_WEEKS = 6  # Awb 9:11 lid 1
COMMITTEE_WEEKS = 10  # Awb 9:11 lid 1 with 9:13
POSTPONEMENT_WEEKS = 4  # Awb 9:11 lid 2
NOT_HANDLED_NOTICE_WEEKS = 4  # Awb 9:8: notice of not handling within 4 weeks of receipt
ATW_MAX_WEEKS = 12  # Atw art. 4: longer terms are not extended

# Atw art. 3 lid 3: Besluit of 2025 (Stcrt. 2025, 24713) for 2026-2028. Monday 4 May 2026 is
# deliberately absent: the decree does not name it.
KNOWN_EQUAL_DAYS: frozenset[date] = frozenset(
    {
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
    }
)

EqualDays = Collection[date] | None


def easter_sunday(year: int) -> date:
    """Western Easter Sunday: the anonymous Gregorian (Meeus/Jones/Butcher) algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def _statutory_holidays(year: int) -> frozenset[date]:
    """Atw art. 3 lid 1 and 2 for one year, without decree days.

    Easter Sunday and Whit Sunday are not listed in art. 3 (they are Sundays, so rest days
    anyway) and are left out, keeping "holiday" separate from "weekend". King's Day is applied to
    every year; Queen's Day (30 April, before 2014) is not modelled.
    """
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    # 27 April on a Sunday: celebrated on Saturday 26 April (a weekend day, so never a roll)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),  # New Year's Day
            easter - timedelta(days=2),  # Good Friday (lid 2)
            easter + timedelta(days=1),  # Easter Monday
            easter + timedelta(days=39),  # Ascension Day
            easter + timedelta(days=50),  # Whit Monday
            kings_day,
            date(year, 5, 5),  # Liberation Day, every year for the Atw
            date(year, 12, 25),  # Christmas Day
            date(year, 12, 26),  # Boxing Day
        }
    )


def is_atw_holiday(day: date, *, equal_days: EqualDays = None) -> bool:
    """Whether ``day`` is an Atw holiday (art. 3 lid 1, 2) or a decree day (art. 3 lid 3).

    An ordinary Saturday or Sunday is not a holiday; see ``is_atw_rest_day``.
    """
    decree_days = KNOWN_EQUAL_DAYS if equal_days is None else equal_days
    return day in decree_days or day in _statutory_holidays(day.year)


def is_atw_rest_day(day: date, *, equal_days: EqualDays = None) -> bool:
    """Saturday, Sunday or an Atw holiday: a day on which no term ends (Atw art. 1)."""
    return day.weekday() >= 5 or is_atw_holiday(day, equal_days=equal_days)


def roll_forward(day: date, *, equal_days: EqualDays = None) -> date:
    """Atw art. 1: ``day`` itself, or the first later day that is not a rest day."""
    while is_atw_rest_day(day, equal_days=equal_days):
        day += timedelta(days=1)
    return day


def term_end(start: date, weeks: int, *, equal_days: EqualDays = None) -> date:
    """The end of a statutory term of ``weeks`` calendar weeks from ``start``.

    Rolled forward by the Atw (art. 1) only while the term is at most 12 weeks (art. 4).
    """
    end = start + timedelta(weeks=weeks)
    if weeks > ATW_MAX_WEEKS:  # Atw art. 4
        return end
    return roll_forward(end, equal_days=equal_days)


def decision_due(
    received: date,
    *,
    committee: bool = False,
    postponed: bool = False,
    equal_days: EqualDays = None,
) -> date:
    """Awb 9:11: the day by which the outcome of a complaint received on ``received`` is due.

    6 weeks, or 10 with an advisory committee (Awb 9:13); ``postponed`` adds the single
    postponement of 4 weeks (Awb 9:11 lid 2) to the unrolled original term. The Atw applies to
    the total term only while it is at most 12 weeks (Atw art. 4): 14 weeks is not rolled.
    A shorter postponement or a further delay agreed in writing is a date the caller stores.
    """
    weeks = COMMITTEE_WEEKS if committee else DECISION_WEEKS
    if postponed:
        weeks += POSTPONEMENT_WEEKS  # Awb 9:11 lid 2
    return term_end(received, weeks, equal_days=equal_days)


def postponed_decision_due(
    received: date,
    weeks: int,
    *,
    committee: bool = False,
    equal_days: EqualDays = None,
) -> date:
    """Awb 9:11 lid 2: the decision date after postponing by ``weeks`` (1 to 4) weeks.

    The weeks are added to the original, unrolled term (6, or 10 with a committee); the total
    is rolled forward by the Atw only while it is at most 12 weeks (Atw art. 4). With 4 weeks
    this is ``decision_due(received, committee=committee, postponed=True)``.
    """
    if not 1 <= weeks <= POSTPONEMENT_WEEKS:
        raise ValueError(f"A postponement is 1 to {POSTPONEMENT_WEEKS} weeks, not {weeks}.")
    base = COMMITTEE_WEEKS if committee else DECISION_WEEKS
    return term_end(received, base + weeks, equal_days=equal_days)


def not_handled_notice_due(received: date, *, equal_days: EqualDays = None) -> date:
    """Awb 9:8: the written notice of not handling is due 4 weeks after receipt, Atw-rolled."""
    return term_end(received, NOT_HANDLED_NOTICE_WEEKS, equal_days=equal_days)


def add_working_days(start: date, days: int, *, equal_days: EqualDays = None) -> date:
    """The date that is ``days`` working days after ``start`` (a service norm, not the Awb).

    Working days are Monday to Friday minus Atw holidays and decree days. ``start`` itself is
    not counted, and may be a rest day. ``days=0`` returns ``start`` unchanged. Negative ``days``
    count backwards ("5 working days before the due date") and also land on a working day.
    """
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if not is_atw_rest_day(day, equal_days=equal_days):
            remaining -= 1
    return day


def ombudsman_term_end(outcome_sent: date) -> date:
    """Awb 9:24: one year after the outcome letter, the last day to go to the ombudsman.

    A one-year term is outside the Atw (art. 4), so it is not rolled. From 29 February the year
    ends on 28 February.
    """
    try:
        return outcome_sent.replace(year=outcome_sent.year + 1)
    except ValueError:  # 29 February, next year is not a leap year
        return outcome_sent.replace(year=outcome_sent.year + 1, day=28)
