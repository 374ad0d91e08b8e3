"""The month's award of a department, its candidates and who has voted (AWARD-1, AWARD-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class AwardState(models.TextChoices):
    OPENED = "opened", _("Candidates listed, vote not yet open")
    VOTING = "voting", _("Department vote open")
    LEAD_REVIEW = "lead_review", _("Awaiting lead review")
    ASSESSMENT = "assessment", _("Awaiting company assessment")
    GM_APPROVAL = "gm_approval", _("Awaiting GM approval")
    PUBLISHED = "published", _("Published")
    NO_AWARD = "no_award", _("No award this month")


S = AwardState
OPEN_STATES = [S.OPENED, S.VOTING, S.LEAD_REVIEW, S.ASSESSMENT, S.GM_APPROVAL]
# The review steps, in order, with the candidate field each one fills (AWARD-1).
REVIEW_STEPS = {S.LEAD_REVIEW: "review", S.ASSESSMENT: "assess", S.GM_APPROVAL: "approve"}


class Award(models.Model):
    """One department's award for one month. `employee` is the administration member who opened
    it (the engine's lists and inbox name every case by its `employee`); the candidates are
    `candidates`. The vote keeps counters on the candidate rows only (approvals.ballot)."""

    employee = models.ForeignKey(
        "org.Employee", verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    policy_version = models.CharField(max_length=40)
    state = FSMField(default=S.OPENED, choices=AwardState.choices, db_index=True)
    amount = models.DecimalField(_("award"), max_digits=8, decimal_places=2)
    submitted_at = models.DateTimeField()  # opened
    closed_at = models.DateTimeField(null=True, blank=True)
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    vote_closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("award of the month")
        verbose_name_plural = _("awards of the month")
        ordering = ["-month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="one_award_per_month")
        ]
        indexes = [models.Index(fields=["month", "state"])]

    def __str__(self):
        return f"{self.department} {self.month:%Y-%m}"

    @transition(field=state, source=S.OPENED, target=S.VOTING)
    def open_vote(self):
        pass

    @transition(field=state, source=S.VOTING, target=S.LEAD_REVIEW)
    def close_vote(self):
        pass

    @transition(field=state, source=S.LEAD_REVIEW, target=S.ASSESSMENT)
    def review(self):
        pass

    @transition(field=state, source=S.ASSESSMENT, target=S.GM_APPROVAL)
    def assess(self):
        pass

    @transition(field=state, source=S.GM_APPROVAL, target=S.PUBLISHED)
    def approve(self):
        pass

    @transition(
        field=state,
        source=[S.VOTING, S.LEAD_REVIEW, S.ASSESSMENT, S.GM_APPROVAL],
        target=S.NO_AWARD,
    )
    def end_without_award(self):
        pass


class AwardCandidate(models.Model):
    """An employee of the department as listed when the award was opened (AWARD-1): eligible or
    not, with the reasons (rule IDs, in both catalog languages). `votes` is the ballot counter
    (approvals.ballot), read only once the vote is closed. `shortlisted`: in the top two (ties
    included, AWARD-2). A refusal at a review step records the step and its reason."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="candidates")
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField()
    reasons = models.JSONField(default=dict)  # {"rules": [...], "zh-hans": [...], "en": [...]}
    votes = models.PositiveIntegerField(default=0)
    shortlisted = models.BooleanField(default=False)
    refused_at = models.CharField(max_length=12, blank=True, default="")  # review|assess|approve
    refused_reason = models.TextField(blank=True, default="")
    awarded = models.BooleanField(default=False)

    class Meta:
        ordering = ["award", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "employee"], name="one_candidacy_per_award"),
            models.CheckConstraint(
                condition=models.Q(refused_at="") | ~models.Q(refused_reason=""),
                name="award_refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["employee", "awarded"])]

    def __str__(self):
        return f"{self.award_id}: {self.employee_id}"

    @property
    def still_in(self) -> bool:
        return self.shortlisted and not self.refused_at


class AwardVoter(models.Model):
    """Who has voted, so nobody votes twice (AWARD-2, PROMO-3.2). Holds no ballot content and no
    time: the ballot only increments a candidate's counter."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="voters")
    voter = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["award", "voter"], name="one_award_vote_per_voter")
        ]

    def __str__(self):
        return f"{self.voter_id} voted on award {self.award_id}"
