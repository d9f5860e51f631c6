"""Staff reads of the history: the admin for tracking events, the child page history mixin, the
staff API, CSV export and the points chart."""
