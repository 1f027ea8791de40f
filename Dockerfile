# syntax=docker/dockerfile:1
# Inkwell's image: the app and its locked runtime dependencies in a virtualenv, run as a
# non-root user. Build: docker build -t inkwell .   Run it with compose.yaml (migrations,
# relay, worker, PostgreSQL, Redis and Kafka beside it) or on its own with the settings of the
# README (INKWELL_DATABASE_URL, INKWELL_JWT_SECRET, ...).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# The same uv release the Makefile pins, installed from PyPI.
RUN pip install --no-cache-dir "uv==0.13.9"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, from the lock file alone, so a code change reuses this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY src ./src
RUN uv sync --locked --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 inkwell \
    && useradd --system --uid 10001 --gid inkwell --home-dir /app --shell /usr/sbin/nologin inkwell \
    && mkdir -p /app/data \
    && chown inkwell:inkwell /app/data
WORKDIR /app
COPY --from=build --chown=inkwell:inkwell /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    INKWELL_ENV=production \
    INKWELL_HOST=0.0.0.0 \
    INKWELL_PORT=8000 \
    INKWELL_DATA_DIR=/app/data \
    INKWELL_LOG_FORMAT=json
USER 10001:10001
EXPOSE 8000
# Liveness from inside the container (no curl in a slim image); the Host header is 127.0.0.1,
# which INKWELL_TRUSTED_HOSTS must allow.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
# Migrations run once, before the app, as their own step (compose.yaml's `migrate`).
CMD ["inkwell", "serve", "--no-migrate"]
