"""What processing does to real image files: formats, metadata, orientation, colour, sizes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from inkwell.media.exceptions import ImageBroken, SvgRefused, TooManyPixels, UnsupportedMedia
from inkwell.media.images import KINDS, Processed, probe, process
from tests.media.support import (
    BLUE,
    GPS_IFD,
    RED,
    SVG_WITH_SCRIPT,
    XMP,
    animated_gif,
    encode,
    photo,
    png_claiming,
    swapped_profile,
    two_colour,
)

WIDTHS = (320, 800, 1600)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF", "HEIF")


def _process(tmp_path: Path, data: bytes, widths: tuple[int, ...] = WIDTHS) -> Processed:
    source = tmp_path / "upload"
    source.write_bytes(data)
    kind = probe(io.BytesIO(data), 50_000_000).kind
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return process(source, kind, widths, out)


def _near(pixel: object, colour: tuple[int, int, int]) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


@pytest.mark.parametrize("pil_format", FORMATS)
def test_each_accepted_format_is_recognised_by_its_content(pil_format: str) -> None:
    found = probe(io.BytesIO(photo(pil_format)), 50_000_000)
    assert found.kind is KINDS[pil_format]
    assert {found.width, found.height} == {120, 80}


def test_svg_is_refused_even_when_it_starts_with_whitespace() -> None:
    with pytest.raises(SvgRefused):
        probe(io.BytesIO(b"\n  " + SVG_WITH_SCRIPT), 50_000_000)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n", b"GIF89a", b"\x00" * 100, encode(two_colour(), "BMP")]
)
def test_other_content_is_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        probe(io.BytesIO(data), 50_000_000)


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (10_000, 10_000), (60_000, 60_000)])
def test_a_decompression_bomb_is_refused_from_its_header(width: int, height: int) -> None:
    with pytest.raises(TooManyPixels):
        probe(io.BytesIO(png_claiming(width, height)), 50_000_000)


def test_the_pixel_limit_names_the_dimensions() -> None:
    with pytest.raises(TooManyPixels, match="8000 x 8000"):
        probe(io.BytesIO(png_claiming(8000, 8000)), 50_000_000)


@pytest.mark.parametrize("pil_format", ["JPEG", "WEBP", "HEIF", "AVIF", "PNG"])
def test_gps_exif_and_xmp_do_not_survive(tmp_path: Path, pil_format: str) -> None:
    done = _process(tmp_path, photo(pil_format, 1200, 800))
    for output in (done.original, *done.variants):
        stored = output.path.read_bytes()
        assert XMP not in stored
        assert b"PhoneMaker" not in stored
        with Image.open(output.path) as image:
            exif = image.getexif()
            assert not exif.get_ifd(GPS_IFD)
            assert len(exif) == 0
            assert "xmp" not in image.info
            assert "icc_profile" not in image.info


@pytest.mark.parametrize("pil_format", ["JPEG", "WEBP", "HEIF"])
def test_orientation_is_applied(tmp_path: Path, pil_format: str) -> None:
    done = _process(tmp_path, photo(pil_format))  # 120 x 80, red left, orientation 6
    with Image.open(done.original.path) as image:
        assert image.size == (80, 120)
        # Turned 90 degrees clockwise, the red left half is now the top half.
        assert _near(image.getpixel((40, 10)), RED)
        assert _near(image.getpixel((40, 110)), BLUE)


def test_colour_is_converted_to_srgb_before_the_profile_is_dropped(tmp_path: Path) -> None:
    data = encode(Image.new("RGB", (64, 64), RED), "PNG", icc_profile=swapped_profile())
    done = _process(tmp_path, data)
    with Image.open(done.original.path) as image:
        assert "icc_profile" not in image.info
        assert _near(image.getpixel((5, 5)), (0, 0, 255))


def test_an_unusable_profile_leaves_the_pixels_as_they_are(tmp_path: Path) -> None:
    data = encode(Image.new("RGB", (64, 64), RED), "PNG", icc_profile=b"not a profile" * 20)
    done = _process(tmp_path, data)
    with Image.open(done.original.path) as image:
        assert _near(image.getpixel((5, 5)), RED)


def test_variants_are_webp_narrower_than_the_source_never_upscaled(tmp_path: Path) -> None:
    done = _process(tmp_path, encode(_noise(1000, 600), "PNG"))
    assert [variant.width for variant in done.variants] == [320, 800]
    assert [variant.height for variant in done.variants] == [192, 480]
    for variant in done.variants:
        with Image.open(variant.path) as image:
            assert (image.format, image.width) == ("WEBP", variant.width)
        assert variant.size < done.original.size


def test_a_variant_larger_than_its_source_is_not_made(tmp_path: Path) -> None:
    # Blocky black-and-white noise: PNG stores it in 25 kB, a lossy WebP needs far more.
    blocks = Image.effect_noise((225, 225), 120).convert("1").resize((900, 900)).convert("RGB")
    assert _process(tmp_path, encode(blocks, "PNG", optimize=True)).variants == []


def test_dominant_colour_is_the_largest_area(tmp_path: Path) -> None:
    image = Image.new("RGB", (100, 100), (10, 200, 10))
    image.paste(RED, (0, 0, 20, 100))
    assert _process(tmp_path, encode(image, "PNG")).dominant_color == "#0ac80a"


def test_an_animated_gif_stays_animated_and_loses_its_comment(tmp_path: Path) -> None:
    done = _process(tmp_path, animated_gif(frames=3))
    assert done.animated
    stored = done.original.path.read_bytes()
    assert b"made-by-secret" not in stored
    with Image.open(done.original.path) as image:
        assert image.format == "GIF"
        assert getattr(image, "n_frames", 1) == 3


def test_a_heic_is_stored_as_a_jpeg(tmp_path: Path) -> None:
    done = _process(tmp_path, photo("HEIF", 1200, 900))
    assert done.original.extension == "jpg"
    with Image.open(done.original.path) as image:
        assert image.format == "JPEG"
        assert image.size == (900, 1200)


def test_a_truncated_file_fails_with_a_reason(tmp_path: Path) -> None:
    data = encode(_noise(400, 400), "JPEG", quality=95)
    with pytest.raises(ImageBroken, match="could not be decoded"):
        _process(tmp_path, data[: len(data) // 2])


def _noise(width: int, height: int) -> Image.Image:
    return Image.effect_noise((width, height), 80).convert("RGB")
