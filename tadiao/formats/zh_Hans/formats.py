"""Our own zh-hans formats: Django's shipped input formats do not parse "2016年9月5日"."""

from tadiao.lib.dates import DATE_INPUT_FORMATS as _DATE_INPUT_FORMATS

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
# 2026-12-03 and 2026年12月3日, one list with lib.dates.parse_date (the date fields are text inputs with our own
# parsing, tadiao.lib.forms.DateInput, so the browser's language plays no part).
DATE_INPUT_FORMATS = _DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
