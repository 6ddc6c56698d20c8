# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SQL statements compiled once, before Ansible forks its workers (docs/architecture.md, "Where SQL is compiled").

Ansible forks a worker per host and task. The backup's action plugin is imported in the
parent, before the forks, so whatever its modules build at import time every worker
inherits for free. A Core statement executed the usual way is built, given a cache key
and compiled in each worker afresh: SQLAlchemy's compiled cache lives on the engine, and
each worker makes its own engine (a pooled connection must never cross a fork). That
cost about 40 ms of CPU per device, more than the device itself.

So each statement of the hot path is a module-level ``Statement``: a Core construct
written once (a function that builds it), with named ``bindparam``s, that ``precompile()`` compiles in
the parent for the dialect of the default database (the action plugins call it at import: SQLite's
pysqlite or PostgreSQL's psycopg2); another dialect, such as a task's own db_url on the other
backend, is compiled on first use in the worker. A worker then runs the compiled text with ``Connection.exec_driver_sql`` and
applies the columns' own type processors to the parameters and the rows.

Why this, rather than warming SQLAlchemy's compiled cache in the parent: that cache is
keyed on the engine's dialect object and statement cache keys, both internal and changed
between 1.4, 2.0 and 2.1, and an engine would have to exist (and connect) before the
fork; the cache key would still be computed in every worker. Here only public, stable
API is used: ``ClauseElement.compile(dialect=...)``, ``Compiled.string``, ``.binds``,
``.bind_names``, ``BindParameter.required``/``.effective_value``,
``TypeEngine.dialect_impl()``, ``.bind_processor()``, ``.result_processor()``,
``.positiontup`` (positional paramstyles such as SQLite's), ``exec_driver_sql``. A
statement that would need SQLAlchemy at execution (Python-side column defaults, an
expanding IN) is refused when it is compiled, which the unit tests do for every one.

Lists of values (IN) use fixed slots (``in_slots``): an expanding IN would be rendered
at execution time, which is compilation again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union, cast

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult, Dialect
    from sqlalchemy.orm import QueryableAttribute, Session
    from sqlalchemy.sql import Select
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.sql.selectable import ExecutableReturnsRows
    from typing_extensions import TypeAlias, Unpack

    # A SELECT of any columns (SQLAlchemy 2.1 types a Select by the types of its columns).
    AnySelect: TypeAlias = Select[Unpack[Tuple[Any, ...]]]

# A plain row, after the columns' type processing.
Row = Tuple[Any, ...]
# Where a Statement runs: a Core connection, or an ORM session's transaction.
Target = Union["Connection", "Session"]

# How many values an IN of fixed slots takes per execution; a longer list runs in chunks.
IN_SLOTS = 8

_REGISTRY: List["Statement"] = []


# The dialects create_db_engine makes for sqlite:// and postgresql:// URLs, by backend name.
DIALECTS = {"sqlite": ("sqlalchemy.dialects.sqlite.pysqlite", "SQLiteDialect_pysqlite"),
            "postgresql": ("sqlalchemy.dialects.postgresql.psycopg2", "PGDialect_psycopg2")}


def _dialect_classes(backends: Optional[Iterable[str]] = None) -> List[type[Dialect]]:
    """The dialect classes of backends (default: all of DIALECTS)."""
    classes = []
    for backend in DIALECTS if backends is None else backends:
        module, name = DIALECTS[backend]
        try:
            classes.append(getattr(__import__(module, fromlist=[name]), name))
        except ImportError:  # pragma: no cover - SQLAlchemy always ships both
            pass
    return classes


def in_slots(column: Union[ColumnElement[Any], QueryableAttribute[Any]], name: str, count: int = IN_SLOTS) -> ColumnElement[bool]:
    """column IN (:name_0, ..., :name_{count-1}): a list of values that compiles once."""
    return column.in_([sa.bindparam("%s_%d" % (name, index), type_=column.type) for index in range(count)])


def slot_values(name: str, values: Sequence[Any], count: int = IN_SLOTS) -> Dict[str, Any]:
    """The parameters of in_slots for up to count values (the last one repeated: an IN ignores duplicates)."""
    values = list(values)
    if not values or len(values) > count:
        raise ValueError("in_slots takes 1 to %d values, not %d" % (count, len(values)))
    values += [values[-1]] * (count - len(values))
    return {"%s_%d" % (name, index): value for index, value in enumerate(values)}


def chunks(values: Iterable[Any], count: int = IN_SLOTS) -> List[List[Any]]:
    """values in lists of at most count, for in_slots."""
    values = list(values)
    return [values[start:start + count] for start in range(0, len(values), count)]


class _Compiled:
    """One statement compiled for one dialect: its text, and how to prepare parameters and rows."""

    def __init__(self, element: ExecutableReturnsRows, dialect: Dialect) -> None:
        compiled = element.compile(dialect=dialect)
        self.sql: str = compiled.string
        if (getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None)
                or getattr(compiled, "post_compile_params", None)):
            # Python-side defaults or an expanding IN: SQLAlchemy would compute them at execution.
            raise ValueError("A Statement must not need SQLAlchemy at execution (column defaults, expanding IN): %s"
                             % self.sql)
        # The names in the order of the placeholders, for a positional paramstyle (SQLite's qmark).
        self.positions: Optional[List[str]] = list(compiled.positiontup or ()) if compiled.positional else None
        # (name in the SQL, key of the caller's parameter, required, default, bind processor); a literal
        # in the statement is an anonymous bind whose default is its value.
        self.binds: List[Tuple[str, str, bool, Any, Any]] = []
        seen = set()
        for bind, name in compiled.bind_names.items():
            if name in seen:
                continue
            seen.add(name)
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.binds.append((name, bind.key, bind.required, None if bind.required else bind.effective_value, processor))
        self.row_processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                               for column in element.exported_columns]
        self.processes_rows = any(self.row_processors)

    def parameters(self, params: Dict[str, Any]) -> Union[Dict[str, Any], Row]:
        """The driver's parameters: a dict by name, or a tuple for a positional paramstyle."""
        values: Dict[str, Any] = {}
        for name, key, required, default, processor in self.binds:
            if key in params:
                value = params[key]
            elif required:
                raise KeyError("statement parameter %r is missing" % key)
            else:
                value = default
            values[name] = processor(value) if processor is not None and value is not None else value
        if self.positions is not None:
            return tuple(values[name] for name in self.positions)
        return values

    def rows(self, result: CursorResult[Any]) -> List[Row]:
        if not self.processes_rows:
            return [tuple(row) for row in result.fetchall()]
        processors = self.row_processors
        return [tuple(value if processor is None else processor(value) for processor, value in zip(processors, row))
                for row in result.fetchall()]


def _connection(target: Target) -> Connection:
    """The Core connection of a Connection, or of an ORM Session's transaction (flushed first, as its execute() would)."""
    if hasattr(target, "exec_driver_sql"):
        return cast("Connection", target)
    if target.autoflush:
        target.flush()
    return target.connection()


class Statement:
    """A Core statement written once, compiled before the fork, executed as driver SQL.

    ``build`` returns the Core construct, with named ``sa.bindparam``s; execute it with
    keyword parameters. rows(),
    first() and scalar() return plain tuples and values after the columns' type processing
    (a SQLite boolean is a bool, a JSON column a dict), as SQLAlchemy would.
    """

    def __init__(self, build: Callable[[], ExecutableReturnsRows], precompiled: bool = True) -> None:
        self._build = build
        self._element: Optional[ExecutableReturnsRows] = None
        self._compiled: Dict[type[Dialect], _Compiled] = {}
        if precompiled:  # False: compiled on first use only, never by precompile()
            _REGISTRY.append(self)

    @property
    def element(self) -> ExecutableReturnsRows:
        """The Core construct, built on first use (so that a module imports without SQLAlchemy)."""
        if self._element is None:
            self._element = self._build()
        return self._element

    def _for(self, dialect: Dialect) -> _Compiled:
        dialect_class = type(dialect)
        if dialect_class not in self._compiled:
            # Not compiled before the fork (another dialect, or run outside the action plugins): compile now.
            self._compile(dialect_class)
        return self._compiled[dialect_class]

    def _compile(self, dialect_class: type[Dialect]) -> None:
        self._compiled[dialect_class] = _Compiled(self.element, dialect_class())

    def execute(self, target: Target, **params: Any) -> CursorResult[Any]:
        """The driver's result (rowcount, raw rows); target is a Connection or an ORM Session."""
        connection = _connection(target)
        compiled = self._for(connection.dialect)
        return connection.exec_driver_sql(compiled.sql, compiled.parameters(params))

    def rows(self, target: Target, **params: Any) -> List[Row]:
        """Every row, type-processed."""
        connection = _connection(target)
        compiled = self._for(connection.dialect)
        return compiled.rows(connection.exec_driver_sql(compiled.sql, compiled.parameters(params)))

    def mappings(self, target: Target, **params: Any) -> List[Dict[str, Any]]:
        """Every row as a dict keyed by the selected columns' keys."""
        keys = [column.key for column in self.element.exported_columns]
        return [dict(zip(keys, row)) for row in self.rows(target, **params)]

    def first(self, target: Target, **params: Any) -> Optional[Row]:
        rows = self.rows(target, **params)
        return rows[0] if rows else None

    def scalar(self, target: Target, **params: Any) -> Any:
        """The first column of the first row, or None without a row."""
        row = self.first(target, **params)
        return row[0] if row is not None else None

    def rowcount(self, target: Target, **params: Any) -> int:
        """Rows matched by an UPDATE or DELETE."""
        return self.execute(target, **params).rowcount


def precompile(backends: Optional[Iterable[str]] = None) -> int:
    """Compile every Statement defined so far for the dialects of backends (default: both); returns how many.

    Called at import by the action plugins, in the parent, with the backend of the default
    database (_prefork.prepare_before_fork), so every forked worker inherits the compiled
    text; importing and compiling for PostgreSQL too would add about 0.1 s to every SQLite run.
    """
    if not HAS_SQLALCHEMY:
        return 0
    classes = _dialect_classes(backends)
    for statement in _REGISTRY:
        for dialect_class in classes:
            if dialect_class not in statement._compiled:  # pylint: disable=protected-access
                statement._compile(dialect_class)  # pylint: disable=protected-access
    return len(_REGISTRY)
