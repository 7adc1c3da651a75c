# One image for web, worker and beat of a country deployment (see docker-compose.yml).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=smartcoop.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings but no services: placeholders are enough at build time.
RUN DJANGO_SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 SMARTCOOP_FIELD_ENCRYPTION_KEYS=ZGV2LW9ubHkta2V5LWRldi1vbmx5LWtleS1kZXYtMDA= \
    python manage.py collectstatic --no-input -v 0
RUN useradd --system --uid 1000 smartcoop && mkdir -p /app/var/media && chown -R smartcoop /app/var
USER smartcoop
EXPOSE 8000
CMD ["gunicorn", "smartcoop.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
