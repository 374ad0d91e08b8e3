"""Domain events, sent by the sweep when it dispatches the outbox (approvals.events): after the
change has committed, never inside the action's request. Receivers (notifications) are told what
happened; they never drive the domain. A receiver declares the actions it handles with
`approvals.events.listen_to`."""

from django.dispatch import Signal

# kwargs: case_type, case_id, action, actor_id, from_state, to_state
case_changed = Signal()
