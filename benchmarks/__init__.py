"""Runnable benchmark scripts that print figures (see each module's docstring)."""
