"""Django: async views under Django's own ASGI handler, with minimal settings in the module.

Django has no websockets (that is Channels) and declines lifespan by raising, which is how the
spec says an app declines it (lifespan.rst § Scope).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="asgicheck-matrix-not-a-secret",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=[],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        USE_TZ=True,
    )
    django.setup()

from django.core.asgi import get_asgi_application  # noqa: E402  (after settings.configure)
from django.http import (  # noqa: E402
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_http_methods  # noqa: E402

from matrix.apps.raw_app import TARGETS as _ALL  # noqa: E402

__all__ = ["TARGETS", "app"]

TARGETS = tuple(t for t in _ALL if t.kind == "http")


@require_http_methods(["GET", "HEAD"])
async def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "DELETE"])
async def item(request: HttpRequest, item_id: int) -> HttpResponse:
    if request.method == "DELETE":
        return HttpResponse(status=204)
    return JsonResponse({"id": item_id})


@csrf_exempt
@require_http_methods(["POST"])
async def echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.body, content_type="application/octet-stream")


@require_http_methods(["GET", "HEAD"])
async def stream(request: HttpRequest) -> StreamingHttpResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk {index}\n".encode()

    return StreamingHttpResponse(chunks(), content_type="text/plain")


urlpatterns = [
    path("", index),
    path("items/<int:item_id>", item),
    path("echo", echo),
    path("stream", stream),
]

app = get_asgi_application()
