"""Excellent employee of the month (月度优秀员工, AWARD-1, AWARD-2).

After the month closes, administration opens a department's award: every employee of the
department on the ladder is listed with why they qualify or not (AWARD-1); the anonymous
department vote (approvals.ballot, PROMO-3.2) picks the top two, ties included; then lead review →
company assessment (administration) → GM approval → the public notice, the mail to all and the
award booked to the month's pay (PAY-1).
"""
