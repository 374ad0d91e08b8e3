"""A department for ledger tests (SCORE-9): its lead, a trainer, two agents; administration."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests.factories import DepartmentFactory
from tests.orgdata import employee

OCT = dt.date(2026, 10, 1)


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


IN_OCT = local(2026, 10, 15, 12, 0)
NOV_1 = local(2026, 11, 1, 9, 0)  # October has ended; it closes by itself on 3 Nov
NOV_3 = local(2026, 11, 3, 0, 0)


@dataclass
class Ledger:
    lead: object
    trainer: object
    agent: object
    colleague: object
    admin: object
    other_trainer: object


def build_ledger() -> Ledger:
    cs = DepartmentFactory(code="cs", name="客服部")
    ops = DepartmentFactory(code="ops", name="运营部")
    adm = DepartmentFactory(code="adm", name="行政部")
    lead = employee("lead", department=cs, level="reserve_supervisor", roles=["department_lead"])
    cs.lead = lead
    cs.save()
    return Ledger(
        lead=lead,
        trainer=employee("trainer", department=cs, level="senior", roles=["trainer"]),
        agent=employee("agent", department=cs),
        colleague=employee("colleague", department=cs),
        admin=employee("admin", department=adm, level=None, roles=["administration"]),
        other_trainer=employee("trainer2", department=ops, level="senior", roles=["trainer"]),
    )
