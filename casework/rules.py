"""The figures of the casework rules (CASE-3, CASE-6), named once."""

import datetime as dt

# CASE-3: each open task of a case may be urged once per this interval.
URGE_INTERVAL = dt.timedelta(hours=24)

# CASE-6: the largest attachment, and the kinds of file accepted, recognised by their first
# bytes (magic numbers) and by the file name's extension alike.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    # content type: (magic prefixes, extensions, canonical extension)
    "application/pdf": ((b"%PDF-",), (".pdf",), ".pdf"),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg"), ".jpg"),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",), ".png"),
}
ATTACHMENT_TYPE_LABEL = "PDF, JPEG, PNG"

# CASE-2, CASE-5: questions, answers and comments.
TEXT_MAX_CHARS = 2000

# CASE-4: people copied in at once.
CC_MAX_PEOPLE = 20

# CASE-7: cases decided in one bulk request.
BULK_MAX_IDS = 100
