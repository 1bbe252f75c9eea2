"""Photo files built with Pillow for the upload tests: JPEGs with EXIF (time, GPS, camera), huge PNGs."""

import io
from fractions import Fraction

from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, ORIENTATION, DATETIME_ORIGINAL, USER_COMMENT = 0x010F, 0x0110, 0x0112, 0x9003, 0x9286


def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Decimal degrees → EXIF (degrees, minutes, seconds) rationals, exact to 1/10000 s."""
    value = abs(Fraction(str(value)))
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - Fraction(minutes, 60)) * 3600
    return Fraction(degrees), Fraction(minutes), seconds.limit_denominator(10000)


def jpeg(
    *,
    size=(64, 48),
    taken: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    orientation: int | None = None,
    name="现场.jpg",
) -> io.BytesIO:
    """A JPEG with a camera's EXIF: make and model, a comment, and when given DateTimeOriginal and the GPS position."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "HUAWEI", "P60"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = b"ASCII\x00\x00\x00secret note"
    if taken:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), dms(lon)
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(buffer, "JPEG", exif=exif)
    buffer.name = name
    buffer.seek(0)
    return buffer


def plain_jpeg(size=(64, 48), name="无信息.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    buffer.name = name
    buffer.seek(0)
    return buffer


def huge_png(width=10_000, height=10_000, name="一亿像素.png") -> io.BytesIO:
    """A 100-megapixel PNG of a few kilobytes (one bit a pixel, all white: it compresses to almost nothing)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer
