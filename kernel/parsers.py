"""Request body parsers. Kept apart from `kernel.api`: DRF imports the classes named in
`DEFAULT_PARSER_CLASSES` while `rest_framework.views` loads, which `kernel.api` itself imports."""

from typing import Any

from rest_framework import exceptions, parsers

JSON_TOO_DEEP = "JSON parse error - nested too deeply."


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 to JSON nested deeper than Python's decoder goes (it raises
    RecursionError, which DRF does not catch: a 500 for a body like `[[[[...`)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(JSON_TOO_DEEP) from None
