"""Probation conversion (转正): every new hire starts as a probationer with a probation end date
(PROB-1) → the trainer records the skills exam → the department lead assesses: convert, extend
once (reason, up to the policy's maximum) or end employment (reason) → the GM office approves or
rejects → administration confirms the effective date; on it the level becomes junior (or the
login is closed for an ended employment). An employee with grade-A months and a passed exam may
apply for early conversion before the end date (PROB-4). The lead is reminded before the end date
while no assessment is under way, and the GM office is told at the end date (PROB-5).

Actors: employee (probationer), trainer, department lead (or the GM office for a department
without one), GM office, administration. Rules: PROB-1 .. PROB-5 (POLICY.md §4), DEADLINE-1..2,
LEAVE-6 (the lead's assessment is delegable).
"""
