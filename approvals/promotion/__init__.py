"""Promotion (晋升): self-application → department nomination (optional anonymous vote) → GM review
→ defence before a panel → confirmation by administration → the new level takes effect.

Actors: the applicant (employee), the department lead (or the GM office for a lead's own
application), department members (anonymous vote), the GM office, administration, defence panel.
Rules: ORG-3, PROMO-1 .. PROMO-6 (POLICY.md §3).
"""
