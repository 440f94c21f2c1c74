FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY webapp ./webapp
COPY workers ./workers
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && useradd --system --home /app disclosure && mkdir -p /data \
    && chown disclosure /data
USER disclosure
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "webapp:create_app()"]
