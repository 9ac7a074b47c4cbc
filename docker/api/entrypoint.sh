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
export API_INSTANCE_NAME JAVA_HOME
exec /opt/ol/wlp/bin/server run defaultServer
