"""The users of the month-end surge (run by benchmarks/surge.py, which sets the environment): reporters, one
coordinator approving, one leader on the dashboard. Every page goes through the real forms: the CSRF token and the
version are read from the page before each POST, as a browser would send them.

Reporters are people: between two pages they read and type (SURGE_THINK_SCALE × the pauses below, 1 = the
pauses a person takes; 0.1 = people ten times faster, a stress test). The pauses are what one month-end report
takes at a desk: a glance at the list, a minute filling the form, a photo picked from the phone."""

import io
import itertools
import os
import random
import re

import gevent
from locust import HttpUser, between, task
from PIL import Image

PASSWORD = os.environ.get("SURGE_PASSWORD", "")
MONTH = os.environ.get("SURGE_MONTH", "")
ACCEPTED = os.environ.get("SURGE_ACCEPTED", "")
THINK_SCALE = float(os.environ.get("SURGE_THINK_SCALE", "1"))
_next_reporter = itertools.count()

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
EDIT = re.compile(r'href="(/reporting/projects/(\d+)/(\d{4}-\d{2})/)"')
PHOTO = re.compile(r'action="(/reporting/reports/\d+/photos/)"')
REVIEW = re.compile(r'action="(/reporting/reports/\d+/review/)"')


def _photo() -> bytes:
    """A small JPEG, the kind a phone sends after the browser scaled it: 1024×768."""
    buffer = io.BytesIO()
    Image.new("RGB", (1024, 768), (120, 140, 90)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


PHOTO_BYTES = _photo()


def _think(low: float, high: float) -> None:
    """A person reading the page or typing into it, in seconds (scaled by SURGE_THINK_SCALE)."""
    gevent.sleep(random.uniform(low, high) * THINK_SCALE)


def _token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class _Official(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        with self.client.post("/accounts/login/", data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": _token(page.text),
        }, allow_redirects=False, name="login", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login refused for {self.username}: {response.status_code}")


class Reporter(_Official):
    """Opens the list of its reports, then for each report: saves a draft, submits it and adds a site photo."""

    weight = 1
    wait_time = between(5 * THINK_SCALE, 15 * THINK_SCALE)  # back to the list after a report is done

    def on_start(self):
        self.username = f"r{next(_next_reporter):04d}"
        self.done: set[str] = set()
        super().on_start()

    @task
    def month_end(self):
        listing = self.client.get(f"/reporting/?month={MONTH}", name="report list")
        todo = [url for url, _, _ in EDIT.findall(listing.text) if url not in self.done]
        if not todo:  # all submitted: the reporter looks at one again
            first = EDIT.search(listing.text)
            if first:
                self.client.get(first.group(1), name="report view")
            return
        url = todo[0]
        project_id = url.split("/")[3]
        _think(3, 10)  # finds the project in the list
        form = self.client.get(url, name="report edit")
        _think(30, 90)  # fills in the month's figures and progress
        data = {"investment_completed": "150.50", "progress_text": "主体结构施工，完成第三层楼板浇筑",
                "workers_on_site": "85", "stage_reached": "", "problems": ""}
        version = VERSION.search(form.text)
        with self.client.post(url, data={**data, "version": version.group(1) if version else "",
                                         "csrfmiddlewaretoken": _token(form.text), "save": ""},
                              allow_redirects=False, name="report save", catch_response=True) as saved:
            if saved.status_code != 302:
                saved.failure(f"save not accepted: {saved.status_code}")
                return
        form = self.client.get(url, name="report edit")
        _think(5, 20)  # reads the saved draft over once more
        version = VERSION.search(form.text)
        with self.client.post(url, data={**data, "version": version.group(1) if version else "",
                                         "csrfmiddlewaretoken": _token(form.text), "submit": ""},
                              allow_redirects=False, name="report submit", catch_response=True) as submitted:
            if submitted.status_code != 302:
                submitted.failure(f"submit not accepted: {submitted.status_code}")
                return
        self.done.add(url)
        with open(ACCEPTED, "a", encoding="ascii") as accepted:  # the server said yes: it must be in the database
            accepted.write(f"{project_id} {MONTH}\n")
        page = self.client.get(url, name="report edit")
        action = PHOTO.search(page.text)
        if action:
            _think(10, 30)  # picks a site photo on the phone
            with self.client.post(action.group(1), data={"csrfmiddlewaretoken": _token(page.text)},
                                  files={"photo": ("现场.jpg", PHOTO_BYTES, "image/jpeg")}, allow_redirects=False,
                                  name="photo upload", catch_response=True) as uploaded:
                if uploaded.status_code != 302:
                    uploaded.failure(f"photo not accepted: {uploaded.status_code}")


class Coordinator(_Official):
    """The key-project office approves what was submitted."""

    fixed_count = 1
    username = "surge_coordinator"
    wait_time = between(1, 2)

    @task
    def approve(self):
        listing = self.client.get(f"/reporting/?month={MONTH}&status=SUBMITTED", name="report list (office)")
        found = EDIT.search(listing.text)
        if not found:
            return
        page = self.client.get(found.group(1), name="report edit (office)")
        action, version = REVIEW.search(page.text), VERSION.search(page.text)
        if not action or not version:
            return
        with self.client.post(action.group(1), data={"decision": "approve", "version": version.group(1),
                                                     "csrfmiddlewaretoken": _token(page.text)},
                              allow_redirects=False, name="report approve", catch_response=True) as approved:
            if approved.status_code != 302:
                approved.failure(f"approval not accepted: {approved.status_code}")


class Leader(_Official):
    fixed_count = 1
    username = "surge_leader"
    wait_time = between(2, 5)

    @task
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")
