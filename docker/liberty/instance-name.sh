#!/bin/sh
# Names the server after its container before Liberty starts: MicroProfile Config reads
# API_INSTANCE_NAME as api.instance.name, the X-Served-By value. Compose cannot give each replica
# its own environment, but Docker gives each one its own host name. An explicit value wins.
API_INSTANCE_NAME="${API_INSTANCE_NAME:-${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}}"
export API_INSTANCE_NAME
exec /opt/ol/helpers/runtime/docker-server.sh "$@"
