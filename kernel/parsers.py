"""Request body parsers. Kept apart from `kernel.api`: DRF imports the classes named in
`DEFAULT_PARSER_CLASSES` while `rest_framework.views` loads, which `kernel.api` itself imports."""

from typing import Any

from rest_framework import exceptions, parsers

JSON_TOO_DEEP = "JSON parse error - nested too deeply."
JSON_LONE_SURROGATE = (
    "JSON parse error - a \\u escape names a lone surrogate (U+D800 to U+DFFF), which is not text."
)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 to JSON nested deeper than Python's decoder goes (it raises
    RecursionError, which DRF does not catch: a 500 for a body like `[[[[...`), and to a string or
    key holding a lone surrogate: Python's decoder accepts `"\\ud800"`, but such a string cannot be
    encoded as UTF-8, so rendering any answer that repeats it (a 400 naming the field) is a 500, and
    PostgreSQL could not store it either."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(JSON_TOO_DEEP) from None
        if _holds_lone_surrogate(data):
            raise exceptions.ParseError(JSON_LONE_SURROGATE)
        return data


def _holds_lone_surrogate(data: Any) -> bool:
    # Iterative: the decoder already bounded the depth, but a recursive walk would need the same
    # stack again on top of the request's.
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
