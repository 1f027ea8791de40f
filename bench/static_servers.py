"""The plain static file servers the media benchmark compares Inkwell's `/media/{name}` with:
a minimal Starlette `StaticFiles` app under Uvicorn (the same Python server stack as Inkwell,
one process) and nginx (one worker process, sendfile: what production would put in front)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bench.servers import BIN, Server, ServerConfig, _spawn


def static_app() -> Starlette:
    """The plain static file server: Starlette's StaticFiles over BENCH_MEDIA_DIR."""

    async def live(_: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    directory = os.environ["BENCH_MEDIA_DIR"]
    return Starlette(
        routes=[
            Route("/health/live", live),
            Mount("/media", StaticFiles(directory=directory), name="media"),
        ]
    )


def start_static(port: int, media_dir: Path, config: ServerConfig) -> Server:
    command = [
        str(BIN / "uvicorn"),
        "--factory",
        "bench.static_servers:static_app",
        "--host",
        "127.0.0.1",
    ]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    return _spawn("static", command, {"BENCH_MEDIA_DIR": str(media_dir)}, config)


NGINX_CONF = """daemon off;
worker_processes 1;
user {user};
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types {{ image/webp webp; image/jpeg jpg; }}
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location = /health/live {{ return 200 "ok"; }}
    location /media/ {{
      alias {media}/;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }}
  }}
}}
"""


def start_nginx(port: int, media_dir: Path, config: ServerConfig, run_dir: Path) -> Server:
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
    conf = run_dir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, run=run_dir, port=port, media=media_dir))
    command = [str(shutil.which("nginx")), "-c", str(conf), "-e", str(run_dir / "error.log")]
    return _spawn("nginx", command, {}, config, port=port)
