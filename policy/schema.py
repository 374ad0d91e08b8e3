"""The policy pack's JSON Schema (policy/packs/schema.json): every key the engine reads, with its
type. A pack that does not match is refused before the linter looks at its tables, so a typo (a
wrong type, a missing key, an unknown key) is reported with its JSON path instead of breaking a
rule at run time."""

import functools
import json

from jsonschema import Draft202012Validator

from .pack import PACKS_DIR

SCHEMA_PATH = PACKS_DIR / "schema.json"


@functools.cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _key_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if key.isidentifier() else f"{parent}[{json.dumps(key)}]"


def schema_errors(data) -> list[tuple[str, str]]:
    """(JSON path, message) for each way `data` departs from the schema, in document order.
    A missing or unknown key is reported at its own path (`$.penalties`, `$.salarys`)."""
    errors = []
    for error in sorted(validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = error.json_path
        if error.validator == "required" and isinstance(error.instance, dict):
            for key in error.validator_value:
                if key not in error.instance:
                    errors.append((_key_path(path, key), "a required key is missing"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            extras = [k for k in error.instance if k not in known] or [""]
            for key in extras:
                errors.append((_key_path(path, key) if key else path, error.message))
        else:
            errors.append((path, error.message))
    return errors
