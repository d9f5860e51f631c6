"""Each peer set up on `children.Child`, its history models in this app (no migrations: the
benchmark creates their tables with `migrate --run-syncdb`). Every peer stays connected;
`bench/peers_measure.py` turns all but the measured one off."""

import pghistory
from auditlog.registry import auditlog
from simple_history import register

from children.models import Child

# django-simple-history: one historical row (a copy of the child) per save.
register(Child, app="bench.peers_app", manager_name="simple_history")

# django-auditlog: one LogEntry (the changed fields, the actor) per save.
auditlog.register(Child)

# django-pghistory: a trigger writes one event row (the child's row, with the context) per update.
pghistory.track(
    pghistory.UpdateEvent("points_changed"), app_label="peers_app", model_name="ChildEvent"
)(Child)
