"""Undo a response's Content-Encoding with bounded output.

httpx decodes as it streams, but one compressed chunk may inflate to any size
before a cap on decoded bytes can look at it, and stacked encodings
(``gzip, gzip``) multiply that. Here the body is read raw and inflated with
``max_length``: never more than the cap is held, whatever the ratio. One layer
of gzip or deflate is accepted (all we ask for in Accept-Encoding); stacked or
other encodings are refused.
"""

from __future__ import annotations

import zlib

from tracker.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
_GZIP = ("gzip", "x-gzip")


def encodings(header: str | None) -> list[str]:
    """Return the content codings of a Content-Encoding value, identity left out."""
    parts = [p.strip().lower() for p in (header or "").split(",")]
    return [p for p in parts if p and p != "identity"]


class BoundedDecoder:
    """Inflate a body chunk by chunk; raise FetchError past ``limit`` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int, *, status: int | None = None) -> None:
        self.limit = limit
        self.size = 0
        self.status = status
        layers = encodings(content_encoding)
        if len(layers) > 1:
            raise FetchError(
                f"stacked content encodings refused ({', '.join(layers)})", status=status, reason="encoding"
            )
        self.coding = layers[0] if layers else None
        if self.coding is not None and self.coding not in (*_GZIP, "deflate"):
            raise FetchError(f"unsupported content encoding {self.coding!r}", status=status, reason="encoding")
        self._inflate: zlib._Decompress | None = None
        if self.coding in _GZIP:
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._first = True

    def _too_large(self) -> FetchError:
        return FetchError(f"body too large (over {self.limit} bytes)", status=self.status, reason="too-large")

    def _take(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise self._too_large()
        return data

    def feed(self, data: bytes) -> bytes:
        """Return the decoded bytes of one raw chunk."""
        if self.coding is None:
            return self._take(data)
        if self.coding == "deflate" and self._first:
            # "deflate" is zlib-wrapped by the standard, raw by many servers.
            wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        self._first = False
        inflate = self._inflate
        assert inflate is not None
        if inflate.eof:
            return b""  # trailing bytes after the compressed stream: ignored
        room = self.limit - self.size
        try:
            out = inflate.decompress(data, room + 1)
        except zlib.error as exc:
            raise FetchError(f"cannot decode {self.coding} body: {exc}", status=self.status,
                             reason="encoding") from None
        if len(out) > room or (inflate.unconsumed_tail and not inflate.eof):
            raise self._too_large()
        return self._take(out)

    def finish(self) -> bytes:
        """Return what is left in the decoder at the end of the body."""
        if self._inflate is None or self._inflate.eof:
            return b""
        room = self.limit - self.size
        try:
            out = self._inflate.flush(room + 1)
        except zlib.error as exc:
            raise FetchError(f"cannot decode {self.coding} body: {exc}", status=self.status,
                             reason="encoding") from None
        if len(out) > room:
            raise self._too_large()
        return self._take(out)
