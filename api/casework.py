"""Casework over the REST API (CASE-1..7): thin views over `casework.services`.

On every case resource (CaseworkActions, mixed into CaseViewSet):
- `POST <id>/transfer/ {"to": <employee id>, "comment"}` (CASE-1)
- `POST <id>/consult/ {"to", "question"}`, `POST <id>/consult-reply/ {"answer"}` (CASE-2)
- `POST <id>/urge/ {}` (CASE-3)
- `POST <id>/cc/ {"people": [<employee id>...], "comment"}` (CASE-4)
- `POST <id>/comment/ {"body"}` (CASE-5)
- `POST <id>/attachments/` multipart, field `file` (CASE-6): 201
Each answers with the updated case. Bulk decisions (CASE-7): `POST <resource>/bulk/<approve|
reject>/ {"ids": [...], "comment" | "reason"}` → `{"results": [...]}` for leaves, shift swaps and
punch make-ups. Claiming a queued step: `POST inbox/<task_id>/claim/` → its inbox row.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.errors import InvalidInput
from casework import services
from casework.participation import facts_for
from casework.selectors import casework_actions, casework_for


def _body(request) -> dict:
    """The request's JSON object (every API view reads its body through this)."""
    data = request.data
    if not hasattr(data, "get"):
        raise InvalidInput(_("The request body must be a JSON object."), code="invalid")
    return data


def _iso(value):
    return value.isoformat() if value else None


# --- the representation ------------------------------------------------------------------------


def casework_context(flow_class, cases) -> dict:
    """Serializer context for a list of cases: their casework in a constant number of queries."""
    facts = facts_for(flow_class, cases)
    return {"casework_facts": facts, "casework": casework_for(flow_class, cases, facts=facts)}


def casework_fields(context, case) -> dict:
    """The casework fields of a case representation (CaseSerializer.case_common)."""
    flow_class = context["flow_class"]
    if "casework" not in context or case.pk not in context["casework"]:
        context = {**context, **casework_context(flow_class, [case])}
    if flow_class.instance.limited_reader(context["request"].user, case):
        # A voter or a witness reads their part of the case, not the work around it.
        return {
            "comments": [],
            "attachments": [],
            "consultations": [],
            "cc": [],
            "casework_actions": [],
        }
    work = context["casework"][case.pk]
    return {
        "comments": [
            {"id": c["id"], "at": _iso(c["at"]), "author": c["author"], "body": c["body"]}
            for c in work["comments"]
        ],
        "attachments": work["attachments"],
        "consultations": [
            {
                **c,
                "asked_at": _iso(c["asked_at"]),
                "answered_at": _iso(c["answered_at"]),
            }
            for c in work["consultations"]
        ],
        "cc": [{"name": c["name"], "at": _iso(c["at"]), "by": c["by"]} for c in work["cc"]],
        "casework_actions": casework_actions(
            context["request"].user, flow_class, case, facts=context["casework_facts"][case.pk]
        ),
    }


# --- actions on a case -------------------------------------------------------------------------


def _schema(name: str, fields: dict, *, summary: str):
    """extend_schema for a casework action (it goes on top of @action, as in api.views); the
    response is the viewset's own case representation."""
    return extend_schema(request=inline_serializer(name=name, fields=fields), summary=summary)


class CaseworkActions:
    """Mixed into api.views.CaseViewSet: the casework actions of every kind of case."""

    def _casework(self, request, pk, service, status=200, **kwargs):
        case = self.get_case(pk)
        service(flow_class=self.flow_class, case=case, actor=request.user, **kwargs)
        # Still visible to the actor in the usual case; after a transfer a reviewer by role
        # always is, and the representation of what they just changed is theirs to see.
        case = self.get_queryset().filter(pk=case.pk).first() or case
        return Response(self.represent(case), status=status)

    @_schema(
        "CaseTransferBody",
        {"to": serializers.IntegerField(), "comment": serializers.CharField(required=False)},
        summary="transfer",
    )
    @action(detail=True, methods=["post"], url_path="transfer", url_name="transfer")
    def transfer(self, request, pk=None):
        body = _body(request)
        return self._casework(
            request, pk, services.case_transfer, to=body.get("to"), comment=body.get("comment")
        )

    @_schema(
        "CaseConsultBody",
        {"to": serializers.IntegerField(), "question": serializers.CharField()},
        summary="consult",
    )
    @action(detail=True, methods=["post"], url_path="consult", url_name="consult")
    def consult(self, request, pk=None):
        body = _body(request)
        return self._casework(
            request, pk, services.case_consult, to=body.get("to"), question=body.get("question")
        )

    @_schema("CaseConsultReplyBody", {"answer": serializers.CharField()}, summary="consult-reply")
    @action(detail=True, methods=["post"], url_path="consult-reply", url_name="consult-reply")
    def consult_reply(self, request, pk=None):
        body = _body(request)
        return self._casework(request, pk, services.consultation_answer, answer=body.get("answer"))

    @_schema("CaseUrgeBody", {}, summary="urge")
    @action(detail=True, methods=["post"], url_path="urge", url_name="urge")
    def urge(self, request, pk=None):
        return self._casework(request, pk, services.case_urge)

    @_schema(
        "CaseCcBody",
        {
            "people": serializers.ListField(child=serializers.IntegerField()),
            "comment": serializers.CharField(required=False),
        },
        summary="cc",
    )
    @action(detail=True, methods=["post"], url_path="cc", url_name="cc")
    def cc(self, request, pk=None):
        body = _body(request)
        return self._casework(
            request, pk, services.case_cc, people=body.get("people"), comment=body.get("comment")
        )

    @_schema("CaseCommentBody", {"body": serializers.CharField()}, summary="comment")
    @action(detail=True, methods=["post"], url_path="comment", url_name="comment")
    def comment(self, request, pk=None):
        body = _body(request)
        return self._casework(request, pk, services.case_comment, body=body.get("body"))

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                name="CaseAttachmentBody", fields={"file": serializers.FileField()}
            )
        },
        summary="attachments",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="attachments",
        url_name="attachments",
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        return self._casework(
            request, pk, services.attachment_add, status=201, file=request.FILES.get("file")
        )


# --- CASE-7 bulk decisions ---------------------------------------------------------------------

_RESULT = inline_serializer(
    name="BulkDecideResult",
    fields={
        "results": serializers.ListField(
            child=inline_serializer(
                name="BulkDecideItem",
                fields={
                    "id": serializers.IntegerField(),
                    "ok": serializers.BooleanField(),
                    "state": serializers.CharField(required=False),
                    "code": serializers.CharField(required=False),
                    "detail": serializers.CharField(required=False),
                    "rule": serializers.CharField(required=False, allow_null=True),
                },
            )
        )
    },
)


class BulkDecideView(APIView):
    """`POST <resource>/bulk/<approve|reject>/ {"ids": [...], "comment" | "reason"}`: one
    result per id; a refusal of one case never stops the others (CASE-7)."""

    flow_class = None

    @extend_schema(
        request=inline_serializer(
            name="BulkDecideBody",
            fields={
                "ids": serializers.ListField(child=serializers.IntegerField(), max_length=100),
                "comment": serializers.CharField(required=False),
                "reason": serializers.CharField(required=False),
            },
        ),
        responses=_RESULT,
        parameters=[
            OpenApiParameter("decision", str, OpenApiParameter.PATH, enum=["approve", "reject"])
        ],
    )
    def post(self, request, decision: str):
        body = _body(request)
        results = services.bulk_decide(
            flow_class=self.flow_class,
            ids=body.get("ids"),
            name=decision,
            actor=request.user,
            payload={"comment": body.get("comment"), "reason": body.get("reason")},
        )
        return Response({"results": results})


# --- claiming a queued step --------------------------------------------------------------------


class TaskClaimView(APIView):
    """`POST inbox/<task_id>/claim/`: the queued step becomes the caller's; answers its inbox
    row. 409 when someone claimed it first, 403 when it is not queued for the caller's role."""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, task_id: int):
        from workflows.inbox import task_row

        task, _case = services.task_claim(task=task_id, actor=request.user)
        row = task_row(request.user, task.pk)
        if row is None:
            raise Http404
        return Response(row)
