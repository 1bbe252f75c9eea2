from django.urls import path  # noqa: F401  (filled in by the coordination app)

app_name = "coordination"
urlpatterns: list = []
