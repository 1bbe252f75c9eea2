"""Photo uploads (issue 10 point 6): a pixel limit checked from the header before decoding, Pillow's
decompression-bomb guard turned into the same Chinese refusal, the accepted formats named exactly, and the stored
file re-encoded by Pillow without metadata — the GPS position and shooting time kept only when the unit chooses."""

import datetime
import io

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from tadiao.audit.models import AuditEvent
from tadiao.reporting import services
from tadiao.reporting.models import UnitPhotoSetting
from tests.conftest import login
from tests.factories import AnnualPlanFactory
from tests.reporting.photo_files import (
    DATETIME_ORIGINAL,
    EXIF_IFD,
    GPS_IFD,
    MAKE,
    MODEL,
    USER_COMMENT,
    huge_png,
    jpeg,
    plain_jpeg,
)

pytestmark = pytest.mark.django_db
FORMATS = "只能上传 JPG 或 PNG 照片（仅支持 JPEG、PNG 格式）"


@pytest.fixture
def period(coordinator):
    return services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)


@pytest.fixture
def report(project_a, period, reporter_a):
    AnnualPlanFactory(project=project_a, year=2026)
    return services.save_report(project=project_a, period=period, data={}, by=reporter_a, expected_version=None)


def _upload(client, report, file):
    response = client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": file}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_100_megapixel_photo_is_refused_in_chinese_before_decoding(client, reporter_a, report, monkeypatch):
    login(client, reporter_a)
    file = huge_png()
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size))
    body = _upload(client, report, file)
    # 10000 × 10000 = 100 000 000 pixels against the default 40 000 000.
    assert "“一亿像素.png”为 10000×10000 像素（约 100 百万像素），超过 40 百万像素的上限，请缩小尺寸后再上传。" in body
    assert decoded == []  # refused from the header: not a pixel decoded
    assert not report.photos.exists()


def test_the_pixel_limit_reads_its_setting(client, reporter_a, report, settings):
    settings.IMAGE_MAX_PIXELS = 64 * 48 - 1
    login(client, reporter_a)
    assert "超过 0 百万像素的上限" in _upload(client, report, plain_jpeg((64, 48)))
    settings.IMAGE_MAX_PIXELS = 64 * 48
    assert "照片已上传。" in _upload(client, report, plain_jpeg((64, 48)))


# Over Pillow's limit: its warning; over twice the limit: its error at open. Either way the Chinese refusal, no 500.
@pytest.mark.parametrize("factor", [1, 3])
def test_pillows_decompression_bomb_guard_gives_the_same_refusal(client, reporter_a, report, settings, monkeypatch,
                                                                   factor):
    settings.IMAGE_MAX_PIXELS = 10**10  # our own limit out of the way: Pillow's guard alone
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    login(client, reporter_a)
    body = _upload(client, report, huge_png(1000 * factor + 100, 1000))
    assert "超过 1 百万像素的上限，请缩小尺寸后再上传。" in body
    assert not report.photos.exists()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.4 not a photo", "说明.pdf", f"“说明.pdf”不是有效的图片文件，{FORMATS}。"),
        (None, "动图.gif", f"“动图.gif”的格式为 GIF，{FORMATS}。"),
        (None, "图.webp", f"“图.webp”的格式为 WEBP，{FORMATS}。"),
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
            "苹果.heic",
            f"“苹果.heic”是 HEIC 格式（苹果手机默认格式），{FORMATS}。",
        ),
    ],
)
def test_other_files_are_refused_with_the_formats_named(client, reporter_a, report, data, name, expected):
    if data is None:
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, name.rsplit(".", 1)[1].upper())
        data = buffer.getvalue()
    file = io.BytesIO(data)
    file.name = name
    login(client, reporter_a)
    assert expected in _upload(client, report, file)
    assert not report.photos.exists()


def test_the_stored_photo_is_re_encoded_without_any_metadata(client, reporter_a, report):
    login(client, reporter_a)
    assert "照片已上传。" in _upload(client, report, jpeg(taken="2026:11:05 10:20:30", lat=30.03, lon=120.0))
    photo = report.photos.get()
    with Image.open(photo.image.path) as stored:
        exif = stored.getexif()
        assert stored.format == "JPEG" and stored.size == (64, 48)
        assert dict(exif) == {}  # no camera, no comment
        assert exif.get_ifd(GPS_IFD) == {} and exif.get_ifd(EXIF_IFD) == {}
        assert "exif" not in stored.info
    with open(photo.image.path, "rb") as raw:
        content = raw.read()
    assert b"HUAWEI" not in content and b"secret note" not in content and b"Exif" not in content
    # The evidence was read before stripping (issue 11 point 4).
    assert (str(photo.latitude), str(photo.longitude)) == ("30.030000", "120.000000")


def test_jpeg_comments_and_xmp_are_not_kept(client, reporter_a, report):
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>author 13800000000</rdf:RDF></x:xmpmeta>'
    Image.new("RGB", (30, 20)).save(buffer, "JPEG", comment="拍摄人 张三", xmp=xmp)
    buffer.name = "带注释.jpg"
    buffer.seek(0)
    with Image.open(io.BytesIO(buffer.getvalue())) as original:
        assert "comment" in original.info and "xmp" in original.info  # the file really carries both
    login(client, reporter_a)
    assert "照片已上传。" in _upload(client, report, buffer)
    with open(report.photos.get().image.path, "rb") as raw:
        content = raw.read()
    assert "张三".encode() not in content and b"13800000000" not in content


def test_png_text_chunks_are_not_kept(client, reporter_a, report):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800000000")
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20)).save(buffer, "PNG", pnginfo=info)
    buffer.name = "截图.png"
    buffer.seek(0)
    login(client, reporter_a)
    assert "照片已上传。" in _upload(client, report, buffer)
    with Image.open(report.photos.get().image.path) as stored:
        assert stored.format == "PNG" and "Author" not in stored.info


def test_the_orientation_is_applied_since_the_tag_goes(client, reporter_a, report):
    login(client, reporter_a)
    _upload(client, report, jpeg(size=(40, 20), orientation=6))  # 6: rotate 90° clockwise to view
    photo = report.photos.get()
    with Image.open(photo.image.path) as stored:
        assert stored.size == (20, 40)
    assert (photo.width, photo.height) == (20, 40)


def test_a_unit_that_keeps_the_location_keeps_only_gps_and_time(client, coordinator, reporter_a, report, unit_a,
                                                                  unit_b):
    login(client, reporter_a)  # a reporter may not change the setting
    assert client.post("/reporting/settings/photo-location/", {"units": [unit_a.pk]}).status_code == 403
    login(client, coordinator)
    page = client.get("/reporting/?month=2026-11").content.decode()
    assert 'id="photo-location-form"' in page and "照片保留拍摄位置的单位" in page
    response = client.post("/reporting/settings/photo-location/", {"units": [unit_a.pk]}, follow=True)
    assert "照片位置设置已保存（1 个单位有变化）。" in response.content.decode()
    assert UnitPhotoSetting.objects.get(unit=unit_a).keep_photo_location
    event = AuditEvent.objects.get(action="reporting.settings.photo_location")
    assert (event.object_id, event.changes) == (str(unit_a.pk), {"keep_photo_location": [False, True]})

    login(client, reporter_a)
    _upload(client, report, jpeg(taken="2026:11:05 10:20:30", lat=30.03, lon=120.0))
    with Image.open(report.photos.get().image.path) as stored:
        exif = stored.getexif()
        gps = exif.get_ifd(GPS_IFD)
        assert (gps[1], gps[3]) == ("N", "E")
        assert [float(x) for x in gps[2]] == [30.0, 1.0, 48.0]  # 0.03° = 1′48″
        assert [float(x) for x in gps[4]] == [120.0, 0.0, 0.0]
        assert exif.get_ifd(EXIF_IFD) == {DATETIME_ORIGINAL: "2026:11:05 10:20:30"}
        assert MAKE not in exif and MODEL not in exif and USER_COMMENT not in exif.get_ifd(EXIF_IFD)

    # Unticking the unit goes back to stripping everything, and is audited too.
    login(client, coordinator)
    client.post("/reporting/settings/photo-location/", {})
    assert not UnitPhotoSetting.objects.get(unit=unit_a).keep_photo_location
    assert AuditEvent.objects.filter(action="reporting.settings.photo_location").count() == 2
