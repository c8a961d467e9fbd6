# syntax=docker/dockerfile:1
# send-monitor's daily cycle (`send-monitor run`) from the built package, on Python 3.12.
#   docker build -t send-monitor .
#   docker compose up -d            # with PostgreSQL: see compose.yaml
# No Chromium in the image: the daily cycle publishes without PDFs (`publish --pdf` needs it),
# and the served dashboards offer no report.pdf. `serve` listens on port 8000 (compose.yaml: web).

FROM python:3.12-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The send-monitor wheel, and durable-rules built from source as `make setup` does (README,
# "Supported Pythons"); both pinned by requirements.lock.
RUN scripts/lock-constraints > /constraints.txt \
 && python -m pip install --no-cache-dir -c /constraints.txt build setuptools \
 && python -m build --wheel --no-isolation --outdir /dist . \
 && CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject python -m pip wheel --no-cache-dir --no-deps \
        --no-binary durable_rules -c /constraints.txt --wheel-dir /dist durable_rules

FROM python:3.12-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /var/lib/send-monitor --create-home --shell /usr/sbin/nologin send-monitor \
 && install -d -o send-monitor -g send-monitor /var/lib/send-monitor/inbox /srv/send-monitor
COPY --from=build /dist /dist
COPY --from=build /constraints.txt /opt/constraints.txt
RUN python -m venv /opt/send-monitor \
 && /opt/send-monitor/bin/pip install --no-cache-dir -c /opt/constraints.txt /dist/durable_rules-*.whl \
        "$(echo /dist/send_monitor-*.whl)[postgres]" \
 && rm -rf /dist
ENV PATH=/opt/send-monitor/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SEND_MONITOR_CONFIG=/etc/send-monitor/send-monitor.toml \
    SEND_MONITOR_LOG_LEVEL=INFO
COPY examples/container.toml /etc/send-monitor/send-monitor.toml
USER send-monitor
WORKDIR /var/lib/send-monitor
VOLUME ["/var/lib/send-monitor", "/srv/send-monitor"]
EXPOSE 8000
ENTRYPOINT ["send-monitor"]
CMD ["run"]
