"""Read-only views over the request's headers and query string.

Both are *multi-valued*: HTTP allows a header or a query key to appear more than once, and
ASGI passes every occurrence through in order (www.rst "headers": "Duplicates are possible and
must be preserved"). A plain dict would silently keep only one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from urllib.parse import unquote_to_bytes

__all__ = ["Headers", "QueryParams", "parse_query_string"]


class _MultiDict(Mapping[str, str]):
    """An ordered list of ``(key, value)`` pairs that also answers like a dict.

    ``obj[key]`` and ``obj.get(key)`` give the *first* value; ``getlist(key)`` gives all of
    them. Subclasses decide how keys are normalised.
    """

    __slots__ = ("_items", "_first")

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items: list[tuple[str, str]] = list(items)
        self._first: dict[str, str] = {}
        for key, value in self._items:
            self._first.setdefault(key, value)

    def _key(self, key: str) -> str:
        return key

    def __getitem__(self, key: str) -> str:
        return self._first[self._key(key)]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._key(key) in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def getlist(self, key: str) -> list[str]:
        """Every value for ``key``, in the order received (empty list if absent)."""
        wanted = self._key(key)
        return [value for name, value in self._items if name == wanted]

    def multi_items(self) -> list[tuple[str, str]]:
        """All pairs, duplicates included, in the order received."""
        return list(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _MultiDict):
            return self._items == other._items
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


class Headers(_MultiDict):
    """Request headers, looked up case-insensitively.

    Built from ``scope["headers"]``: ``[name, value]`` pairs of bytes. Servers *should*
    lowercase names but need not (www.rst: "Header names should be lowercased, but it is not
    required"), so names are lowercased here. Values are decoded as latin-1, which maps every
    byte to one character and so can never fail; this is what HTTP itself specifies for
    non-ASCII header bytes.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: Iterable[Sequence[bytes]] = ()) -> None:
        # Keep the raw pairs too: a one-shot iterable (allowed by the spec) can be read only once.
        self.raw: list[tuple[bytes, bytes]] = [(bytes(n), bytes(v)) for n, v in raw]
        super().__init__((n.lower().decode("latin-1"), v.decode("latin-1")) for n, v in self.raw)

    def _key(self, key: str) -> str:
        return key.lower()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Headers:
        return cls((k.encode("latin-1"), v.encode("latin-1")) for k, v in mapping.items())

    def cookies(self) -> dict[str, str]:
        """Cookies from every ``cookie`` header.

        HTTP/1.1 clients send one ``cookie: a=1; b=2`` header; HTTP/2 clients may split it
        into several ``cookie`` headers (www.rst asks apps to handle both). Either way every
        pair is found here; on a repeated name the first one wins, as browsers send the most
        specific cookie first.
        """
        jar: dict[str, str] = {}
        for header in self.getlist("cookie"):
            for pair in header.split(";"):
                name, sep, value = pair.strip().partition("=")
                if sep and name:
                    jar.setdefault(name, value.strip().strip('"'))
        return jar


def _decode_component(raw: bytes) -> str:
    # urllib.parse semantics: "+" is a space, %XX is a byte, the bytes are UTF-8, and invalid
    # UTF-8 becomes U+FFFD instead of an error (a client can send any bytes it likes).
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def parse_query_string(query_string: bytes) -> list[tuple[str, str]]:
    """Split ``scope["query_string"]`` into decoded ``(key, value)`` pairs, in order.

    The same result as ``urllib.parse.parse_qsl(qs, keep_blank_values=True)``, but working on
    the raw bytes, so a stray non-ASCII byte (which parse_qsl refuses in a bytes argument) is
    decoded with a replacement character rather than raising. Fields are separated by ``&``
    only (as in Python since 3.9.2); empty fields are skipped; ``a`` and ``a=`` both give
    ``("a", "")``.
    """
    pairs: list[tuple[str, str]] = []
    for field in query_string.split(b"&"):
        if not field:
            continue
        key, _, value = field.partition(b"=")
        pairs.append((_decode_component(key), _decode_component(value)))
    return pairs


class QueryParams(_MultiDict):
    """The query string as a multi-valued mapping: ``?tag=a&tag=b`` keeps both tags."""

    __slots__ = ()

    def __init__(self, query_string: bytes | Iterable[tuple[str, str]] = b"") -> None:
        if isinstance(query_string, bytes | bytearray):
            super().__init__(parse_query_string(bytes(query_string)))
        else:
            super().__init__(query_string)

    def to_dict(self) -> dict[str, str | list[str]]:
        """The tutorial's shape: one value stays a string, a repeated key becomes a list."""
        result: dict[str, str | list[str]] = {}
        for key, value in self._items:
            if key not in result:
                result[key] = value
            else:
                existing = result[key]
                if isinstance(existing, list):
                    existing.append(value)
                else:
                    result[key] = [existing, value]
        return result
