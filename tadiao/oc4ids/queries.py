"""The package a download or the command publishes: who may export, which projects, what the package says."""

import datetime
import posixpath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from tadiao.oc4ids.mapping import publisher_name
from tadiao.oc4ids.package import PackageInfo, build_package
from tadiao.org.models import Region, User
from tadiao.org.queries import root_region, scope_region
from tadiao.projects.models import Project
from tadiao.projects.queries import visible_projects

COORDINATORS_ONLY = "OC4IDS 数据包只能由调度员（重点项目办）导出。"


def project_prefix() -> str:
    return settings.TADIAO_OC4IDS_PREFIX


def package_for_user(user: User, *, as_of: datetime.date, published: datetime.datetime, uri: str) -> dict:
    """A coordinator's region as a package (403 for everyone else: the package is the office's publication)."""
    if not user.is_coordinator:
        raise PermissionDenied(COORDINATORS_ONLY)
    region = scope_region(user)
    info = PackageInfo(
        uri=uri,
        publisher=publisher_name(region.name if region else None),
        published=published,
        prefix=project_prefix(),
        as_of=as_of,
    )
    return build_package(visible_projects(user), info=info)


def deployment_region(projects: QuerySet[Project]) -> Region | None:
    """The lowest region whose subtree holds every project's unit (the county of a county deployment, even when its
    province and city are entered above it); the root region when there is no project."""
    paths = set(projects.values_list("unit__region__path", flat=True).distinct())
    if not paths:
        return root_region()
    code = posixpath.basename(posixpath.commonpath([path.rstrip("/") for path in paths]))
    return Region.objects.filter(code=code).first() if code else root_region()


def package_for_deployment(*, as_of: datetime.date, published: datetime.datetime, uri: str) -> dict:
    """Every project of the deployment (the command: run by the server's administrator), published by the office
    of the deployment's region."""
    projects = Project.objects.all()
    region = deployment_region(projects)
    info = PackageInfo(
        uri=uri,
        publisher=publisher_name(region.name if region else None),
        published=published,
        prefix=project_prefix(),
        as_of=as_of,
    )
    return build_package(projects, info=info)


def command_uri(*, as_of: datetime.date) -> str:
    """The package's URI when no request gives one: the download's address on TADIAO_SITE_URL, else a URN."""
    if settings.TADIAO_SITE_URL:
        return f"{settings.TADIAO_SITE_URL}/projects/export/oc4ids/?as_of={as_of.isoformat()}"
    return f"urn:tadiao:oc4ids:{project_prefix()}{as_of.isoformat()}"
