"""`manage.py seed_demo`: the demo organisation with 12 months of scores and known passwords
(idempotent; `make run` runs it every time). The logic is org.demo; this prints the logins."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from org.demo import DEMO_PASSWORD, demo_seed
from org.levels import Level, Role, next_level
from org.roles import roles_of


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "Load the demo organisation with 12 months of scores and known passwords (idempotent)."

    def handle(self, *args, **options):
        # Eligibility is the domain's rule (approvals, PROMO-2); imported here, at the entry
        # point, because org sits below approvals and must not import it.
        from approvals.eligibility import evaluate
        from workflows.demo_activity import demo_activity, demo_months_settle
        from workflows.probation import probations_open_missing

        # SCORE-10: an ended month holding ledger events is closed before org.demo imports it.
        settled = demo_months_settle()
        report = demo_seed()
        opened = probations_open_missing()  # PROB-1: the probationers' cases (idempotent)
        # The ledger, sales, the pay sheet's month, the roster, punches and findings (idempotent).
        activity = demo_activity(settled=settled)
        load = report.load
        self.stdout.write(
            f"demo organisation 演示组织: {load.people_created} people created 新建人员, "
            f"{load.people_unchanged} kept 保留; "
            f"{report.assessments_created} monthly scores created 新建月度考核; "
            f"{opened} probations opened 新建试用期"
        )
        self.stdout.write(activity.summary())
        self.stdout.write(f"Demo logins 演示账号 — password for everyone 统一密码: {DEMO_PASSWORD}")
        table = [("login 账号", "name 姓名", "roles 角色", "level 职级", "next level 晋升资格")]
        for employee in report.people:
            target = next_level(employee.level)
            if target is None:
                verdict = "-"
            elif target == Level.JUNIOR:
                verdict = "junior: probation conversion 转正 (PROB-*)"
            elif evaluate(employee, target).eligible:
                verdict = f"{target}: eligible 符合"
            else:
                verdict = f"{target}: not eligible 不符合"
            table.append(
                (
                    employee.user.username,
                    employee.name,
                    ", ".join(roles_of(employee.user)) or "employee",
                    employee.level or "-",
                    verdict,
                )
            )
        widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            self.stdout.write(
                "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            )
        self.stdout.write(self._admin_logins(report.people))

    @staticmethod
    def _admin_logins(people) -> str:
        """Who opens the admin (org.roles.STAFF_ROLES), each limited to what their role keeps."""
        keepers = {Role.ADMINISTRATION: [], Role.GM_OFFICE: []}
        for employee in people:
            roles = roles_of(employee.user)
            for role, logins in keepers.items():
                if role in roles:
                    logins.append(employee.user.username)
        labels = {
            Role.ADMINISTRATION: "administration 行政: organisation, calendar, leave balances, "
            "outbox 组织、日历、假期余额、发件箱",
            Role.GM_OFFICE: "GM office 总经办: policy versions 政策版本",
        }
        lines = [f"Admin 管理后台 {settings.SITE_URL.rstrip('/')}/admin/ (same password 同一密码):"]
        for role, logins in keepers.items():
            if logins:
                lines.append(f"  {', '.join(logins)} — {labels[role]}")
        return "\n".join(lines)
