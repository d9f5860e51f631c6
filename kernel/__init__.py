"""Shared code every app uses; it imports no app (checked by import-linter)."""
