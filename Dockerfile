# coord API and worker image. Production runs against external PostgreSQL and
# Redis (COORD_DATABASE_URL, COORD_REDIS_URL), so the embedded servers are left out.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY workers ./workers
COPY migrations ./migrations
RUN pip install --upgrade pip setuptools && pip install . && useradd --system --home /app coord && mkdir -p /data && chown coord /data
USER coord
ENV COORD_HOST=0.0.0.0 COORD_PORT=8000 COORD_DATA_DIR=/data
EXPOSE 8000
CMD ["coord", "serve"]
