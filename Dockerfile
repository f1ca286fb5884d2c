# reaper as an image of its own: build the static binary in a Debian builder, then ship
# nothing but /reaper. Use it as a base, or copy the binary into your own image:
#
#   docker build -t reaper .
#   COPY --from=reaper /reaper /sbin/reaper        (in your Dockerfile)
#   ENTRYPOINT ["/sbin/reaper", "--"]
#
# Pass the commit for `reaper --version` (the build context has no .git):
#   docker build --build-arg COMMIT=$(git rev-parse --short=7 HEAD) -t reaper .
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ meson ninja-build pkg-config musl-tools musl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY meson.build meson_options.txt ./
COPY src ./src
COPY doc ./doc
ARG COMMIT=unknown
RUN meson setup /build -Dtests=disabled -Dcommit="$COMMIT" \
 && ninja -C /build reaper \
 && /build/reaper --version

FROM scratch
COPY --from=build /build/reaper /reaper
ENTRYPOINT ["/reaper", "--"]
