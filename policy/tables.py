"""Small tables every action reads and that change a few times a year (the calendar overrides,
the policy versions' timeline), kept in Django's cache instead of read per action.

A change drops the table at once and again when it commits (policy.guards), so no process keeps
the old table past the change on a shared cache (Redis in production). The TTL bounds how long a
process on its own cache (the embedded default's per-process memory) keeps a table it read.
"""

from collections.abc import Callable

CACHE_SECONDS = 60


class CachedTable:
    def __init__(self, key: str, load: Callable[[], object], seconds: int = CACHE_SECONDS):
        self.key, self.load, self.seconds = key, load, seconds

    def get(self):
        from django.core.cache import cache

        table = cache.get(self.key)
        if table is None:
            table = self.load()
            cache.set(self.key, table, self.seconds)
        return table

    def forget(self) -> None:
        from django.core.cache import cache

        cache.delete(self.key)

    def forget_now_and_at_commit(self) -> None:
        from django.db import transaction

        self.forget()
        transaction.on_commit(self.forget)
