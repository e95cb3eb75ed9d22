"""The page's QR encoder, read back by an independent decoder (ZXing, via zxing-cpp).

Every version the encoder produces (1-10, byte mode, level M), with every one of the
eight masks and with the mask it chooses itself, must decode to exactly the text
put in; and the error correction must repair damaged modules as level M promises.
"""

from __future__ import annotations

import random

import pytest
import zxingcpp

from tests.integration.web.oracle import run_oracle

SCALE = 4
QUIET = 4


def decode(rows: list[str]) -> list[zxingcpp.Barcode]:
    """Render the module matrix as a grayscale image with a quiet zone and decode it."""
    size = len(rows)
    width = (size + 2 * QUIET) * SCALE
    pixels = bytearray(b"\xff") * (width * width)
    for r, row in enumerate(rows):
        for c, module in enumerate(row):
            if module == "1":
                for dy in range(SCALE):
                    start = ((r + QUIET) * SCALE + dy) * width + (c + QUIET) * SCALE
                    pixels[start : start + SCALE] = bytes(SCALE)
    image = memoryview(bytes(pixels)).cast("B", (width, width))
    return zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )


def sample_text(length: int, seed: int) -> str:
    chooser = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/#=._-?&%"
    return "".join(chooser.choice(alphabet) for _ in range(length))


LENGTHS = [1, 14, 15, 26, 42, 62, 84, 106, 122, 152, 180, 213]


@pytest.mark.parametrize("length", LENGTHS)
def test_every_mask_of_every_version_decodes(length: int) -> None:
    text = sample_text(length, length)
    requests = [{"text": text, "mask": mask} for mask in [None, *range(8)]]
    codes = run_oracle(qr=requests)["qr"]
    for request, code in zip(requests, codes, strict=True):
        assert len(code["rows"]) == 17 + 4 * code["version"]
        found = decode(code["rows"])
        assert [b.text for b in found] == [text], (length, request["mask"], code["version"])
        assert found[0].ec_level == "M"
    assert {c["version"] for c in codes} == {codes[0]["version"]}


def test_versions_cover_1_to_10() -> None:
    codes = run_oracle(qr=[{"text": sample_text(n, n), "mask": None} for n in LENGTHS])["qr"]
    assert sorted({c["version"] for c in codes}) == list(range(1, 11))


def test_the_verification_link_survives_damage() -> None:
    link = "https://notar.stadt-koeln.de/#sha256=" + "0123456789abcdef" * 4
    (code,) = run_oracle(qr=[{"text": link, "mask": None}])["qr"]
    rows = [list(row) for row in code["rows"]]
    size = len(rows)
    chooser = random.Random(7)
    flipped = 0
    # flip modules in a 4x4 block away from the finder patterns: a few codewords
    top, left = size // 2 - 2, size // 2 - 2
    for r in range(top, top + 4):
        for c in range(left, left + 4):
            if chooser.random() < 0.6:
                rows[r][c] = "0" if rows[r][c] == "1" else "1"
                flipped += 1
    assert flipped > 4
    assert [b.text for b in decode(["".join(row) for row in rows])] == [link]
