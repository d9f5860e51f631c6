"""Checks that tracking events tell the true story of each child's points."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Break:
    child_id: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "current points"
        return f"child {self.child_id}, {where}: {self.problem}"


@dataclass
class ChainReport:
    children: int = 0
    events: int = 0
    deleted_children: int = 0

    def __post_init__(self) -> None:
        self.breaks: list[Break] = []


EventRow = tuple[int, int, int, int, int]  # child_id, id, points_before, points_after, delta


def check_chains(
    rows: Iterable[EventRow], current_points: dict[int, int], report: ChainReport
) -> Iterator[EventRow]:
    """Walk events sorted by child, then chain order, recording every break in `report`.

    For each child: each event's delta equals after - before, each points_before equals the
    previous points_after (the first event starts the chain, so a child that existed before
    tracking is fine), and the last points_after equals the child's current points (for children
    that still exist). Yields each row back so the caller can count progress.
    """
    previous: EventRow | None = None
    for row in rows:
        child_id, event_id, before, after, delta = row
        if delta != after - before:
            report.breaks.append(Break(child_id, event_id, f"delta {delta} != {after} - {before}"))
        if previous is not None and previous[0] == child_id and previous[3] != before:
            report.breaks.append(
                Break(
                    child_id,
                    event_id,
                    f"points_before {before} != previous points_after {previous[3]} "
                    f"(event {previous[1]})",
                )
            )
        if previous is not None and previous[0] != child_id:
            _close_chain(previous, current_points, report)
        if previous is None or previous[0] != child_id:
            report.children += 1
        report.events += 1
        previous = row
        yield row
    if previous is not None:
        _close_chain(previous, current_points, report)


def _close_chain(last: EventRow, current_points: dict[int, int], report: ChainReport) -> None:
    child_id, event_id, _, after, _ = last
    if child_id not in current_points:
        report.deleted_children += 1
        return
    if current_points[child_id] != after:
        report.breaks.append(
            Break(
                child_id,
                None,
                f"child has {current_points[child_id]} points, last event (id {event_id}) "
                f"says {after}",
            )
        )
