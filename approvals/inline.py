"""Conditions written into the SQL text, for the partial indexes the scheduler's sweep reads.

A partial index (`... WHERE status = 'failed'`) serves a query only when the database can prove
the query implies the index's condition. Django binds every value as a parameter, and a
PostgreSQL statement prepared on the server (DB_PREPARED_STATEMENTS) may run a generic plan,
made for any value of `$1`: `status = $1` then proves nothing and the plan walks a full index or
the table (benchmarks/sweep.py --explain shows both plans). `Inline(Q(status="failed"))` writes
the constant into the statement instead, quoted exactly as Django writes an index's condition,
so the plan is the same for every execution and matches the index on both databases.

Only for constants of the code (states, kinds, a JSON key), never for user input: the values are
quoted by the database driver, but a constant keeps each statement's text, and so its prepared
plan, the same.

`Earliest(build, field).due(now)` asks "is anything due?" of such an index with a statement
whose plan cannot go wrong: the first entry in `field` order (`ORDER BY field LIMIT 1`, no
parameter) compared with now outside it. `... AND field <= $1 LIMIT 1` is the trap: a generic
plan guesses a third of the rows qualify, so that a sequential scan stopping at the first match
looks cheapest, and with nothing due it reads everything. `Compiled` builds and compiles such a
statement once (per database) and runs its SQL afterwards: the ORM's work cost more than the
index read (about 0.3 ms against 0.1 ms per statement on PostgreSQL), and the sweep runs every
30 seconds.
"""

import re

from django.db import connections
from django.db.models import BooleanField, Expression, Q

_PLACEHOLDER = re.compile(r"%%|%s")


class Inline(Expression):
    """A filter condition (a Q) whose values are part of the SQL text, not parameters."""

    conditional = True

    def __init__(self, condition: Q):
        super().__init__(output_field=BooleanField())
        self.condition = condition

    def __repr__(self):
        return f"Inline({self.condition!r})"

    def get_source_expressions(self):
        # Before resolution the Q is not an expression; after it, the WhereNode is (and is
        # relabelled with the query when the filter lands in a subquery).
        return [] if isinstance(self.condition, Q) else [self.condition]

    def set_source_expressions(self, exprs):
        if exprs:
            (self.condition,) = exprs

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.condition = self.condition.resolve_expression(
            query, allow_joins, reuse, summarize, for_save
        )
        return clone

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.condition)
        quote = connection.schema_editor().quote_value
        values = iter(params)

        def literal(match):
            if match.group() == "%%":
                return "%%"
            # A % in the value would be read as a placeholder of the enclosing statement.
            return str(quote(next(values))).replace("%", "%%")

        return _PLACEHOLDER.sub(literal, sql), ()


class Compiled:
    """The SQL of `build()`, a queryset without parameters (its conditions constants or Inline),
    compiled once per database and run as it is, wrapped in `wrap` ("{}" is the queryset's SQL;
    the wrapper may take parameters). `scalar(*params)` is the first column of the first row,
    None without a row."""

    def __init__(self, build, wrap: str = "{}"):
        self.build = build
        self.wrap = wrap
        self._sql: dict[tuple, str] = {}

    def sql(self, using: str = "default") -> str:
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self._sql:
            inner, params = self.build().query.get_compiler(using=using).as_sql()
            if params:
                raise ValueError(f"a compiled statement takes no parameters: {params!r}")
            self._sql[key] = self.wrap.replace("{}", inner)
        return self._sql[key]

    def scalar(self, *params, using: str = "default"):
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql(using), params)
            row = cursor.fetchone()
        return None if row is None else row[0]


class Earliest:
    """Whether a row of `build()` (constant conditions) has `field` at or before a time: the
    index's first entry in `field` order, compared in the statement with the one parameter."""

    def __init__(self, build, field: str):
        self._compiled = Compiled(
            lambda: build().filter(**{f"{field}__isnull": False}).order_by(field).values(field)[:1],
            wrap="SELECT ({}) <= %s",
        )

    def due(self, now, using: str = "default") -> bool:
        at = connections[using].ops.adapt_datetimefield_value(now)
        return bool(self._compiled.scalar(at, using=using))
