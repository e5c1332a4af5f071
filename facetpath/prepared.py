"""Read queries compiled once per process and run with new values each time.

On the pages staff open all day (the worklist), compiling a query's SQL through the ORM cost about ten
times what the database took to answer it (docs/performance.md): 1.9 ms against 0.2 ms. A `Prepared`
query is an ordinary `.values()` queryset, written once with a `Param` where a per-request value goes
(inside a function, so that modules can declare it before Django's apps are loaded); its SQL is
compiled on first use and reused, with the ORM's own value adaptation on the way in and its
converters (dates, JSON) on the way out, so each call returns exactly what the queryset would:

    OVERDUE = Prepared(
        lambda: Patient.objects.filter(clinic_id=Param("clinic", IntegerField()), follow_up_due__lt=Param("today", DateField()))
        .order_by("follow_up_due", "id")
        .values("pk", "family_name")[:16]
    )
    rows = OVERDUE(clinic=clinic.pk, today=today)

Only values that arrive through a `Param` change between calls; everything else (limits, choices, the
model's ordering) is fixed when the queryset is written. It reads from the database on every call: it
caches SQL text, never data.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Expression, Field, Model, QuerySet


class Param(Expression):
    """A placeholder for a value given when the prepared query runs, typed by the field it compares to."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # The placeholder travels in the compiled parameters; `Prepared` puts the value in its place.
        return "%s", (self,)


class _Compiled:
    def __init__(self, queryset: QuerySet[Any]) -> None:
        query = queryset.query
        self.compiler = query.get_compiler(using=DATABASE)
        sql, params = self.compiler.as_sql()
        self.sql, self.params = named(sql), list(params)
        fields = [selected[0] for selected in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)
        # The same column names, in the same order, as Django's own ValuesIterable.
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]


DATABASE = "default"  # facetpath has one database

_PLACEHOLDER = re.compile(r"(?<!%)%s")  # Django's own pattern for a value's place


def named(sql: str) -> str:
    """The SQL with its n-th `%s` written `%(pn)s`, to run with `by_name(values)`.

    Django's SQLite cursor finds each `%s` with a regular expression on every run, which took 70 µs on
    the diary link's 5 kB query (as long as the database took to answer it); named values go in with one
    string format instead. PostgreSQL's driver takes them as they are."""
    counter = itertools.count()
    return _PLACEHOLDER.sub(lambda _match: f"%(p{next(counter)})s", sql)


def by_name(values: Sequence[Any]) -> dict[str, Any]:
    return {f"p{index}": value for index, value in enumerate(values)}


class Prepared:
    """A `.values()` queryset with `Param`s, compiled on first use; call it with the values."""

    def __init__(self, build: Callable[[], QuerySet[Any]]) -> None:
        self.build = build
        self._compiled: _Compiled | None = None

    @property
    def queryset(self) -> QuerySet[Any]:
        queryset = self.build()
        if not queryset.query.values_select and not queryset.query.annotation_select:
            raise ValueError("Prepared takes a .values() queryset")
        return queryset

    def __call__(self, **values: Any) -> list[dict[str, Any]]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _Compiled(self.queryset)
        connection = connections[DATABASE]
        bound = [
            param.output_field.get_db_prep_value(values[param.name], connection)
            if isinstance(param, Param)
            else param
            for param in compiled.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, by_name(bound))
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]


# Model instances from prepared rows, through Django's documented `Model.from_db`: for pages that need
# models (their methods, their related managers) but not the ORM's per-query compiling.


def fields_of(model: type[Model], prefix: str = "", leave_out: Iterable[str] = ()) -> list[str]:
    """The `.values()` names that load `model` (behind `prefix`, e.g. "procedure__" through a relation)."""
    return [prefix + field.attname for field in model._meta.concrete_fields if field.name not in leave_out]


def instance_of[M: Model](
    model: type[M], row: dict[str, Any], prefix: str = "", leave_out: Iterable[str] = ()
) -> M:
    """The model instance a row loaded with `fields_of` describes; fields left out load when first read."""
    names = _attnames(model, tuple(leave_out))
    return model.from_db(DATABASE, names, [row[prefix + name] for name in names])


@cache
def _attnames(model: type[Model], leave_out: tuple[str, ...]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.name not in leave_out]


def attach(instance: Model, related_name: str, objects: list[Any]) -> None:
    """Makes `instance.<related_name>.all()` answer with `objects`, as `prefetch_related` leaves it."""
    related = getattr(instance, related_name).all()
    related._result_cache = objects
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = related


def insert[M: Model](instance: M) -> M:
    """Saves a new row (an audit entry, a diary answer) with the SQL built once per model, and returns the
    instance as `save()` leaves it: with its id, and known to be in the database.

    Values go through each field's own `pre_save` and `get_db_prep_save`, as `Model.save()` would. No
    signals are sent: facetpath connects none to these models."""
    connection = connections[DATABASE]
    sql, fields = _insert_sql(type(instance))
    params = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, by_name(params))
        if connection.features.can_return_columns_from_insert:
            instance.pk = cursor.fetchone()[0]
        else:
            table, column = instance._meta.db_table, str(instance._meta.pk.column)
            instance.pk = connection.ops.last_insert_id(cursor, table, column)
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


@cache
def _insert_sql(model: type[Model]) -> tuple[str, list[Field[Any, Any]]]:
    connection = connections[DATABASE]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(str(field.column)) for field in fields)
    marks = ", ".join(f"%(p{index})s" for index in range(len(fields)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(str(model._meta.pk.column))}"
    return sql, fields
