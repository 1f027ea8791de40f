"""What Pillow does with an upload: read its header, then make the clean original and the
WebP variants. Pure and synchronous; the service and the job run it in a thread."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from inkwell.media.exceptions import ImageBroken, SvgRefused, TooManyPixels, UnsupportedMedia

pillow_heif.register_heif_opener()

ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class Kind:
    """An accepted format: Pillow's name, the upload's type, and how the original is stored."""

    pil: str
    content_type: str
    stored_as: str  # Pillow's name of the stored original's format
    extension: str


KINDS = {
    kind.pil: kind
    for kind in (
        Kind("JPEG", "image/jpeg", "JPEG", "jpg"),
        Kind("PNG", "image/png", "PNG", "png"),
        Kind("WEBP", "image/webp", "WEBP", "webp"),
        Kind("GIF", "image/gif", "GIF", "gif"),
        Kind("AVIF", "image/avif", "AVIF", "avif"),
        # Browsers do not show HEIC: its clean original is stored as a JPEG.
        Kind("HEIF", "image/heif", "JPEG", "jpg"),
    )
}
VARIANT_QUALITY = 80


@dataclass(frozen=True, slots=True)
class Probe:
    kind: Kind
    width: int
    height: int


@dataclass(slots=True)
class Output:
    path: Path
    width: int
    height: int
    extension: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(slots=True)
class Processed:
    original: Output
    variants: list[Output] = field(default_factory=list)
    dominant_color: str = "#000000"
    animated: bool = False


def probe(file: IO[bytes], max_pixels: int) -> Probe:
    """The format from the content and the size from the header, before any pixel is decoded."""
    head = file.read(1024)
    file.seek(0)
    if _looks_like_svg(head):
        raise SvgRefused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(KINDS)) as image:
                kind, (width, height) = KINDS[str(image.format)], image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise TooManyPixels(max_pixels) from bomb
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError) as error:
        raise UnsupportedMedia from error
    finally:
        file.seek(0)
    if width * height > max_pixels:
        raise TooManyPixels(max_pixels, (width, height))
    return Probe(kind, width, height)


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text


def process(source: Path, kind: Kind, widths: Sequence[int], workdir: Path) -> Processed:
    """Decode, turn upright, convert to sRGB, drop every metadata block, and write the
    original and the variants narrower than it that come out smaller than it."""
    try:
        with Image.open(source, formats=[kind.pil]) as opened:
            opened.load()
            animated = kind.pil == "GIF" and bool(getattr(opened, "is_animated", False))
            upright = _upright_srgb(opened)
            original = _write_original(opened if animated else upright, kind, workdir, animated)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ImageBroken(f"The image could not be decoded: {error}") from error
    variants = [
        variant
        for width in widths
        if width < upright.width
        and (variant := _variant(upright, width, workdir)).size < original.size
    ]
    return Processed(original, variants, _dominant_color(upright), animated)


def _upright_srgb(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image) if image.getexif().get(ORIENTATION, 1) != 1 else image
    mode = "RGBA" if _has_alpha(upright) else "RGB"
    clean = upright.convert(mode) if upright.mode != mode else upright.copy()
    profile = image.info.get("icc_profile")
    if profile:
        clean = _to_srgb(clean, profile, mode)
    clean.info = {}
    return clean


def _to_srgb(image: Image.Image, profile: bytes, mode: str) -> Image.Image:
    """The pixels converted from their embedded profile to sRGB; a profile LittleCMS cannot
    use leaves them as they are (read as sRGB, as browsers do)."""
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _write_original(image: Image.Image, kind: Kind, workdir: Path, animated: bool) -> Output:
    extension = "jpg" if kind.stored_as == "JPEG" else kind.extension
    path = workdir / f"original.{extension}"
    image.save(path, kind.stored_as, **_original_options(image, kind.stored_as, animated))
    width, height = image.size
    return Output(path, width, height, extension)


def _original_options(image: Image.Image, stored_as: str, animated: bool) -> dict[str, Any]:
    if stored_as == "GIF":
        # Only what animates survives: frame timing and looping, no comment or XMP.
        keep: dict[str, Any] = {
            name: image.info[name] for name in ("duration", "loop") if name in image.info
        }
        return {"save_all": animated, "comment": b"", **keep}
    if stored_as == "JPEG":
        return {"quality": 90, "optimize": True}
    if stored_as == "PNG":
        return {"optimize": True}
    return {"quality": 90}


def _variant(image: Image.Image, width: int, workdir: Path) -> Output:
    height = max(1, round(image.height * width / image.width))
    resized = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    path = workdir / f"{width}.webp"
    resized.save(path, "WEBP", quality=VARIANT_QUALITY, method=4)
    return Output(path, width, height, "webp")


def _dominant_color(image: Image.Image) -> str:
    """The most frequent of five colours of a 64-pixel thumbnail (median cut)."""
    small = image.convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    palette_image = small.quantize(colors=5)
    palette = palette_image.getpalette() or [0, 0, 0]
    counts: list[tuple[int, int]] = palette_image.getcolors() or [(1, 0)]  # type: ignore[assignment]
    index = max(counts, key=lambda count: count[0])[1]
    red, green, blue = palette[index * 3 : index * 3 + 3]
    return f"#{red:02x}{green:02x}{blue:02x}"
