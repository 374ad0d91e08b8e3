"""The words people read for each action name (the API keeps the codes): the pages' buttons and
the refusals that name an action ("“批准” is no longer possible")."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "withdraw": _("Withdraw"),
    "open-vote": _("Open the department vote"),
    "vote": _("Vote"),
    "close-vote": _("Close the vote"),
    "nominate": _("Nominate"),
    "decline": _("Decline"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "send-back": _("Send back to the lead"),
    "schedule-defence": _("Schedule the defence"),
    "score-defence": _("Record my score"),
    "confirm": _("Confirm"),
    "sign": _("Sign (acknowledge receipt)"),
    "refuse-to-sign": _("Refuse to sign"),
    "name-witnesses": _("Name the witnesses"),
    "witness": _("Sign as witness"),
    "object": _("Object"),
    "respond": _("Answer the objection"),
    "escalate": _("Ask the GM office to raise the sanction"),
    "replace-witness": _("Replace a witness"),
    "consent": _("Consent to the swap"),
    "refuse": _("Refuse the swap"),
    "cancel": _("Cancel the request"),
    "record-exam": _("Record the skills exam"),
    "assess": _("Record the assessment"),
    "extend": _("Extend probation"),
}
# Labels for the same action name where processes differ (by case type).
ACTION_LABELS_BY_CASE = {
    ("penalty", "approve"): _("Approve the sanction"),
    ("penalty", "reject"): _("Refuse (the sanction falls back)"),
    ("leave", "approve"): _("Approve the leave"),
    ("leave", "reject"): _("Refuse the leave"),
    ("probation", "approve"): _("Approve the outcome"),
    ("probation", "reject"): _("Reject (back to the lead)"),
    ("probation", "confirm"): _("Confirm the effective date"),
}


def action_label(case_type: str, name: str):
    """The action `name` of a case of `case_type` (a model name), in words."""
    return ACTION_LABELS_BY_CASE.get((case_type, name), ACTION_LABELS.get(name, name))
