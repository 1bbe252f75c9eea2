from django.urls import path  # noqa: F401  (filled in by the economy app)

app_name = "economy"
urlpatterns: list = []
