# shellcheck shell=bash
# The container images (docker/*/Dockerfile, kubernetes/gateway/Dockerfile), as `make images` and
# `make start-project RUNTIME=docker` build them: the base image, the Liberty runtime they take
# from the native stack, and the builds. Needs settings.sh, progress.sh, liberty.sh, wars.sh and
# a Docker engine that answers (scripts/lib/engine.sh).

# Every image starts FROM this: one a user pulls, or, where no registry answers, the same Debian
# release made from Debian's archive under the same name.
IMAGES_BASE="debian:bookworm-slim"
# The tag of every image, as docker-compose.yml and the Kubernetes base name them (used by compose.sh).
# shellcheck disable=SC2034
IMAGES_TAG="1.0.0"
IMAGES_LIBERTY_RUNTIME="$PROJECT_ROOT/ml-api-war/target/liberty-runtime.tar.gz"

# The base image: present, pulled, or made with mmdebstrap (Debian's own bootstrapper) and imported.
# The made one has the Debian "slim" image's content: minbase, merged /usr, no manuals, no
# documentation but the copyrights, no translations.
images_ensure_base() {
  if docker image inspect "$IMAGES_BASE" >/dev/null 2>&1; then
    ok "base image $IMAGES_BASE present"
    return
  fi
  local log="$LOG_DIR/base-image.log" tar
  if docker pull "$IMAGES_BASE" >"$log" 2>&1; then
    ok "base image $IMAGES_BASE pulled"
    return
  fi
  step "No registry answers ($(tail -n 1 "$log" | cut -c1-100)): making $IMAGES_BASE from Debian's archive (mmdebstrap); log: $log"
  tar="$(mktemp --suffix=.tar)"
  run_logged 1200 "$log" - nice -n 19 mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$tar" "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" \
    || {
      rm -f "$tar"
      die "mmdebstrap could not make $IMAGES_BASE; see $log"
    }
  docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tar" "$IMAGES_BASE" >>"$log" 2>&1 || {
    rm -f "$tar"
    die "docker import failed; see $log"
  }
  rm -f "$tar"
  ok "base image $IMAGES_BASE made from Debian's archive"
}

# The Liberty runtime of the API image: the native stack's runtime (liberty_ensure_runtime), packed
# by Liberty itself with only the features of the container's server configuration
# (`server package --include=minify`). Packed again when that configuration or the runtime changes.
images_liberty_runtime() {
  liberty_ensure_runtime
  local key user_dir server log="$LOG_DIR/liberty-package.log"
  key="$(cat "$WLP_DIR/lib/versions/openliberty.properties" "$LIBERTY_CONFIG_DIR/server.xml" \
    "$LIBERTY_CONFIG_DIR"/configDropins/{deployed,container}/*.xml | sha256sum | cut -c1-16)"
  if [[ -s "$IMAGES_LIBERTY_RUNTIME" && "$(cat "$IMAGES_LIBERTY_RUNTIME.key" 2>/dev/null)" == "$key" ]]; then
    ok "Liberty runtime for the images up to date: $IMAGES_LIBERTY_RUNTIME"
    return
  fi
  step "Packing the Liberty runtime for the images (server package --include=minify); log: $log"
  user_dir="$(mktemp -d)"
  server="$user_dir/servers/defaultServer"
  mkdir -p "$server/configDropins/overrides" "$(dirname "$IMAGES_LIBERTY_RUNTIME")"
  cp "$LIBERTY_CONFIG_DIR/server.xml" "$LIBERTY_CONFIG_DIR/jvm.options" "$server/"
  cp "$LIBERTY_CONFIG_DIR"/configDropins/{deployed,container}/*.xml "$server/configDropins/overrides/"
  rm -f "$IMAGES_LIBERTY_RUNTIME"
  run_logged 600 "$log" - env WLP_USER_DIR="$user_dir" "$WLP_DIR/bin/server" package defaultServer \
    --include=minify --archive="$IMAGES_LIBERTY_RUNTIME" \
    || {
      rm -rf "$user_dir"
      die "server package failed; see $log"
    }
  rm -rf "$user_dir"
  echo "$key" >"$IMAGES_LIBERTY_RUNTIME.key"
  ok "Liberty runtime packed: $IMAGES_LIBERTY_RUNTIME ($(du -h "$IMAGES_LIBERTY_RUNTIME" | cut -f1))"
}
