"""The OpenAPI schema's one place for the error responses every endpoint can give (issue 11).

Every view of the API answers its errors with the body `{"code", "detail", "rule"}` (api.errors):
400 (invalid input, or a policy rule refuses it), 401 (no or a wrong token), 403 (not allowed),
404 (no such case, or one the caller may not see), 409 (the case moved on; someone is acting on
it), 429 (throttled); a request with a body may also get 415 (a content type no parser reads).
drf-spectacular documents only the success response of a view; this AutoSchema adds the error
responses to every operation, so a client generated from the schema, and the schemathesis run
(tests/security/test_schemathesis.py), know them all. A view that documents one of these codes
itself keeps its own. It is REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS, so a new view has it too;
tests/security/test_schemathesis.py fails for an operation that lacks them.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (API.md: errors)."""

    code = serializers.CharField(help_text="machine-readable, snake_case")
    detail = serializers.CharField(help_text="human text in the request's language")
    rule = serializers.CharField(allow_null=True, help_text="the POLICY rule ID, or null")
    field = serializers.CharField(required=False, help_text="the input field at fault")
    # The metaclass takes this declaration out of the class body: it does not shadow
    # Serializer.fields.
    fields = serializers.DictField(required=False, help_text="per-field errors (code invalid)")


ERRORS = {
    "400": "Invalid input, or a policy rule refuses it (`rule` names it).",
    "401": "Not authenticated.",
    "403": "Authenticated but not allowed to do this.",
    "404": "Does not exist, or the caller may not see it.",
    "409": "The case is no longer in a state that allows this, or someone is acting on it.",
    "429": "Too many requests (throttled); retry later.",
}
WITH_BODY = {"415": "The request's content type is not one the endpoint reads."}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WITH_BODY)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
