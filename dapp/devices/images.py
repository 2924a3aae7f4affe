"""Project images (R-DEV-8): decoded and written again by Pillow before they are kept (ADR 0082).

A file is an image only if an image library can decode the whole of it; what is kept is the library's own
encoding of the pixels, so bytes appended to or hidden in a file (an HTML page after a PNG header, a script in a
comment, EXIF with the photographer's GPS position) never reach the content store or a browser.
"""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from dapp.devices.errors import ImageTooLarge, NotAnImage

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 5 MB file may unpack to gigabytes (a "decompression bomb"); 40 MP is a large photo
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
NOT_AN_IMAGE = "Only PNG, JPEG, GIF and WebP images are accepted, and this file is not one an image library can read."


def reencoded(data: bytes) -> bytes:
    """The image in `data` decoded and encoded again in its own format, without metadata (EXIF orientation is
    applied first); refuses a file too large, not a PNG, JPEG, GIF or WebP, or not decodable to the end."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge("An image may have at most 5 MB.")
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageTooLarge(f"An image may have at most {MAX_PIXELS:,} pixels.")
            image_format = image.format or ""
            image.load()
            pixels = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise NotAnImage(NOT_AN_IMAGE) from error
    return _encoded(pixels, image_format)


def _encoded(image: Image.Image, image_format: str) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=image_format, **({"quality": 90} if image_format in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def media_type(data: bytes) -> str:
    """The media type of an image kept by `reencoded`, from its first bytes (to serve it)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, kind in SIGNATURES.items():
        if data.startswith(signature):
            return kind
    raise NotAnImage(NOT_AN_IMAGE)
