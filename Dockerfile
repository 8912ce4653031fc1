# Production image: gunicorn serving bootcamp, static files collected and served by WhiteNoise.
# The install step is the Makefile's (`pip install -c constraints.txt -e .`) without the dev extras.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: the snapshot worker fetches learners' repositories with it (learners/fetch.py).
RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 bootcamp
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY bootcamp ./bootcamp
COPY curriculum ./curriculum
COPY learners ./learners
COPY reviews ./reviews
RUN pip install -c constraints.txt -e .

COPY manage.py ./
COPY templates ./templates
COPY static ./static

# collectstatic needs settings, not a database: give it throw-away values for this step only.
RUN DEBUG=off SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input

USER bootcamp
EXPOSE 8000
CMD ["sh", "-c", "exec gunicorn bootcamp.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --threads ${GUNICORN_THREADS:-2} --access-logfile - --forwarded-allow-ips='*'"]
