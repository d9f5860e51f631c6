"""Names and free text without control characters or bidirectional-text controls.

A child named `Rtl\\u202etxt.exe` shows reversed in the admin and wherever its name is printed;
`ESC [31m` in a name reaches a CSV export or a terminal raw. Names, descriptions and reasons refuse
every control character (Unicode category Cc: U+0000-U+001F and U+007F-U+009F) and the bidi
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). Multi-line fields (a reward's
description) still take line breaks: a line feed, or a carriage return followed by one (what a
browser's text area sends); a carriage return alone is refused.

The validators serve both DRF fields and model fields (so that the admin's forms refuse the same).
"""

import re

from django.core.exceptions import ValidationError

UNSAFE_CHARACTER = (
    "Must not contain control characters or bidirectional text controls (found U+{code_point:04X})."
)

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
SINGLE_LINE_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# The same, less the line feed; a carriage return only when no line feed follows it.
MULTI_LINE_UNSAFE = re.compile(f"[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]|\r(?!\n)")


def validate_single_line_text(value: str) -> None:
    """For names and reasons: no control character at all, no bidi control."""
    refuse_match(SINGLE_LINE_UNSAFE.search(value))


def validate_multi_line_text(value: str) -> None:
    """For descriptions: line breaks allowed (LF or CRLF), other controls and bidi controls not."""
    refuse_match(MULTI_LINE_UNSAFE.search(value))


def refuse_match(match: re.Match | None) -> None:
    if match is not None:
        raise ValidationError(
            UNSAFE_CHARACTER.format(code_point=ord(match.group()[0])), code="unsafe_character"
        )
