from django.urls import path  # noqa: F401  (filled in by the notifications app)

app_name = "notifications"
urlpatterns: list = []
