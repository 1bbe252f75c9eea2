"""The demo county's map: made-up boundaries for its fictional townships and a location for each project inside its
township. The townships tile a rectangle as a grid whose inner corners and edges are nudged at random, so that they
look like townships rather than squares; the streets take the middle cells, the 乡 the outer ones."""

import json
import math
import random
from decimal import Decimal

from tadiao.gis import services
from tadiao.lib import geo
from tadiao.org.models import Region

SEED = 20261107
# The rectangle the demo projects were drawn in (29.76–30.00 N, 120.27–120.57 E) with a margin around it.
SOUTH, NORTH, WEST, EAST = 29.74, 30.02, 120.24, 120.60
MICRO = Decimal("0.000001")


class _Grid:
    """Cells of an nx × ny grid with shared, jittered corners and edges (neighbours share every border point)."""

    def __init__(self, nx: int, ny: int, rng: random.Random):
        self.nx, self.ny, self.rng = nx, ny, rng
        self.dx, self.dy = (EAST - WEST) / nx, (NORTH - SOUTH) / ny
        self.corners = {}
        for i in range(nx + 1):
            for j in range(ny + 1):
                lng, lat = WEST + i * self.dx, SOUTH + j * self.dy
                if 0 < i < nx and 0 < j < ny:
                    lng += rng.uniform(-0.2, 0.2) * self.dx
                    lat += rng.uniform(-0.2, 0.2) * self.dy
                self.corners[i, j] = [round(lng, 6), round(lat, 6)]
        self._edges: dict = {}

    def edge(self, a: tuple, b: tuple) -> list:
        """The points from corner a to corner b, corners included; the same points whichever way it is walked."""
        key = (min(a, b), max(a, b))
        if key not in self._edges:
            p, q = self.corners[key[0]], self.corners[key[1]]
            nx_, ny_ = -(q[1] - p[1]), q[0] - p[0]  # perpendicular
            length = math.hypot(nx_, ny_) or 1.0
            points = [p]
            for t in (1 / 3, 2 / 3):
                wobble = self.rng.uniform(-0.08, 0.08)
                points.append([
                    round(p[0] + (q[0] - p[0]) * t + nx_ / length * wobble * self.dx, 6),
                    round(p[1] + (q[1] - p[1]) * t + ny_ / length * wobble * self.dy, 6),
                ])
            points.append(q)
            self._edges[key] = points
        points = self._edges[key]
        return list(points) if a == key[0] else list(reversed(points))

    def ring(self, corners: list[tuple]) -> list:
        """A closed ring through the corners in order, along the shared edges."""
        ring: list = []
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            ring.extend(self.edge(a, b)[:-1])
        return [*ring, ring[0]]

    def cell(self, i: int, j: int) -> list:
        return self.ring([(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)])

    def outline(self) -> list:
        border = [(i, 0) for i in range(self.nx)] + [(self.nx, j) for j in range(self.ny)]
        border += [(i, self.ny) for i in range(self.nx, 0, -1)] + [(0, j) for j in range(self.ny, 0, -1)]
        return self.ring(border)

    def point_in(self, i: int, j: int, ring: list) -> tuple[float, float]:
        """A random point inside the cell: a blend of its corners, checked against the (wobbly) ring."""
        c = [self.corners[i, j], self.corners[i + 1, j], self.corners[i + 1, j + 1], self.corners[i, j + 1]]
        for attempt in range(30):
            u, v = (0.5, 0.5) if attempt == 29 else (self.rng.uniform(0.18, 0.82), self.rng.uniform(0.18, 0.82))
            lng = (1 - u) * (1 - v) * c[0][0] + u * (1 - v) * c[1][0] + u * v * c[2][0] + (1 - u) * v * c[3][0]
            lat = (1 - u) * (1 - v) * c[0][1] + u * (1 - v) * c[1][1] + u * v * c[2][1] + (1 - u) * v * c[3][1]
            if geo.in_ring(lng, lat, ring):
                break
        return lng, lat


def demo_boundary(county: Region, townships: list[Region], rng: random.Random) -> tuple[dict, dict]:
    """The county's GeoJSON (its outline and one polygon per township) and each township's cell ring and indices."""
    nx = math.ceil(math.sqrt(len(townships)))
    ny = math.ceil(len(townships) / nx)
    grid = _Grid(nx, ny, rng)
    ci, cj = (nx - 1) / 2, (ny - 1) / 2
    cells = sorted(
        ((i, j) for i in range(nx) for j in range(ny)), key=lambda c: ((c[0] - ci) ** 2 + (c[1] - cj) ** 2, c)
    )
    features = [{"type": "Feature", "properties": {"name": county.name, "code": county.code},
                 "geometry": {"type": "Polygon", "coordinates": [grid.outline()]}}]
    placed = {}
    for township, (i, j) in zip(townships, cells, strict=False):
        ring = grid.cell(i, j)
        placed[township.pk] = (i, j, ring)
        features.append({"type": "Feature", "properties": {"name": township.name, "code": township.code},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}, {"grid": grid, "cells": placed}


def load_demo_map(*, county: Region, projects: list) -> None:
    """Upload the demo boundary and move each township's project into its township (the others keep the point the
    demo drew for them, which lies within the county). The projects are saved here (their coordinates only).
    No audit event of its own: the demo's load is one event."""
    from tadiao.projects.models import Project

    rng = random.Random(SEED)  # its own generator: the demo's other draws stay exactly as they were
    townships = list(Region.objects.filter(parent=county, level=Region.Level.TOWNSHIP).order_by("path"))
    collection, layout = demo_boundary(county, townships, rng)
    services.store_boundary(
        content=json.dumps(collection, ensure_ascii=False).encode(),
        file_name=f"{county.name}乡镇街道边界（演示）.geojson",
        name=f"{county.name}行政区划图（演示）",
        approval_number="东S（2026）000号（虚构，仅供演示）",
        by=None,
    )
    grid, cells = layout["grid"], layout["cells"]
    moved = []
    for project in projects:
        cell = cells.get(project.unit.region_id)
        if cell is None:
            continue
        i, j, ring = cell
        lng, lat = grid.point_in(i, j, ring)
        project.longitude = Decimal(str(lng)).quantize(MICRO)
        project.latitude = Decimal(str(lat)).quantize(MICRO)
        moved.append(project)
    Project.objects.bulk_update(moved, ["latitude", "longitude"], batch_size=500)
