# syntax=docker/dockerfile:1
# The DPS image: one image runs the web app (gunicorn), the Celery worker and Celery beat.
#   docker build -t dps .
# See docker-compose.yml for a complete local stack.

# --- Front-end assets: GOV.UK Frontend styles compiled with Sass ---------------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ frontend/
RUN npm run build

# --- The application ----------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint's system libraries (Pango, HarfBuzz) and a font for the PDFs it draws.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Runtime dependencies only, each checked against its pinned hash.
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && pip install --require-hashes --no-deps -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

RUN groupadd --system --gid 1000 dps \
    && useradd --system --uid 1000 --gid dps --home-dir /app --shell /usr/sbin/nologin dps
WORKDIR /app

# The code, owned by root and only readable by the app's user (.dockerignore leaves out
# virtualenvs, node_modules, tests, local data and caches).
COPY . .
# STATICFILES_DIRS in dps/settings/base.py points at these.
COPY --from=assets /build/static/build/ static/build/
COPY --from=assets /build/node_modules/govuk-frontend/dist/ node_modules/govuk-frontend/dist/
COPY --from=assets /build/node_modules/chart.js/dist/ node_modules/chart.js/dist/

# Static files are collected (hashed and compressed) into the image. Production settings
# insist on a long SECRET_KEY and on ALLOWED_HOSTS: this step gets throwaway values that exist
# only in this RUN, never in the image's environment.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p var/media \
    && chown dps:dps var var/media

USER dps
EXPOSE 8000
# The web process, with gunicorn.conf.py (WEB_CONCURRENCY sets its workers, WEB_THREADS the
# threads of each). The worker and beat run the same image with another command, and the web
# service in docker-compose.yml migrates and loads the ONS Postcode Directory first
# (`manage.py load_postcodes`, a no-op once that release is loaded).
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "-c", "gunicorn.conf.py", "dps.wsgi"]
