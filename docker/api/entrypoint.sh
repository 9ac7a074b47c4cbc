#!/bin/sh
# Names the server after its container, then runs it in the foreground (Liberty's `server run`
# ends in exec: the JVM is the container's main process and stops gracefully on SIGTERM).
# MicroProfile Config reads API_INSTANCE_NAME as api.instance.name, the X-Served-By value. Compose
# cannot give each replica its own environment, but Docker gives each one its own host name
# (Kubernetes: the pod name). An explicit value wins.
API_INSTANCE_NAME="${API_INSTANCE_NAME:-$(cat /proc/sys/kernel/hostname)}"
# The server script finds Java on its own only in a full JDK (it looks for include/); without
# JAVA_HOME it would also leave out the JVM options Liberty needs on Java 9+ (lib/platform/java).
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
# The gateway's token (X-Gateway-Token: docs/security.md#what-the-servers-receive), a Compose secret as
# a file: in the server's environment only, never in the container's configuration. Without it the
# server takes X-Request-ID and X-Shadow from no one.
if [ -z "${API_GATEWAY_TOKEN:-}" ] && [ -s /run/secrets/gateway_token ]; then
  API_GATEWAY_TOKEN="$(cat /run/secrets/gateway_token)"
  export API_GATEWAY_TOKEN
fi
export API_INSTANCE_NAME JAVA_HOME
exec /opt/ol/wlp/bin/server run defaultServer
