"""Attendance requests (调班、补卡), POLICY.md §5.

- Shift swap 调班 (SWAP-1): the requester names a colleague of the same department and the two
  shifts; the colleague consents (or refuses), then the department lead approves or rejects (the
  GM office when the requester or the colleague is the lead). The requester may cancel until the
  approval.
- Missed-punch make-up 补卡 (PUNCH-1): asked within the window after the missed punch (3 days:
  to the end of the third local day after it), with a reason, at most 5 a month per employee;
  approved or rejected by the department lead (the GM office for a lead's own).

Actors: the employee (requester), the colleague, the department lead (or their LEAVE-6
delegate), the GM office. Rules: SWAP-1, PUNCH-1, LEAVE-6.
"""
