"""The signals tracking sends (issue 15): what the history gained, for the projections built on
it (`insights`) to follow without tracking knowing them."""

from django.dispatch import Signal

reading_with_row = Signal()
"""The ledger's receiver is about to write an action's row: a receiver may ask for reads to go in
the row's round trip, right after its INSERT, instead of a round trip of their own later
(issue 16).

Sender: `TrackingEvent`. Keyword arguments: `event` (the action's `kernel.events.PointsChanged`)
and `child` (the locked Child the action saved).

A receiver returns a dict of reads, each a name (the receiver's own, say `"insights.totals"`) and
a statement (`kernel.one_trip.Statement`: SQL and parameters), or None. Each read sees the
transaction with the row in it, and its rows are kept on the row, in `row.read_with_row[name]`,
for the receivers of `event_recorded` and `event_published`. A read that is not there was not
made (should one read fail, the row is written alone and none is kept): read it then. Sent with
`send_robust`: a receiver that fails asks for nothing.
"""

event_recorded = Signal()
"""A TrackingEvent row was written.

Sender: `TrackingEvent`. Keyword arguments: `row` (the saved TrackingEvent, with its id) and
`child` (the locked Child the action saved, or None when the row was written without one, as
`repair_tracking` writes it).

Sent in the transaction that wrote the row, right after the write succeeded: by the ledger's
receiver for each action (`tracking.ledger.receivers.record_event`), by
`tracking.ledger.zero_delta.append_zero_delta_event` (pauses, badges) and by `repair_tracking`
for each spooled row it writes back. Not sent for a row that failed and went to the dead-letter
spool, nor by the bulk path (`tracking.ledger.bulk`, which sends nothing: rebuild the projections
after it). Receivers must not raise into the action: it is sent with `send_robust`.

A receiver may return a dict: its fields are added to the row's `tracking_event_created` message
(insights adds the child's `figures` after the row). Then `event_published` is sent.
"""

event_published = Signal()
"""A TrackingEvent row's `tracking_event_created` message was stored (it is delivered after the
commit); sent right after `event_recorded`'s receivers ran and the message was built with what
they returned.

Sender: `TrackingEvent`. Keyword arguments: `row` and `child`, as for `event_recorded`.

What builds on the projections and appends rows of its own (badges) runs here, so that those
rows' messages follow this row's on the stream, in the order of the history. Sent in the same
transaction, by the same senders as `event_recorded` (for a row `repair_tracking` writes back,
which publishes no message, right after it). Sent with `send_robust`.
"""
