"""Querysets of the hot path compiled once and run many times with other values.

Building and compiling a queryset costs more than running it: the engine's lock statement (the
task with its process and the case's audit head) took about three times longer to build and
compile than to run. A `Prepared` query is built once per database connection's vendor with
sentinel values for what varies (the case's id, the actor's), compiled, and then run with the
sentinels' parameters replaced; its rows become model instances as Django's ModelIterable makes
them (select_related objects, annotations). The SQL is exactly the ORM's.
"""

from django.db import connections
from django.db.models.query import get_related_populators

# Values no row holds (and inside every integer column's range: a value outside it makes the ORM
# drop the condition), whose parameter positions in the compiled SQL are then replaced.
SENTINELS = (2_147_000_001, 2_147_000_002, 2_147_000_003)


class _Compiled:
    def __init__(self, queryset, sentinels):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        # (position, which sentinel, the parameter's own type: PostgreSQL's driver types the
        # integers of subqueries, Int4/Int8, and the value put there keeps that type)
        self.slots = [
            (i, sentinels.index(int(p)), type(p))
            for i, p in enumerate(self.params)
            if isinstance(p, int) and not isinstance(p, bool) and int(p) in sentinels
        ]
        if {j for _i, j, _t in self.slots} != set(range(len(sentinels))):
            raise RuntimeError("a sentinel did not reach the compiled parameters")
        self.select = compiler.select
        self.klass_info = compiler.klass_info
        self.annotation_col_map = compiler.annotation_col_map or {}
        self.converters = list(
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]).items()
        )
        fields = self.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in self.select[self.start : self.end]]
        self.model = self.klass_info["model"]


class Prepared:
    """`build(*sentinels)` returns the queryset; `all(*values)` its instances for `values`."""

    def __init__(self, build, arity: int):
        self.build = build
        self.sentinels = SENTINELS[:arity]
        self._compiled: dict[tuple, _Compiled] = {}

    def all(self, *values, using: str = "default") -> list:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.build(*self.sentinels), self.sentinels)
        params = list(compiled.params)
        for position, index, kind in compiled.slots:
            params[position] = kind(values[index])
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        populators = get_related_populators(compiled.klass_info, compiled.select, using)
        objects = []
        for row in map(list, rows):
            for position, (converters, expression) in compiled.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            obj = compiled.model.from_db(
                using, compiled.init_list, row[compiled.start : compiled.end]
            )
            for populator in populators:
                populator.populate(row, obj)
            for name, position in compiled.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *values, using: str = "default"):
        rows = self.all(*values, using=using)
        return rows[0] if rows else None


def insert_all(objs: list, using: str = "default") -> None:
    """INSERT new instances of one model in one statement, the values prepared by their fields
    as Django's own insert prepares them (pre_save, get_db_prep_save), the statement written
    directly instead of compiled by the ORM. The ids are not read back: for rows nothing in
    the transaction refers to by id (audit, outbox and deadline rows)."""
    if not objs:
        return
    connection = connections[using]
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    params = []
    for obj in objs:
        for f in fields:
            params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(objs))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
