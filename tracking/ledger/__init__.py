"""The ledger: one TrackingEvent row per action, the per-user audit log, chain checks, the
dead-letter spool and its repair, and reversals (which are ledger writes themselves)."""
