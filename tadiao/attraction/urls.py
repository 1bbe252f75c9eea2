from django.urls import path  # noqa: F401  (filled in by the attraction app)

app_name = "attraction"
urlpatterns: list = []
