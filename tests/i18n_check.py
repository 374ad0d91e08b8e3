"""Finding English left in a page rendered for a Chinese reader (the page tests and the browser
suite share it)."""

import re
from html.parser import HTMLParser

# What may stay Latin in a Chinese page: rule IDs (PROMO-2), file types and sizes, grades, the
# language switch's own "English". Text in <code> is literal: what a person types or a file
# must hold as it is (a column header "username", a policy version), never a sentence.
ALLOWED = re.compile(
    r"^(?:[A-Z]+-\d+(?:\.\d+)?|PDF|JPEG|PNG|CSV|XLSX|Excel|MB|KB|B|English|A|C|D|E)$"
)
LITERAL = ("script", "style", "code")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+(?:-(?:\d+(?:\.\d+)?|\*))?")


class _Text(HTMLParser):
    """Visible text and the attributes a reader sees (placeholder, title, aria-label, alt)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in LITERAL:
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in LITERAL and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def english_words(html: str, allowed_words=frozenset()) -> list[str]:
    """The Latin words of the page's visible text that are neither allowed nor in
    `allowed_words` (people's names and usernames)."""
    parser = _Text()
    parser.feed(html)
    words = WORD.findall(" ".join(parser.parts))
    return sorted({w for w in words if not ALLOWED.match(w) and w not in allowed_words})


def names_of_people() -> set[str]:
    """The Latin words in the organisation's names and usernames (allowed in any page)."""
    from org.models import Employee

    words = set()
    for username, name in Employee.objects.values_list("user__username", "name"):
        words |= set(WORD.findall(username)) | set(WORD.findall(name))
    return words
