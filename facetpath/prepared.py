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

The same idea for the busiest writes (the diary answer, the audit row): `insert` with SQL built once per
model, `Statement` for a few written-out statements, all run on the driver's cursor (`run`), and models
built from rows (`instance_of`, `join`) as the ORM would leave them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


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


def run[T](sql: str, values: Mapping[str, Any], fetch: Callable[[Any], T]) -> T:
    """Runs `sql`, written with `%(name)s` placeholders, and returns `fetch(cursor)`.

    On the driver's own cursor: Django's cursor wrapper, a new wrapper object per statement and the SQLite
    placeholder rewriting cost about 30 µs of Python per statement, longer than SQLite took to run most of
    the diary answer's (bench/diary.py). Django's cursor is used whenever it adds something: when queries
    are logged (DEBUG, tests that count queries) or wrapped (`connection.execute_wrapper`). Errors arrive
    as Django's (IntegrityError …), and a broken transaction is refused, as through Django's cursor."""
    connection = connections[DATABASE]
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return fetch(cursor)
    connection.close_if_health_check_failed()
    if connection.connection is None:
        connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        if connection.vendor == "sqlite":
            cursor = connection.connection.execute(_sqlite_named(sql), values)
        else:  # Django's cursor for the driver, unwrapped: it sets the time zone dates come back in
            cursor = connection.create_cursor()
            cursor.execute(sql, values)
        try:
            return fetch(cursor)
        finally:
            cursor.close()


@cache
def _sqlite_named(sql: str) -> str:
    """`%(name)s` written as SQLite's `:name` (and `%%` as `%`), once per statement."""
    return sql % {name: f":{name}" for name in re.findall(r"%\((\w+)\)s", sql)}


def _all(cursor: Any) -> list[Any]:
    return list(cursor.fetchall())


class Statement:
    """A write written out in SQL, with `%(name)s` placeholders; call it with the values, get the row count.

    For the few statements on the diary answer's path, where going through the ORM cost several times
    the database's own work. Values go in as the driver takes them: adapt dates with
    `connection.ops.adapt_datetimefield_value` first."""

    def __init__(self, sql: str) -> None:
        self.sql = " ".join(sql.split())

    def __call__(self, **values: Any) -> int:
        return run(self.sql, values, fetch=_row_count)


def _row_count(cursor: Any) -> int:
    return int(cursor.rowcount)


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
        rows: Any = run(compiled.sql, by_name(bound), fetch=_all)
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
    """The model instance a row loaded with `fields_of` describes; fields left out load when first read.

    The instance `Model.from_db` would build (the loaded fields set, the others deferred, known to be in
    the database), without `Model.__init__` stepping through every field of the model: that loop was
    half the cost of opening a diary link (four models, of up to forty fields, from one row). Models that
    init signals listen to are built through `from_db`."""
    names = _attnames(model, tuple(leave_out))
    if _init_watched(model):
        return model.from_db(DATABASE, names, [row[prefix + name] for name in names])
    instance = _instance(model, {name: row[prefix + name] for name in names})
    instance._state.adding, instance._state.db = False, DATABASE
    return instance


def _instance[M: Model](model: type[M], values: dict[str, Any]) -> M:
    """A new instance holding `values` where `Model.__init__` keeps them (fields by attname)."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    return instance


@cache
def _init_watched(model: type[Model]) -> bool:
    return bool(pre_init.has_listeners(model) or post_init.has_listeners(model))


@cache
def _attnames(model: type[Model], leave_out: tuple[str, ...]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.name not in leave_out]


def join(instance: Model, name: str, related: Model) -> None:
    """`instance.<name> = related` for a foreign key, as `select_related` leaves it: the id and the object,
    without the checks of an assignment (the object's type, the database router), which were a fifth
    of opening a diary link from its row."""
    field = instance._meta.get_field(name)
    instance.__dict__[field.attname] = related.pk  # type: ignore[union-attr]
    field.set_cached_value(instance, related)  # type: ignore[union-attr]


def attach(instance: Model, related_name: str, objects: list[Any]) -> None:
    """Makes `instance.<related_name>.all()` answer with `objects`, as `prefetch_related` leaves it."""
    related = getattr(instance, related_name).all()
    related._result_cache = objects
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = related


def insert[M: Model](model: type[M], **values: Any) -> M:
    """Saves a new row (an audit entry, a diary answer) with the SQL built once per model, and returns the
    instance as `save()` leaves it: with its id, and known to be in the database.

    `values` go by column attribute (`clinic_id`, not `clinic`); a field not given takes its default.
    Each value goes through its field's own `pre_save` (auto_now_add) and `get_db_prep_save`, as
    `Model.save()` would. No signals are sent: facetpath connects none to these models."""
    connection = connections[DATABASE]
    sql, fields = _insert_sql(model)
    unknown = values.keys() - {field.attname for field in fields}
    if unknown:
        raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    given = {f.attname: values[f.attname] if f.attname in values else f.get_default() for f in fields}
    instance = _instance(model, given)
    params = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    instance.pk = run(sql, by_name(params), fetch=_new_id)
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


def _new_id(cursor: Any) -> Any:
    return cursor.fetchone()[0]  # every backend facetpath runs on returns it (RETURNING)


@cache
def _insert_sql(model: type[Model]) -> tuple[str, list[Field[Any, Any]]]:
    connection = connections[DATABASE]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(str(field.column)) for field in fields)
    marks = ", ".join(f"%(p{index})s" for index in range(len(fields)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    return sql + f" RETURNING {quote(str(model._meta.pk.column))}", fields
