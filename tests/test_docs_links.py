"""The repository stands alone: every link in README.md, DEVELOPERS.md and docs/*.md points to a
file of the repository (a clone has nothing beside it, so no `../shared/...`), and no page sends
the reader to the web, except the product's own examples on localhost."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "DEVELOPERS.md", *(ROOT / "docs").glob("*.md")])
LOCAL_HOSTS = {"localhost", "127.0.0.1"}

# [text](target "title"), ![alt](target), <scheme://...>, and [label]: target definitions.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
BARE_URL = re.compile(r"(?<![<(])\bhttps?://[^\s<>()\[\]`]+")  # GitHub links these too
DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def links(text: str) -> list[str]:
    """The link targets of a markdown text, code blocks and code spans left out."""
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    found = INLINE.findall(text) + AUTOLINK.findall(text) + DEFINITION.findall(text)
    return found + [url.rstrip(".,;:") for url in BARE_URL.findall(INLINE.sub("", text))]


def anchors(path: Path) -> set[str]:
    """The heading anchors GitHub makes for a markdown file: lower case, punctuation dropped,
    spaces to hyphens, repeated headings numbered."""
    seen: dict[str, int] = {}
    result = set()
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        result.add(slug if n == 0 else f"{slug}-{n}")
    return result


def problem(page: Path, target: str) -> str | None:
    parts = urlsplit(target)
    if parts.scheme in ("http", "https"):
        return None if parts.hostname in LOCAL_HOSTS else "leaves for the web"
    if parts.scheme or target.startswith("//"):
        return "not a file of the repository"
    path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if not path.is_relative_to(ROOT):
        return "leaves the repository"
    if not path.exists():
        return "no such file in the repository"
    if parts.fragment and path.suffix == ".md" and unquote(parts.fragment) not in anchors(path):
        return "no such heading"
    return None


def test_the_pages_exist():
    assert (ROOT / "docs" / "README.md") in PAGES
    assert len(PAGES) >= 6


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page):
    bad = [
        (target, why)
        for target in links(page.read_text(encoding="utf-8"))
        if (why := problem(page, target))
    ]
    assert bad == []


def test_the_checker_refuses_what_a_clone_cannot_follow():
    page = ROOT / "README.md"
    assert links("see [x](../shared/POLICY.md) and <https://example.com/>") == [
        "../shared/POLICY.md",
        "https://example.com/",
    ]
    assert problem(page, "../shared/POLICY.md") == "leaves the repository"
    assert problem(page, "https://github.com/viewflow/viewflow") == "leaves for the web"
    assert problem(page, "docs/missing.md") == "no such file in the repository"
    assert problem(page, "http://127.0.0.1:8000/inbox/") is None
    assert problem(page, "docs/policy.md#3-promotion-晋升") is None
    assert problem(page, "docs/policy.md#no-such-heading") == "no such heading"
    assert problem(ROOT / "docs" / "api.md", "../README.md") is None
    assert links("`[not](a-link.md)`") == []
    assert links("open http://127.0.0.1:8000/inbox/.") == ["http://127.0.0.1:8000/inbox/"]
