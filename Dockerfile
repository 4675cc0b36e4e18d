# One image for `interviewer worker` and `interviewer serve`.
# Speech models come inside pip packages (no model download at run time).
# The base images can be swapped with build args (scripts/offline-images/ builds
# Debian stand-ins for machines with no container registry).
ARG NODE_IMAGE=node:20-slim
ARG PYTHON_IMAGE=python:3.11-slim

# --- the browser page (bundled with esbuild; no CDN at run time) ---
FROM ${NODE_IMAGE} AS page
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/
RUN cd frontend && npm ci --no-audit --no-fund
COPY frontend/ frontend/
RUN mkdir -p agent/web/static && cd frontend && npm run build

# --- the Python application ---
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INTERVIEWER_CONTENT_DIR=/app
RUN useradd --create-home --uid 10001 interviewer
WORKDIR /app
COPY pyproject.toml LICENSE ./
COPY README.md ./
COPY agent/ agent/
COPY question_bank/ question_bank/
COPY interviewer_personas/ interviewer_personas/
COPY --from=page /src/agent/web/static/dist/ agent/web/static/dist/
RUN pip install ".[postgres]"
USER interviewer
EXPOSE 8080
CMD ["interviewer", "serve", "--host", "0.0.0.0", "--port", "8080"]
