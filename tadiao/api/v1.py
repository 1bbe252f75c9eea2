"""/api/v1/: every router added to the one NinjaAPI instance (tadiao/urls.py mounts `api.urls`)."""

from tadiao.api.core import api
from tadiao.api.endpoints import figures, imports, insight, problems, projects, reports, weekly

api.add_router("", projects.router)
api.add_router("", reports.router)
api.add_router("", problems.router)
api.add_router("", figures.router)
api.add_router("", insight.router)
api.add_router("", weekly.router)
api.add_router("", imports.router)

__all__ = ["api"]
