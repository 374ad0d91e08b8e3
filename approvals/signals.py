"""Domain events, sent after the transaction commits. Receivers (notifications) are told what
happened; they never drive the domain."""

from django.dispatch import Signal

# kwargs: case_type, case_id, action, actor_id, from_state, to_state
case_changed = Signal()
