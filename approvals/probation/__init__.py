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

Decisions where POLICY.md is silent:
- Trainer: the org data names no trainer per employee, so the exam is recorded by a holder of
  the trainer role in the probationer's department; for a department without one, by any
  trainer. A failed exam may be retaken; the latest result counts.
- Opening (PROB-1): `workflows.probation.probation_start` at hire; load_org, seed_demo,
  `manage.py open_probations` and the scheduler's sweep backfill every active probationer
  without a case (idempotent; one case per employee, an extension moves its end date).
- The lead's three outcomes all go to the GM office (company approval): `assess` (convert or
  end) and `extend`. An approved extension moves the end date at once and reopens the
  assessment; a rejection reopens it too (an early application lapses with it). A converted
  or ended case is confirmed by administration with an effective date (conversion: the end
  date, or today for an early one; end: today), and takes effect on it.
- Ending employment closes the employee's login (user.is_active = False) on the effective
  date; the employee and every record stay.
- "Probation months" are the recorded monthly assessments from the hire month to the end
  date; a month without a score neither helps nor counts against (PROB-2 tier check).
  Early conversion (PROB-4) needs at least one such month, all grade A, and a passed exam.
- PROB-5: the assessment is due when the end date begins (00:00 local); reminders go to the
  lead `reminder_days_before` days before it, and the GM office is told just after it, while
  the lead has not assessed (a met deadline cancels them).
"""
