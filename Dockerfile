# The application image: the web server (gunicorn), the Celery workers and beat all run from it
# (docker-compose.yml picks the command). Build: docker build -t gov-disclosure .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    DATA_DIR=/data

# A CJK TrueType font, embedded in the PDF notices and reports (webapp/render/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY webapp ./webapp
COPY workers ./workers
COPY migrations ./migrations
# Installed in place (-e): the application finds its migrations/ beside webapp/ in /app.
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app disclosure \
    && mkdir -p /data \
    && chown disclosure /data \
    && chmod 700 /data

USER disclosure
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "python:webapp.gunicorn_conf", "webapp:create_app()"]
