"""Site evidence (issue 11 point 4): the EXIF shooting time and GPS position read on upload, stored, shown with the
photo; 存疑 marks for a photo far from the project or taken long before the month; the reviewer's gallery."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tadiao.reporting import photos, services
from tadiao.reporting.models import ReportPhoto
from tests.conftest import login
from tests.factories import AnnualPlanFactory
from tests.reporting.photo_files import jpeg, plain_jpeg

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def period(coordinator):
    return services.open_period(month=NOV, by=coordinator)


@pytest.fixture
def report(project_a, period, reporter_a):
    project_a.latitude, project_a.longitude = Decimal("30.000000"), Decimal("120.000000")
    project_a.save(update_fields=["latitude", "longitude"])
    AnnualPlanFactory(project=project_a, year=2026)
    return services.save_report(project=project_a, period=period, data={}, by=reporter_a, expected_version=None)


def _page(client, report) -> str:
    return client.get(f"/reporting/projects/{report.project_id}/2026-11/").content.decode()


def _photo_block(page: str, photo) -> str:
    start = page.index(f'id="photo-{photo.pk}"')
    return page[start : page.index("</li>", start)]


# --- pure rules, expected figures by hand ---------------------------------------------------------------


def test_distances_by_hand():
    # 0.03° of latitude on a sphere of radius 6371.0088 km: 0.03 × π/180 × 6371.0088 = 3.3359 km.
    assert photos.distance_km(Decimal("30"), Decimal("120"), Decimal("30.03"), Decimal("120")) == Decimal("3.336")
    # 0.02° of longitude at 60°N: 0.02 × π/180 × 6371.0088 × cos 60° = 1.1120 km.
    assert photos.distance_km(Decimal("60"), Decimal("10"), Decimal("60"), Decimal("10.02")) == Decimal("1.112")
    assert photos.distance_km(Decimal("30"), Decimal("120"), Decimal("30"), Decimal("120")) == Decimal("0.000")


def test_the_31_day_reading():
    # A November report: photos from 1 October on are fine (1 November − 31 days = 1 October); 30 September is not.
    assert photos.earliest_plausible_day(NOV) == datetime.date(2026, 10, 1)
    at = datetime.datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI)
    assert photos.doubts(taken_at=at, distance=None, month=NOV, max_distance_km=Decimal("2")) == []
    at = datetime.datetime(2026, 9, 30, 23, 30, tzinfo=SHANGHAI)
    assert photos.doubts(taken_at=at, distance=None, month=NOV, max_distance_km=Decimal("2")) == [
        "拍摄于2026年9月30日，早于本月 1 日前 31 天（2026年10月1日）"
    ]
    # Exactly at the distance is not beyond it.
    assert photos.doubts(taken_at=None, distance=Decimal("2.000"), month=NOV, max_distance_km=Decimal("2")) == []


def test_southern_and_western_positions_are_negative(client, reporter_a, report):
    login(client, reporter_a)
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": jpeg(lat=-33.8568, lon=-70.5)})
    photo = report.photos.get()
    assert (photo.latitude, photo.longitude) == (Decimal("-33.856800"), Decimal("-70.500000"))


# --- upload, display, marks -------------------------------------------------------------------------------


def test_time_and_position_are_read_stored_and_shown(client, reporter_a, coordinator, report):
    login(client, reporter_a)
    near = jpeg(taken="2026:11:05 10:20:30", lat=30.005, lon=120.0, name="近处.jpg")  # 0.556 km north
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": near})
    photo = report.photos.get()
    assert photo.taken_at == datetime.datetime(2026, 11, 5, 10, 20, 30, tzinfo=SHANGHAI)
    assert (photo.latitude, photo.longitude) == (Decimal("30.005000"), Decimal("120.000000"))
    login(client, coordinator)
    block = _photo_block(_page(client, report), photo)
    assert "拍摄时间：2026年11月5日 10:20" in block
    assert "位置：30.005000, 120.000000（距项目 0.56 公里）" in block  # 0.005 × π/180 × 6371.0088 = 0.556
    assert "存疑" not in block


def test_a_photo_far_from_the_project_is_marked_for_the_reviewer_not_refused(client, reporter_a, coordinator, report):
    login(client, reporter_a)
    far = jpeg(taken="2026:11:05 10:20:30", lat=30.03, lon=120.0, name="远处.jpg")  # 3.336 km north
    response = client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": far}, follow=True)
    assert "照片已上传。" in response.content.decode()
    photo = report.photos.get()
    login(client, coordinator)
    block = _photo_block(_page(client, report), photo)
    assert "距项目 3.34 公里" in block
    assert '<span class="badge text-bg-warning photo-doubt">存疑</span>' in block
    assert "拍摄位置距项目 3.34 公里，超过 2 公里" in block

    # The office widens the distance to 5 km: the same photo is no longer marked.
    client.post("/reporting/settings/", {"deadline_day": "25", "time_progress_basis": "MONTHS",
                                          "photo_max_distance_km": "5"})
    assert "存疑" not in _photo_block(_page(client, report), photo)


def test_an_old_photo_is_marked(client, reporter_a, coordinator, report):
    login(client, reporter_a)
    old = jpeg(taken="2026:09:30 16:00:00", lat=30.0, lon=120.0, name="旧照.jpg")
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": old})
    login(client, coordinator)
    block = _photo_block(_page(client, report), report.photos.get())
    assert "存疑" in block and "拍摄于2026年9月30日，早于本月 1 日前 31 天（2026年10月1日）" in block
    assert "距项目 0.00 公里" in block


def test_a_photo_without_exif_has_no_mark(client, reporter_a, coordinator, report):
    login(client, reporter_a)
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": plain_jpeg()})
    photo = report.photos.get()
    assert (photo.taken_at, photo.latitude, photo.longitude) == (None, None, None)
    login(client, coordinator)
    block = _photo_block(_page(client, report), photo)
    assert "无拍摄信息" in block and "存疑" not in block


def test_without_a_project_location_there_is_no_distance_mark(client, reporter_a, coordinator, report):
    report.project.latitude = report.project.longitude = None
    report.project.save(update_fields=["latitude", "longitude"])
    login(client, reporter_a)
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": jpeg(taken="2026:11:05 10:20:30",
                                                                             lat=31.0, lon=121.0)})
    login(client, coordinator)
    block = _photo_block(_page(client, report), report.photos.get())
    assert "（项目未标注位置）" in block and "存疑" not in block


def test_the_gallery_follows_the_access_gate(client, reporter_a, reporter_b, leader, report):
    login(client, reporter_a)
    client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": jpeg(lat=30.03, lon=120.0)})
    photo = report.photos.get()
    assert "存疑" in _photo_block(_page(client, report), photo)
    login(client, leader)
    assert "存疑" in _photo_block(_page(client, report), photo)
    login(client, reporter_b)
    assert client.get(f"/reporting/projects/{report.project_id}/2026-11/").status_code == 404
    assert client.get(f"/reporting/photos/{photo.pk}/thumb/").status_code == 404


def _add_photos(report, by, n: int, start: int):
    for i in range(start, start + n):
        ReportPhoto.objects.create(
            report=report, image=f"report_photos/x/{i}.jpg", thumbnail=f"report_photos/thumbs/{i}.jpg",
            original_name=f"{i}.jpg", uploaded_at=timezone.now(), uploaded_by=by, width=64, height=48,
            taken_at=datetime.datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI) if i % 2 else None,
            latitude=Decimal("30.03") if i % 3 else None, longitude=Decimal("120") if i % 3 else None,
        )


def test_the_gallery_query_count_is_flat(client, coordinator, reporter_a, report):
    login(client, coordinator)
    url = f"/reporting/projects/{report.project_id}/2026-11/"
    _add_photos(report, reporter_a, 4, 0)
    client.get(url)  # warm the session and the settings row
    with CaptureQueriesContext(connection) as at_n:
        page = client.get(url).content.decode()
    assert page.count("photo-doubt\">存疑") == 3  # photo 0 has neither time nor position
    _add_photos(report, reporter_a, 4, 4)
    with CaptureQueriesContext(connection) as at_2n:
        page = client.get(url).content.decode()
    assert page.count("photo-doubt\">存疑") == 6  # nor has photo 6
    # The gallery's own: the settings row, the report's project, its period, the photos with their uploaders,
    # and whether the unit keeps photo locations — whatever the number of photos.
    assert len(at_2n) == len(at_n), [q["sql"] for q in at_2n.captured_queries]
