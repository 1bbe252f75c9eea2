"""The county map (一张图): the boundary GeoJSON the system administrator uploads, and its areas matched to regions."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class BoundaryMap(models.Model):
    """An uploaded map: the areas as a normalised GeoJSON FeatureCollection (each feature named after its region),
    the deployment's own outline, if the file had one, and the 审图号 shown under the map. The newest is current;
    earlier uploads are kept."""

    name = models.CharField("地图名称", max_length=100)
    approval_number = models.CharField("审图号", max_length=50, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_size = models.PositiveIntegerField("文件大小（字节）", default=0)
    # {"type": "FeatureCollection", "features": [...]}: properties reduced to name, code and region id.
    areas_geojson = models.JSONField("区域边界（GeoJSON）")
    # The outline of the deployment's own region as a list of rings ([[lng, lat], ...]); [] when not uploaded.
    outline = models.JSONField("本级边界", default=list, blank=True)
    bbox = models.JSONField("范围（最小经度、最小纬度、最大经度、最大纬度）", default=list)
    is_current = models.BooleanField("当前使用", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "地图边界"
        verbose_name_plural = "地图边界"
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="gis_one_current_map"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def echarts_name(self) -> str:
        """The name the map is registered under in ECharts: a new upload never reuses a cached one."""
        return f"tadiao-map-{self.pk}"


class MapArea(models.Model):
    """One feature of a map, matched to the region whose projects it shows (a township, usually)."""

    boundary = models.ForeignKey(BoundaryMap, verbose_name="地图", on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey("org.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=50)

    class Meta:
        ordering = ["boundary", "region__path"]
        verbose_name = "地图区域"
        verbose_name_plural = "地图区域"
        constraints = [models.UniqueConstraint(fields=["boundary", "region"], name="gis_area_region_unique")]

    def __str__(self) -> str:
        return self.name
