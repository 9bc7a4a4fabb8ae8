# Builds the confab-server binary and the admin console, then ships them in a slim image.
#   docker build -t confab .
#   docker run -p 8080:8080 -v confab-data:/data confab

FROM rust:1-bookworm AS builder
WORKDIR /app
COPY . .
RUN cargo build --release --locked -p confab-server
# The admin console (WebAssembly), served by the server at /admin/.
RUN ADMIN_UI_DIST=/app/admin-ui-dist scripts/build-admin-ui.sh

FROM debian:bookworm-slim
# curl is only for the container health check (GET /healthz).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin confab \
    && mkdir -p /data \
    && chown confab:confab /data
COPY --from=builder /app/target/release/confab-server /usr/local/bin/confab-server
COPY --from=builder /app/admin-ui-dist /usr/local/share/confab/admin-ui
ENV CONFAB_ADDR=0.0.0.0:8080 \
    CONFAB_DATA_DIR=/data \
    CONFAB_ADMIN_UI_DIR=/usr/local/share/confab/admin-ui
VOLUME /data
WORKDIR /data
USER confab
EXPOSE 8080
ENTRYPOINT ["confab-server"]
CMD ["serve"]
