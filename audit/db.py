"""The database refuses UPDATE and DELETE on the audit table (triggers; migration 0005).

PostgreSQL: one row trigger that raises. TRUNCATE is not refused: Django's flush (transactional
tests) uses it, and the table's owner can truncate or disable triggers anyway; run the app under
a role that does not own the table to close that (docs/architecture.md). SQLite: two triggers
that RAISE(ABORT); whoever can write the file can drop them. What neither stops is caught by the
checkpoints.

SQLite rebuilds a table for most ALTERs and the rebuild drops its triggers: a later migration
that alters audit_auditevent must run `install_statements` again (the tests that try an UPDATE
and a DELETE fail if it does not).
"""

TABLE = "audit_auditevent"
PG_TRIGGER = "audit_event_append_only"

PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {PG_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused';
    END
    $$
    """,
    f"""
    CREATE TRIGGER {PG_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {PG_TRIGGER}()
    """,
]
PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {PG_TRIGGER}()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_{op.lower()} BEFORE {op} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: {op} refused'); END
    """
    for op in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def install_statements(vendor: str) -> list[str]:
    return {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor, [])


def remove_statements(vendor: str) -> list[str]:
    return {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor, [])
