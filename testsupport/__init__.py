"""Test support: factories and a real ASGI server. Never imported by production code."""
