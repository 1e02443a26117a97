"""Bounded decoding of a body's Content-Encoding: one layer, never more than the cap held."""

from __future__ import annotations

import gzip
import zlib

import pytest

from tracker.errors import FetchError
from tracker.ingest import reasons
from tracker.ingest.decode import BoundedDecoder, encodings

BODY = b"<rss>" + b"news " * 2000 + b"</rss>"


def _decode(data: bytes, coding: str | None, limit: int = 1 << 20, piece: int = 7) -> bytes:
    decoder = BoundedDecoder(coding, limit)
    out = [decoder.feed(data[i : i + piece]) for i in range(0, len(data), piece)]
    return b"".join([*out, decoder.finish()])


def _raw_deflate(data: bytes) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return squeeze.compress(data) + squeeze.flush()


@pytest.mark.parametrize(("coding", "encode"), [
    (None, lambda b: b), ("identity", lambda b: b), ("gzip", gzip.compress), ("x-gzip", gzip.compress),
    ("deflate", zlib.compress), ("deflate", _raw_deflate), ("identity, gzip", gzip.compress),
])
def test_one_layer_decodes_in_small_pieces(coding: str | None, encode) -> None:  # type: ignore[no-untyped-def]
    assert _decode(encode(BODY), coding) == BODY


def test_the_cap_holds_on_decoded_bytes_whatever_the_ratio() -> None:
    bomb = gzip.compress(b" " * (64 << 20))
    with pytest.raises(FetchError, match="too large") as caught:
        _decode(bomb, "gzip", limit=1 << 20, piece=len(bomb))
    assert caught.value.reason == reasons.TOO_LARGE
    assert _decode(gzip.compress(b"x" * 1000), "gzip", limit=1000) == b"x" * 1000


def test_stacked_unknown_and_corrupt_encodings_are_named() -> None:
    assert encodings("gzip, identity, GZIP") == ["gzip", "gzip"]
    for coding, data, words in (("gzip, gzip", b"", "stacked"), ("br", b"", "unsupported"),
                                ("gzip", b"not gzip at all", "cannot decode")):
        with pytest.raises(FetchError, match=words) as caught:
            _decode(data or b"x", coding)
        assert caught.value.reason == reasons.ENCODING
