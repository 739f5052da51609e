# mlmdx server image.
#
#   docker build -t mlmdx:0.1.0 .
#   docker run -p 8080:8080 -v mlmd-data:/data mlmdx:0.1.0
#
# The program is /usr/local/bin/mlmdx, also at /bin/metadata_store_server
# (MLMD's image path, which Kubeflow Pipelines' manifests run). The default
# command serves /data/mlmd.sqlite on port 8080.

FROM debian:bookworm-slim AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DMLMDX_BUILD_TESTS=OFF -DMLMDX_BUILD_BENCHMARKS=OFF \
    && cmake --build /build --target mlmdx \
    && strip /build/cli/mlmdx

FROM debian:bookworm-slim
# Runtime libraries only; tini reaps children and forwards SIGTERM, so the
# server drains its calls on `docker stop`.
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends ca-certificates tini \
        libgrpc++1.51 libprotobuf32 libabsl20220623 libsqlite3-0 libpq5 \
        libjwt0 libssl3 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/cli/mlmdx /usr/local/bin/mlmdx
# Fails the build if a shared library is missing from the list above.
RUN ln -s /usr/local/bin/mlmdx /bin/metadata_store_server \
    && ! ldd /usr/local/bin/mlmdx | grep -q "not found" \
    && mlmdx version
# A numeric non-root user (Kubernetes' runAsNonRoot checks the number), in
# group 0 so that platforms running images under an arbitrary uid in group
# 0 can still write /data.
RUN useradd --uid 1000 --gid 0 --home-dir /data --no-create-home mlmdx \
    && mkdir -p /data && chown 1000:0 /data && chmod 0775 /data
USER 1000:0
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["mlmdx", "health", "--server", "127.0.0.1:8080", "--timeout", "3", "--quiet"]
ENTRYPOINT ["/usr/bin/tini", "--", "mlmdx"]
CMD ["serve", "--grpc_port=8080", "--db=/data/mlmd.sqlite"]
