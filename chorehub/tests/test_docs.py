"""The docs stay honest: every example response in docs/ (and the README) parses and matches the
OpenAPI schema, the README stays short, and every relative link resolves.

How an example is marked, in the Markdown: an HTML comment on the line right before the fenced
block (invisible when rendered).

    <!-- response: POST /api/children/{id}/activate/ 200 -->   the block is that operation's answer
    <!-- schema: PointsActionEvent -->                          the block is that component
    <!-- stream: GET /api/events/ 200 -->                       each `data: {...}` line of the
                                                                block is one event of that stream
    <!-- json: what it is -->                                   JSON that is no API answer (an
                                                                audit log line): parsed only

Every ```json block needs one of them, so a block cannot escape the check by being unmarked.
Validation is stricter than OpenAPI's default: an object that declares its properties may not carry
others, so an example with a field the API does not send fails.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_MAX_LINES = 220
# Fewer checked examples than this means the marker convention broke, not that the docs shrank.
MIN_CHECKED_EXAMPLES = 40

MARKER = re.compile(r"^<!--\s*(response|schema|stream|json):\s*(.*?)\s*-->$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*) (\d{3})$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Block:
    """A fenced block of a Markdown file, with the marker on the line before it, if any."""

    path: Path
    line: int  # of the opening fence, 1-based
    end: int  # of the closing fence (or the file's last line)
    lang: str
    text: str
    marker: tuple[str, str] | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


@cache
def blocks_of(path: Path) -> tuple[Block, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, lang = opening.groups()
        end = index + 1
        while end < len(lines) and not re.match(
            rf"^ {{0,3}}{fence[0]}{{{len(fence)},}}\s*$", lines[end]
        ):
            end += 1
        previous = MARKER.match(lines[index - 1].strip()) if index else None
        blocks.append(
            Block(
                path=path,
                line=index + 1,
                end=min(end + 1, len(lines)),
                lang=lang.lower(),
                text="\n".join(lines[index + 1 : end]),
                marker=previous.groups() if previous else None,
            )
        )
        index = end + 1
    return tuple(blocks)


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """The lines of a Markdown file outside fenced blocks, numbered from 1."""
    fenced = set()
    for block in blocks_of(path):
        fenced.update(range(block.line, block.end + 1))
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(number, line) for number, line in enumerate(lines, 1) if number not in fenced]


def marked_blocks() -> list[Block]:
    return [block for path in markdown_files() for block in blocks_of(path) if block.marker]


# The OpenAPI schema, as JSON Schema.


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Lazy translations and other non-JSON values become plain JSON, as /api/schema/ serves them.
    return json.loads(json.dumps(schema, default=str))


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema object → JSON Schema: `nullable` becomes a union with null, and an object
    that lists its properties allows no others."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "nullable":
            continue
        if key == "properties":
            result[key] = {name: as_json_schema(sub) for name, sub in value.items()}
        elif key in {"items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"}:
            result[key] = as_json_schema(value)
        else:
            result[key] = value
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, result]}
    return result


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    if isinstance(value, str):
        if not RFC3339.match(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def validate(instance: Any, schema: dict[str, Any], openapi: dict[str, Any], where: str) -> None:
    root = dict(as_json_schema(schema))
    components = openapi["components"]["schemas"]
    root["components"] = {"schemas": {name: as_json_schema(c) for name, c in components.items()}}
    validator = jsonschema.Draft202012Validator(root, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    # A union (nullable, oneOf) reports only "not valid under any"; its best branch says why.
    errors = [jsonschema.exceptions.best_match([error]) for error in errors]
    assert not errors, f"{where}: the example does not match the schema:\n" + "\n".join(
        f"  at {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in errors
    )


def response_schema(openapi: dict[str, Any], operation: str, where: str) -> dict[str, Any]:
    match = OPERATION.match(operation)
    assert match, f"{where}: {operation!r} is not 'METHOD /path/ STATUS'"
    method, path, status = match.groups()
    operations = openapi["paths"].get(path)
    assert operations, f"{where}: the schema has no path {path}"
    spec = operations.get(method.lower())
    assert spec, f"{where}: the schema has no {method} {path}"
    response = spec["responses"].get(status)
    assert response, (
        f"{where}: the schema documents no {status} for {method} {path} "
        f"(it has {', '.join(spec['responses'])})"
    )
    content = response.get("content", {})
    media = content.get("application/json")
    if media is None and len(content) == 1:
        media = next(iter(content.values()))
    assert media and "schema" in media, f"{where}: {method} {path} {status} has no response body"
    return media["schema"]


def stream_data(block: Block) -> list[tuple[int, Any]]:
    """The JSON of each `data:` line of an event stream transcript, with its line number."""
    found = []
    for offset, line in enumerate(block.text.splitlines(), 1):
        if line.startswith("data:") and line[len("data:") :].strip():
            found.append((block.line + offset, json.loads(line[len("data:") :])))
    return found


@pytest.mark.parametrize("block", marked_blocks(), ids=lambda block: block.where)
def test_example_parses_and_matches_the_schema(block: Block, openapi: dict[str, Any]) -> None:
    kind, argument = block.marker
    if kind == "stream":
        schema = response_schema(openapi, argument, block.where)
        events = stream_data(block)
        assert events, f"{block.where}: a stream transcript with no `data: {{...}}` line"
        for line, data in events:
            validate(data, schema, openapi, f"{block.path.relative_to(ROOT)}:{line}")
        return
    assert block.lang == "json", f"{block.where}: a {kind} marker before a {block.lang!r} block"
    try:
        example = json.loads(block.text)
    except json.JSONDecodeError as error:
        pytest.fail(f"{block.where}: not one JSON document: {error}")
    if kind == "response":
        validate(example, response_schema(openapi, argument, block.where), openapi, block.where)
    elif kind == "schema":
        components = openapi["components"]["schemas"]
        assert argument in components, f"{block.where}: the schema has no component {argument}"
        validate(example, {"$ref": f"#/components/schemas/{argument}"}, openapi, block.where)


def test_enough_examples_are_checked() -> None:
    checked = 0
    for block in marked_blocks():
        kind = block.marker[0]
        if kind in {"response", "schema"}:
            checked += 1
        elif kind == "stream":
            checked += len(stream_data(block))
    assert checked >= MIN_CHECKED_EXAMPLES, (
        f"only {checked} examples are checked against the schema; the marker convention "
        "(see this module's docstring) is probably broken"
    )


def test_every_json_block_is_marked() -> None:
    unmarked = [
        block.where
        for path in markdown_files()
        for block in blocks_of(path)
        if block.lang == "json" and block.marker is None
    ]
    assert not unmarked, (
        "JSON blocks without a marker on the line before them (see this module's docstring): "
        + ", ".join(unmarked)
    )


def test_every_marker_stands_right_before_a_block() -> None:
    starts = {(block.path, block.line) for path in markdown_files() for block in blocks_of(path)}
    dangling = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in markdown_files()
        for number, line in prose_lines(path)
        if MARKER.match(line.strip()) and (path, number + 1) not in starts
    ]
    assert not dangling, "markers not followed by a fenced block: " + ", ".join(dangling)


# The README and the links.


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it at most {README_MAX_LINES} and move the rest "
        "to docs/"
    )


def github_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path):
        heading = HEADING.match(line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(2).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def relative_links(path: Path) -> list[tuple[int, str]]:
    links = []
    for number, line in prose_lines(path):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if not urlsplit(target).scheme:
                links.append((number, target))
    return links


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for number, target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"line {number}: {target} (no such file)")
        elif fragment and linked.suffix == ".md" and fragment not in github_anchors(linked):
            broken.append(f"line {number}: {target} (no such heading)")
    assert not broken, f"{path.relative_to(ROOT)} has broken links:\n  " + "\n  ".join(broken)


def test_readme_links_every_docs_page() -> None:
    linked = {
        (README.parent / unquote(target.partition("#")[0])).resolve()
        for _, target in relative_links(README)
    }
    orphans = [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked]
    assert not orphans, f"docs pages the README does not link: {', '.join(orphans)}"
