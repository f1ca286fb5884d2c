# reaper as an image of its own: a Debian builder compiles the static binary for the
# platform asked, then the image ships nothing but /reaper. Use it as a base, or copy the
# binary into your own image:
#
#   docker build -t reaper .                                         (this machine's)
#   docker buildx build --platform linux/amd64,linux/arm64 -t reaper .
#   COPY --from=reaper /reaper /sbin/reaper        (in your Dockerfile)
#   ENTRYPOINT ["/sbin/reaper", "--"]
#
# The builder runs on the build machine's own architecture and cross-compiles for the
# target's (amd64, arm64, arm/v7, 386, ppc64le, s390x), so no emulation is needed. Without
# BuildKit, which sets the platforms itself, name the target (--build-arg TARGETARCH=arm64)
# and, on a machine that is not amd64, the builder's (--build-arg BUILDPLATFORM=linux/arm64).
# Pass the commit for `reaper --version` (the build context has no .git):
#   docker build --build-arg COMMIT=$(git rev-parse --short=7 HEAD) -t reaper .
FROM --platform=${BUILDPLATFORM:-linux/amd64} debian:bookworm-slim AS build
ARG TARGETARCH
ARG TARGETVARIANT
WORKDIR /src
COPY meson.build meson_options.txt ./
COPY cross ./cross
# Docker's architecture names to Debian's (cross/*.ini); only 32-bit ARM v7 is armhf.
RUN set -eu; \
    native=$(dpkg --print-architecture); \
    case "${TARGETARCH:-$native}${TARGETVARIANT:+/$TARGETVARIANT}" in \
      arm|arm/v7) arch=armhf ;; \
      386) arch=i386 ;; \
      ppc64le) arch=ppc64el ;; \
      */*) echo "no build for ${TARGETARCH}/${TARGETVARIANT}" >&2; exit 1 ;; \
      *) arch=${TARGETARCH:-$native} ;; \
    esac; \
    [ -f "cross/$arch.ini" ] || { echo "no build for $arch (cross/ has $(ls cross))" >&2; exit 1; }; \
    if [ "$arch" = "$native" ]; then \
      compiler=g++; musl=musl-dev; \
    else \
      dpkg --add-architecture "$arch"; \
      compiler=g++-$(sed -n "s/^cpp = '\(.*\)-g++'/\1/p" "cross/$arch.ini" | tr _ -); musl=musl-dev:$arch; \
    fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends "$compiler" "$musl" meson ninja-build pkg-config; \
    rm -rf /var/lib/apt/lists/*; \
    echo "$arch" >/target-arch
COPY src ./src
COPY doc ./doc
ARG COMMIT=unknown
RUN meson setup /build --cross-file "cross/$(cat /target-arch).ini" -Dtests=disabled -Dcommit="$COMMIT" \
 && ninja -C /build reaper \
 && { [ "$(cat /target-arch)" != "$(dpkg --print-architecture)" ] || /build/reaper --version; }

FROM scratch
COPY --from=build /build/reaper /reaper
ENTRYPOINT ["/reaper", "--"]
