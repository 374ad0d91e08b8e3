"""Organisation files (the load_org format of shared/org-example.json) for tests: the smallest
file that has a department lead, an off-ladder member and a ladder agent."""

import json


def person(username, *, department="cs", level="junior", roles=(), hired_on="2024-03-01"):
    return {
        "username": username,
        "name": username.upper(),
        "email": f"{username}@example.com",
        "department": department,
        "level": level,
        "roles": list(roles),
        "hired_on": hired_on,
    }


def org_data() -> dict:
    return {
        "company": {"name": "Test Co", "timezone": "Asia/Shanghai"},
        "departments": [
            {"code": "cs", "name": "客服部", "lead": "lead"},
            {"code": "admin", "name": "行政部", "lead": None},
        ],
        "people": [
            person("lead", level="senior", roles=["department_lead", "defence_panel"]),
            person("clerk", department="admin", level=None, roles=["administration"]),
            person("agent", hired_on="2025-01-06"),
        ],
    }


def write_org(tmp_path, data: dict) -> str:
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)
