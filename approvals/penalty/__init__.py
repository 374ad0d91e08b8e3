"""Penalties and appeals (处罚与申诉): the department lead drafts and serves a penalty slip → the
employee signs it, or refuses and two witnesses sign → the employee may object within the window
→ the objection is answered (uphold, reduce, revoke) by someone other than the issuer, or
escalates to the GM office when overdue → the sanction becomes final, its fine and points are
booked, and the warning ladder is applied. Dismissal proposals and raised refused slips need the
GM office's approval.

Actors: department lead (issuer), employee, witnesses, the responder (lead or GM office), GM
office. Rules: PEN-1 .. PEN-3, APPEAL-1 .. APPEAL-4, DEADLINE-1 .. 3 (POLICY.md §6, §7).
"""
