# shellcheck shell=bash
# Alertmanager of the native stack (Debian's prometheus-alertmanager), on 127.0.0.1:ALERTMANAGER_PORT
# under supervisord: Prometheus sends it the alerts of prometheus/rules (its alerting block), and it
# shows them in its UI and API and sends them to the receivers the settings name (a webhook, e-mail
# through an SMTP relay); by default to none. Its configuration is rendered from the settings as JSON
# (which YAML reads as is) with jq, so no value needs quoting by hand, and checked with amtool.
# Needs settings.sh and progress.sh.

ALERTMANAGER_STATE_DIR="$STATE_DIR/alertmanager"
ALERTMANAGER_CONFIG="$ALERTMANAGER_STATE_DIR/alertmanager.yml"
ALERTMANAGER_URL="http://127.0.0.1:$ALERTMANAGER_PORT"

# The configuration for the current settings, on stdout.
#   group_wait 10 s: the first notification of a group leaves 10 s after its first alert (Prometheus
#   has already waited each rule's `for:`); group_interval 1 m: new alerts of a group that already
#   notified; repeat_interval 4 h: a reminder while an alert still fires.
#   https://prometheus.io/docs/alerting/latest/configuration/
alerting_config() {
  jq -n --arg webhook "$ALERT_WEBHOOK_URL" --arg to "$ALERT_EMAIL_TO" --arg from "$ALERT_EMAIL_FROM" \
    --arg smarthost "$ALERT_SMTP_SMARTHOST" --arg username "$ALERT_SMTP_USERNAME" --arg password "$ALERT_SMTP_PASSWORD" '
    {
      route: {
        receiver: "stack",
        group_by: ["alertname", "instance_name"],
        group_wait: "10s",
        group_interval: "1m",
        repeat_interval: "4h"
      },
      receivers: [
        {name: "stack"}
        + (if $webhook == "" then {} else {webhook_configs: [{url: $webhook, send_resolved: true}]} end)
        + (if $to == "" then {} else {email_configs: [
            {to: $to, from: $from, smarthost: $smarthost, send_resolved: true}
            + (if $username == "" then {} else {auth_username: $username, auth_password: $password} end)
          ]} end)
      ]
    }'
}

alerting_render() {
  step "Rendering the Alertmanager configuration into $ALERTMANAGER_CONFIG"
  mkdir -p "$ALERTMANAGER_STATE_DIR/data"
  # It may hold the SMTP password: the owner's only.
  { (umask 077 && alerting_config >"$ALERTMANAGER_CONFIG.new") && mv -f "$ALERTMANAGER_CONFIG.new" "$ALERTMANAGER_CONFIG"; } \
    || die "could not write $ALERTMANAGER_CONFIG"
  amtool check-config "$ALERTMANAGER_CONFIG" >"$LOG_DIR/amtool-check.log" 2>&1 \
    || die "Alertmanager refused its configuration; see $LOG_DIR/amtool-check.log"
  ok "Alertmanager configuration is valid; receivers: $(alerting_receivers)"
}

# The receivers in words, for the start's output.
alerting_receivers() {
  local where="its UI and API"
  [[ -n "$ALERT_WEBHOOK_URL" ]] && where+=", a webhook"
  [[ -n "$ALERT_EMAIL_TO" ]] && where+=", e-mail to $ALERT_EMAIL_TO"
  echo "$where"
}

# Alertmanager's command line for supervisord: loopback only, and no cluster port (it would listen on
# every interface at 9094 to gossip with peers this stack does not have).
alerting_command() {
  printf '"%s" --config.file="%s" --storage.path="%s" --web.listen-address=127.0.0.1:%s --web.external-url=%s/ --cluster.listen-address=' \
    "$(command -v prometheus-alertmanager)" "$ALERTMANAGER_CONFIG" "$ALERTMANAGER_STATE_DIR/data" "$ALERTMANAGER_PORT" "$ALERTMANAGER_URL"
}

alerting_ready() { curl -fsS -o /dev/null --max-time 2 "$ALERTMANAGER_URL/-/ready"; }
