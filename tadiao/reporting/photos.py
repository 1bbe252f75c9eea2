"""Pure helpers of site photos (no models, no database): checking an upload before it is decoded, reading the
site evidence (shooting time, GPS position) from its EXIF, re-encoding it without metadata, and the 存疑 marks.
"""

import datetime
import io
import math
import warnings
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PIL import Image, ImageOps, UnidentifiedImageError

# Accepted formats (Pillow's name → stored suffix). Phone cameras write JPEG (iPhones' HEIC is converted to JPEG
# by the browser's file picker); WebP and HEIC are not camera formats a county reporter sends, and Pillow here has
# no HEIC decoder: both are refused with the accepted formats named.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}
FORMATS_TEXT = "只能上传 JPG 或 PNG 照片（仅支持 JPEG、PNG 格式）"
THUMBNAIL_SIZE = (320, 240)
JPEG_QUALITY = 90

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG); haversine on a sphere is within 0.5 % of the ellipsoid
# A photo taken more than this many days before the first day of the report's month is marked 存疑.
MAX_DAYS_BEFORE_MONTH = 31


class PhotoError(Exception):
    """A refused upload; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _megapixels(pixels: int) -> str:
    return f"{Decimal(pixels) / 1_000_000:.0f}"


def open_checked(data: bytes, *, name: str, max_pixels: int) -> Image.Image:
    """The decoded image when `data` is a JPEG or PNG of at most `max_pixels` pixels, else PhotoError.

    Image.open reads only the header: the size is checked there, before a single pixel is decoded. Pillow's own
    decompression-bomb guard (a warning above Image.MAX_IMAGE_PIXELS, an error at twice that) gives the same
    refusal, so a huge image never reaches decoding nor answers 500."""
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise PhotoError(
            f"“{name}”是 HEIC 格式（苹果手机默认格式），{FORMATS_TEXT}。"
            "请在手机相机设置中选择“兼容性最佳”后重拍，或转换为 JPG。"
        )
    # The effective limit: ours, or Pillow's decompression-bomb limit if an operator set ours above it.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    too_big = f"“{name}”像素过大，超过 {_megapixels(limit)} 百万像素的上限，请缩小尺寸后再上传。"
    with warnings.catch_warnings():
        # Pillow warns at open above its limit: ignored here since the size is refused just below in our words;
        # above twice its limit it raises, and that is the same refusal.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise PhotoError(too_big) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise PhotoError(f"“{name}”不是有效的图片文件，{FORMATS_TEXT}。") from exc
    if image.format not in PHOTO_FORMATS:
        raise PhotoError(f"“{name}”的格式为 {image.format}，{FORMATS_TEXT}。")
    width, height = image.size
    if width * height > limit:
        raise PhotoError(
            f"“{name}”为 {width}×{height} 像素（约 {_megapixels(width * height)} 百万像素），"
            f"超过 {_megapixels(limit)} 百万像素的上限，请缩小尺寸后再上传。"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise PhotoError(too_big) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise PhotoError(f"“{name}”已损坏，无法读取，{FORMATS_TEXT}。") from exc
    return image


# ---------------------------------------------------------------------------------------------------
# Site evidence from EXIF


@dataclass(frozen=True)
class Evidence:
    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _taken_at(exif_ifd) -> datetime.datetime | None:
    text = exif_ifd.get(DATETIME_ORIGINAL)
    if not isinstance(text, str):
        return None
    try:
        naive = datetime.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other blanks cameras write
    offset = exif_ifd.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset.strip()}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    # A camera writes its local time without a zone: the county's.
    return naive.replace(tzinfo=LOCAL_TZ)


def _degrees(value, ref, negative: str) -> Decimal | None:
    """(degrees, minutes, seconds) as EXIF rationals → signed decimal degrees, 6 places (about 0.1 m)."""
    try:
        d, m, s = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, InvalidOperation, ZeroDivisionError):
        return None
    if any(not part.is_finite() for part in (d, m, s)):
        return None
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative:
        result = -result
    return result.quantize(Decimal("0.000001"))


def read_evidence(image: Image.Image) -> Evidence:
    """The shooting time (DateTimeOriginal) and GPS position of a photo, each None when absent or unreadable."""
    exif = image.getexif()
    if not exif:
        return Evidence()
    taken_at = _taken_at(exif.get_ifd(EXIF_IFD))
    gps = exif.get_ifd(GPS_IFD)
    latitude = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), "S") if GPS_LAT in gps else None
    longitude = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF), "W") if GPS_LON in gps else None
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        latitude = longitude = None
    elif latitude == 0 and longitude == 0:
        latitude = longitude = None  # "no fix" written as 0,0
    return Evidence(taken_at=taken_at, latitude=latitude, longitude=longitude)


# ---------------------------------------------------------------------------------------------------
# Re-encoding


def _location_exif(image: Image.Image) -> Image.Exif | None:
    """Only the GPS IFD and the shooting time of the photo's EXIF (for a unit that keeps the location); None when
    the photo has neither."""
    source = image.getexif()
    kept = Image.Exif()
    gps = source.get_ifd(GPS_IFD)
    if gps:
        kept.get_ifd(GPS_IFD).update(gps)
    original = source.get_ifd(EXIF_IFD)
    times = {tag: original[tag] for tag in (DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL) if tag in original}
    if times:
        kept.get_ifd(EXIF_IFD).update(times)
    return kept if gps or times else None


def reencode(image: Image.Image, *, keep_location: bool) -> tuple[bytes, tuple[int, int]]:
    """A fresh file written by Pillow in the photo's format, with its (width, height): the pixels only, turned
    upright (the EXIF orientation is applied, since the tag goes), with no metadata — no EXIF, no XMP, no comments,
    no PNG text — except, when the unit keeps the location, the GPS position and the shooting time. The colour
    profile (ICC) is kept: it is no personal data and without it a phone's wide-gamut photo shows wrong colours."""
    exif = _location_exif(image) if keep_location else None
    upright = ImageOps.exif_transpose(image)  # a new image (a copy when there is nothing to turn)
    # Pillow's writers take a JPEG comment and XMP from the image's own info unless told otherwise: none of it.
    upright.info = {}
    icc = image.info.get("icc_profile")
    buffer = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if exif is not None:  # an Exif holding only sub-IFDs has len() 0: test for None, not truth
        options["exif"] = exif
    if image.format == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(buffer, "JPEG", quality=JPEG_QUALITY, **options)
    else:
        upright.save(buffer, "PNG", optimize=False, **options)
    return buffer.getvalue(), upright.size


def thumbnail(image: Image.Image) -> bytes:
    thumb = ImageOps.exif_transpose(image).convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------
# 存疑 marks


def distance_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> Decimal:
    """Great-circle distance (haversine) in km, to the metre, as a Decimal (compared as Decimal, never float)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    return Decimal(repr(km)).quantize(Decimal("0.001"))


def earliest_plausible_day(month: datetime.date) -> datetime.date:
    """Our reading of "taken more than 31 days before the report month": before the first day of the report's
    month minus 31 days (a November report accepts photos from 1 October on; 30 September is 存疑)."""
    return month.replace(day=1) - datetime.timedelta(days=MAX_DAYS_BEFORE_MONTH)


def doubts(
    *,
    taken_at: datetime.datetime | None,
    distance: Decimal | None,
    month: datetime.date,
    max_distance_km: Decimal,
    uploaded_at: datetime.datetime | None = None,
) -> list[str]:
    """The reasons a photo is 存疑 for the reviewer (empty: none). A photo without EXIF has no mark."""
    reasons = []
    if distance is not None and distance > max_distance_km:
        limit = f"{max_distance_km.normalize():f}"
        reasons.append(f"拍摄位置距项目 {distance.quantize(Decimal('0.01'))} 公里，超过 {limit} 公里")
    if taken_at is not None:
        day = taken_at.astimezone(LOCAL_TZ).date()
        earliest = earliest_plausible_day(month)
        if day < earliest:
            reasons.append(
                f"拍摄于{day.year}年{day.month}月{day.day}日，早于本月 1 日前 {MAX_DAYS_BEFORE_MONTH} 天"
                f"（{earliest.year}年{earliest.month}月{earliest.day}日）"
            )
        if uploaded_at is not None and taken_at > uploaded_at + datetime.timedelta(days=1):
            reasons.append("拍摄时间晚于上传时间（相机时间可能不准）")
    return reasons
