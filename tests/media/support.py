"""Real image files for the media tests, made by Pillow (and pillow-heif) in memory."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from typing import Any

import httpx
import pillow_heif
from PIL import Image, ImageCms

from inkwell.core.state import AppState
from inkwell.media.processing import MediaProcessor
from inkwell.models.media import MediaStatus

pillow_heif.register_heif_opener()

ORIENTATION, GPS_IFD = 0x0112, 0x8825
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">creator-secret</x:xmpmeta>'
RED, BLUE = (220, 20, 20), (20, 20, 220)


def two_colour(width: int = 120, height: int = 80) -> Image.Image:
    """Red on the left half, blue on the right: a rotation shows where the red went."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    return image


def phone_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: a camera, an orientation and where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    return exif


def encode(image: Image.Image, pil_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def photo(pil_format: str = "JPEG", width: int = 120, height: int = 80) -> bytes:
    """A photo with GPS, orientation 6 (turn 90 degrees clockwise) and, where the format has
    it, XMP."""
    options: dict[str, Any] = {"exif": phone_exif().tobytes()}
    if pil_format in {"JPEG", "PNG", "WEBP"}:
        options["xmp"] = XMP
    return encode(two_colour(width, height), pil_format, **options)


def animated_gif(frames: int = 3) -> bytes:
    images = [Image.new("RGB", (40, 30), (index * 80, 0, 0)) for index in range(frames)]
    return encode(
        images[0],
        "GIF",
        save_all=True,
        append_images=images[1:],
        duration=100,
        loop=0,
        comment=b"made-by-secret",
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's
    header): decoding it would need width * height pixels of memory."""
    data = bytearray(encode(Image.new("L", (8, 8)), "PNG"))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def swapped_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are sRGB's blue and red: (255, 0, 0)
    in it is pure blue once converted to sRGB, so a test sees whether conversion happened."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", profile[128:132])[0]
    entries = {bytes(profile[at : at + 4]): at for at in range(132, 132 + 12 * count, 12)}
    red, blue = entries[b"rXYZ"] + 4, entries[b"bXYZ"] + 4
    profile[red : red + 8], profile[blue : blue + 8] = (
        profile[blue : blue + 8],
        profile[red : red + 8],
    )
    return bytes(profile)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    *,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
) -> httpx.Response:
    files = {"file": (filename, data, content_type)}
    return await client.post("/api/v1/media", files=files, headers=headers)


async def uploaded(client: httpx.AsyncClient, headers: dict[str, str], data: bytes) -> str:
    """Upload and return the new media's id (the upload must be accepted)."""
    response = await upload(client, headers, data)
    assert response.status_code == 201, response.text
    media_id: str = response.json()["id"]
    return media_id


async def processed(state: AppState, media_id: str) -> MediaStatus | None:
    """Run the processing job's work for one upload, as the worker would."""
    return await MediaProcessor(state.sessionmaker, state.settings).run(uuid.UUID(media_id))
