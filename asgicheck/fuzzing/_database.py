"""Where failing examples are kept: a directory, a Redis server that many machines share
(Hypothesis's own ``RedisExampleDatabase``), or a shared database read only beside a local
directory (``ReadOnlyDatabase`` inside a ``MultiplexedDatabase``, the recipe Hypothesis's docs
give for CI: pull-request runs replay what the shared database holds and keep their own finds
to themselves).

``open_database`` builds one object per place and keeps it for the process: Hypothesis compares
databases, and one Redis client is enough. A Redis URL is checked when it is opened (a PING,
with short socket timeouts and one retry), so a server that is down or does not answer stops
the run at once with an error that names the URL, instead of hanging or going on without a
database. Errors later in the run are raised the same way (``ExampleDatabaseError``), never
swallowed: a run that was asked to share its finds must not quietly keep them to itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

__all__ = ["CONNECT_TIMEOUT", "READ_TIMEOUT", "URL_SCHEMES", "ExampleDatabaseError", "is_url",
           "open_database", "shown"]

Where = str | os.PathLike[str] | ExampleDatabase

URL_SCHEMES = ("redis://", "rediss://", "unix://")
# Seconds, unless the URL says otherwise (?socket_timeout=...&socket_connect_timeout=...).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0


class ExampleDatabaseError(RuntimeError):
    """The example database cannot be used; the message names it and what went wrong."""


def is_url(where: object) -> bool:
    """Whether ``where`` names a Redis server rather than a directory."""
    return isinstance(where, str) and where.strip().lower().startswith(URL_SCHEMES)


def shown(where: object) -> str:
    """``where`` as it may be printed: a URL's password is replaced by ``***``."""
    if not is_url(where):
        return str(where)
    parts = urlsplit(str(where).strip())
    if parts.password is None:
        return str(where).strip()
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


_opened: dict[tuple[object, bool, str | None], ExampleDatabase] = {}


def open_database(where: Where | None, *, read_only: bool = False,
                  local: str | os.PathLike[str] | None = None) -> ExampleDatabase | None:
    """The database at ``where`` (a directory, a ``redis://`` URL, or an ``ExampleDatabase``),
    or None. ``read_only``: only read from it, and save this run's finds in the directory
    ``local`` (when given and not the same place). ``ExampleDatabaseError`` when it cannot be
    used."""
    if where is None:
        return None
    local_key = str(Path(local)) if local is not None else None
    key = (_key(where), read_only, local_key if read_only else None)
    if key not in _opened:
        shared = _single(where)
        if not read_only:
            _opened[key] = shared
        elif local is None or _key(local) == _key(where):
            _opened[key] = ReadOnlyDatabase(shared)
        else:
            _opened[key] = MultiplexedDatabase(_single(local), ReadOnlyDatabase(shared))
    return _opened[key]


def _key(where: Where) -> object:
    if isinstance(where, ExampleDatabase):
        return id(where)
    return str(where).strip() if is_url(where) else str(Path(where))


def _single(where: Where) -> ExampleDatabase:
    key = (_key(where), False, None)
    if key not in _opened:
        if isinstance(where, ExampleDatabase):
            _opened[key] = where
        elif is_url(where):
            _opened[key] = _redis(str(where).strip())
        else:
            _opened[key] = DirectoryBasedExampleDatabase(str(Path(where)))
    return _opened[key]


def _redis(url: str) -> ExampleDatabase:
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:
        raise ExampleDatabaseError(
            f"{shown(url)} is a Redis URL, and a Redis example database needs the redis "
            f"package: pip install 'asgicheck[redis]' (Hypothesis's hypothesis[redis])"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT,
                                      socket_timeout=READ_TIMEOUT, retry=Retry(NoBackoff(), 1))
    except ValueError as exc:
        raise ExampleDatabaseError(f"{shown(url)} is not a Redis URL asgicheck can use ({exc}); "
                                   f"write redis://HOST:PORT/DB") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        raise ExampleDatabaseError(
            f"cannot reach the Redis example database {shown(url)}: {exc} ({type(exc).__name__})"
        ) from None
    return _Guarded(RedisExampleDatabase(client), shown(url), redis.RedisError)


class _Guarded(ExampleDatabase):
    """Another database, whose errors (of the types given) become ``ExampleDatabaseError``
    naming the place: Redis going away mid-run fails the item with the URL, not a socket
    traceback."""

    def __init__(self, inner: ExampleDatabase, name: str,
                 errors: type[Exception] | tuple[type[Exception], ...]) -> None:
        super().__init__()
        self.inner, self.name, self.errors = inner, name, errors

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Guarded) and self.inner == other.inner

    def __hash__(self) -> int:
        return hash(self.name)

    def _failed(self, doing: str, exc: Exception) -> ExampleDatabaseError:
        return ExampleDatabaseError(f"the example database {self.name} failed while {doing}: "
                                    f"{exc} ({type(exc).__name__})")

    def fetch(self, key: bytes) -> Iterable[bytes]:
        try:
            values = list(self.inner.fetch(key))  # the Redis database fetches lazily
        except self.errors as exc:
            raise self._failed("fetching examples", exc) from None
        yield from values

    def save(self, key: bytes, value: bytes) -> None:
        try:
            self.inner.save(key, value)
        except self.errors as exc:
            raise self._failed("saving an example", exc) from None

    def delete(self, key: bytes, value: bytes) -> None:
        try:
            self.inner.delete(key, value)
        except self.errors as exc:
            raise self._failed("deleting an example", exc) from None

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        try:
            self.inner.move(src, dest, value)
        except self.errors as exc:
            raise self._failed("moving an example", exc) from None
