"""Static files storage for production (DEBUG=False): whitenoise's compressed, content-hashed
files, tolerant of a stylesheet that names a file its package does not ship.

viewflow's bundled roboto-fontface.css refers to font formats it does not ship (e.g.
Roboto-Thin.woff2); the manifest storage would then fail `collectstatic` altogether. Such a
reference is left as written (the browser falls back to the next font source) and logged once:
quietly for viewflow's known gaps, as a warning for anyone else's file."""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None:  # hashing a file that is there: a real error
                raise
            self._missing(name)
            return name

    def _missing(self, name: str) -> None:
        seen = self.__dict__.setdefault("_missing_seen", set())
        if name in seen:
            return
        seen.add(name)
        level = logging.DEBUG if name.startswith("viewflow/") else logging.WARNING
        logger.log(level, "static file not found, its reference left as written: %s", name)
