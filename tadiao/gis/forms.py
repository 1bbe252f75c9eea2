"""Forms of the map pages: they validate and normalise only."""

from django import forms
from django.conf import settings

from tadiao.lib import geo
from tadiao.lib.forms import bootstrap_widgets


def size_text(size: int) -> str:
    """5242880 → "5.0 MB", 2048 → "2 KB", 200 → "200 字节"."""
    if size >= 1048576:
        return f"{size / 1048576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


class BoundaryUploadForm(forms.Form):
    """The system administrator's upload: the file is size-checked here, read and matched by the service."""

    file = forms.FileField(
        label="边界文件（GeoJSON）",
        help_text="FeatureCollection，要素为面（Polygon/MultiPolygon），经纬度坐标（CGCS2000 / WGS-84）；"
        "每个要素的 name 为乡镇（街道）名称或 code 为区划代码；可含本级（县、市）边界作为轮廓。",
    )
    name = forms.CharField(label="地图名称", max_length=100, required=False, help_text="不填时为“××市行政区划图”")
    approval_number = forms.CharField(
        label="审图号", max_length=50, required=False, help_text="例如：临S（2026）012号；填写后显示在地图下方"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".geojson,.json,application/geo+json,application/json"
        bootstrap_widgets(self, small=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.GIS_BOUNDARY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{size_text(upload.size)}），边界文件不能超过 {size_text(limit)}："
                "请先抽稀（简化）边界线再上传。"
            )
        return upload


class ConvertForm(forms.Form):
    """Pasted coordinates and the map they were copied from."""

    text = forms.CharField(label="坐标", max_length=100, help_text="经度,纬度，例如 120.123456,30.123456")
    system = forms.ChoiceField(label="坐标来源", choices=list(geo.SYSTEMS.items()), initial=geo.GCJ02)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self, small=False)

    def clean(self):
        data = super().clean()
        if "text" in data:
            try:
                data["point"] = geo.parse_point(data["text"])
                geo.check_in_china(*data["point"])
            except geo.CoordinateError as exc:
                self.add_error("text", exc.message)
        return data
