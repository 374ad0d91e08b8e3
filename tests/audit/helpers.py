"""Tampering with the audit table as an attacker who owns it could: the triggers that refuse
UPDATE and DELETE (audit/db.py) are switched off first: ALTER TABLE ... DISABLE TRIGGER on
PostgreSQL, dropped on SQLite. Inside a test's transaction, both are rolled back with it."""

from contextlib import contextmanager

from django.db import connection

import audit
from audit import db as audit_db


@contextmanager
def triggers_off():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while the transaction's deferred foreign key checks on the
            # table are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {audit_db.TABLE} DISABLE TRIGGER {audit_db.PG_TRIGGER}")
        else:
            for sql in audit_db.SQLITE_REMOVE:
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {audit_db.TABLE} ENABLE TRIGGER {audit_db.PG_TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for sql in audit_db.SQLITE_INSTALL:
                    cursor.execute(sql)


def write(n=3, case_id=1, case_type="promotion"):
    return [
        audit.record(
            case_type=case_type,
            case_id=case_id,
            action=f"step{i}",
            from_state="a",
            to_state="b",
            rules=["PROMO-3"],
            policy_version="v1",
            comment=f"c{i}",
            data={"i": i},
        )
        for i in range(n)
    ]


def only(result):
    """The single problem verify reported."""
    assert not result.ok
    assert len(result.problems) == 1, [p.message for p in result.problems]
    return result.problems[0]
