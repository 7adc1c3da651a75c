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
# collectstatic needs settings but no services: throw-away secrets, generated here and forgotten
# (production settings refuse placeholders and the repository's development key).
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    SMARTCOOP_FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0
RUN useradd --system --uid 1000 smartcoop && mkdir -p /app/var/media && chown -R smartcoop /app/var
USER smartcoop
EXPOSE 8000
# gunicorn.conf.py: bind, workers, and the access log with client-link tokens redacted.
CMD ["gunicorn", "smartcoop.wsgi"]
