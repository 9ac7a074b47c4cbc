# shellcheck shell=bash
# Requests of the scripts to the running gateway. Needs settings.sh.

# gateway_curl CURL-ARGS...: curl with the gateway's basic-auth credentials, which it reads as a config
# from its standard input (-K -), never from its command line, where any user's `ps` would show them.
# In the config's double-quoted string a backslash and a double quote are escaped.
#   https://curl.se/docs/manpage.html#-K
gateway_curl() {
  local password="${GATEWAY_PASSWORD//\\/\\\\}"
  password="${password//\"/\\\"}"
  printf 'user = "%s:%s"\n' "$GATEWAY_USER" "$password" | curl -K - "$@"
}
