"""Querysets compiled to SQL once and run again with other values.

Django compiles a queryset to SQL on every run. For a small read by key that is most of its
cost: on the bench machine a case's contact moments took 0.70 ms through the ORM and 0.21 ms
as the same SQL sent again, and the case page reads seven such lists (bench/query-plans.md).
``Compiled`` builds its queryset once per thread with a marker in place of each value, keeps
the SQL and what Django needs to make rows into model instances (its own populators, so
``select_related`` works as in the ORM), and at each run sends that SQL with the values where
the markers were. The rows, the instances and their related objects are exactly the ORM's.

For values compared for equality only (``field=value``). Django writes other SQL for None
(``IS NULL``), so a run with None is refused; a queryset whose SQL would otherwise depend on
the values (an ``__in`` of a list, a value in a ``LIKE``) cannot be compiled, and building one
says so (``ValueError``) rather than running the wrong SQL. One database (``default``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# A marker of each kind: found among the compiled SQL's parameters, never sent. An int marker
# lies within the range of a 32-bit column (Django leaves a value out of a field's range out of
# the SQL) and far from any id.
_INT_MARKER = -2_000_000_000
_STR_MARK = "\x1ecompiled:"
_KINDS = (int, str)


@dataclass(frozen=True)
class _State:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]
    make: Callable[[list], list]


class Compiled:
    """``build(**markers) -> QuerySet`` compiled once per thread; ``rows(**values)`` runs it.

    ``kinds`` names each value and its type (``int`` or ``str``)::

        EVENTS = Compiled(lambda case: CaseEvent.objects.filter(complaint_id=case), case=int)
        EVENTS.rows(case=complaint.pk)  # -> [CaseEvent, ...]

    A ``values()`` queryset gives dicts, as the ORM does; any other gives model instances.
    """

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        for name, kind in kinds.items():
            if kind not in _KINDS:
                raise TypeError(f"{name}: only int and str values can be compiled")
        self._build = build
        self._kinds = kinds
        self._local = threading.local()

    def rows(self, **values) -> list:
        state = self._state()
        if values.keys() != state.slots.keys():
            raise TypeError(f"values for {sorted(state.slots)} expected, got {sorted(values)}")
        params = list(state.params)
        for name, value in values.items():
            if value is None:
                raise ValueError(f"{name}: None is not compared with '=' in SQL")
            for index in state.slots[name]:
                params[index] = value
        with connections["default"].cursor() as cursor:
            cursor.execute(state.sql, params)
            found = cursor.fetchall()
        return state.make(found)

    def _state(self) -> _State:
        # Per thread: the compiler keeps the thread's connection (its converters).
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = self._compile()
        return state

    def _compile(self) -> _State:
        markers = {
            name: _INT_MARKER - number if kind is int else f"{_STR_MARK}{name}\x1e"
            for number, (name, kind) in enumerate(self._kinds.items())
        }
        queryset = self._build(**markers)
        if queryset.db != "default":
            raise ValueError("only querysets of the default database can be compiled")
        compiler = queryset.query.get_compiler(using="default")
        sql, params = compiler.as_sql()
        slots = {
            name: tuple(i for i, param in enumerate(params) if param == marker)
            for name, marker in markers.items()
        }
        for name, where in slots.items():
            if not where:
                raise ValueError(f"{name} is not a parameter of the SQL as it is (not '=')")
        placed = {index for where in slots.values() for index in where}
        for index, param in enumerate(params):
            if index not in placed and isinstance(param, str) and _STR_MARK in param:
                raise ValueError("a value is changed on its way into the SQL: not '='")
        return _State(sql, tuple(params), slots, _maker(queryset, compiler))


def _maker(queryset: QuerySet, compiler) -> Callable[[list], list]:
    """How the rows become what the ORM would give: dicts for ``values()``, else instances
    (``ModelIterable``'s steps, without what a compiled read never has: known related objects
    of a related manager)."""
    query = queryset.query
    if queryset._fields is not None:  # values()
        # As Django's ValuesIterable names them.
        names = list(query.selected) if getattr(query, "selected", None) else [
            *query.extra_select, *query.values_select, *query.annotation_select
        ]  # fmt: skip

        def dicts(rows: list) -> list[dict]:
            return [dict(zip(names, row, strict=True)) for row in compiler.results_iter([rows])]

        return dicts
    select, klass_info = compiler.select, compiler.klass_info
    annotations = compiler.annotation_col_map
    model: type[Model] = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, "default")

    def instances(rows: list) -> list[Model]:
        made = []
        for row in compiler.results_iter([rows]):
            obj = model.from_db("default", init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, column in annotations.items():
                setattr(obj, name, row[column])
            made.append(obj)
        return made

    return instances
