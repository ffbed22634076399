#!/usr/bin/env bash
# Checks the deployment kit (deploy/) without Docker or a cluster.
# Usage: check_configs.sh DSINFER_BINARY CHECK...   (CHECK: docker prometheus nginx k8s metrics logging all)
#   docker      tests/deploy/docker_check.py (Dockerfile structure, runtime libraries vs ldd)
#   prometheus  promtool check config / check rules, and the alert unit tests (promtool test rules)
#   nginx       nginx -t on deploy/nginx/dsinfer.conf in a temporary prefix with a generated cert
#   k8s         tests/deploy/k8s_check.py (schemas, consistency with the server, live server)
#   metrics     tests/deploy/metrics_check.py (Grafana dashboard and rules use exported metrics)
#   logging     tests/deploy/logging_check.py (Vector pipeline drops prompts, masks addresses)
# Exit 77 (skip) only when a tool a check needs is not installed.
set -uo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # nginx is in /usr/sbin on Debian
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:?usage: check_configs.sh DSINFER_BINARY CHECK...}"
shift
checks=("$@")
[ ${#checks[@]} -gt 0 ] && [ "${checks[0]}" != all ] || checks=(docker prometheus nginx k8s metrics logging)

skipped=0
failed=0
need() {  # need TOOL...: true when all are installed
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      echo "SKIP $check: $t is not installed"
      skipped=$((skipped + 1))
      return 1
    fi
  done
}
need_pyyaml() {
  need python3 || return 1
  python3 -c 'import yaml' 2>/dev/null && return 0
  echo "SKIP $check: python3 module yaml (python3-yaml) is not installed"
  skipped=$((skipped + 1))
  return 1
}
run() {  # run CMD...: counts a failure
  if ! "$@"; then
    echo "FAIL $check: $*"
    failed=$((failed + 1))
  fi
}

check_prometheus() {
  need promtool || return 0
  run promtool check config "$root/deploy/prometheus/prometheus.yml"
  run promtool check rules "$root/deploy/prometheus/rules.yml"
  run promtool test rules "$here/prometheus_rules_test.yml"
}

check_nginx() {
  need nginx openssl python3 || return 0
  local t
  t="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$t/dsinfer.key" -out "$t/dsinfer.crt" 2>/dev/null
  # The shipped file, with its certificate and log paths moved into the temporary prefix and its
  # listeners on free loopback ports (nginx -t binds them; 80/443 need root and may be taken).
  local ports
  mapfile -t ports < <(python3 -c 'import socket
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  sed -e "s#/etc/nginx/tls/#$t/#g" -e "s#/var/log/nginx/#$t/#g" \
      -e "/listen \[::\]:/d" \
      -e "s#listen 80;#listen 127.0.0.1:${ports[0]};#" \
      -e "s#listen 443 ssl#listen 127.0.0.1:${ports[1]} ssl#" \
    "$root/deploy/nginx/dsinfer.conf" > "$t/dsinfer.conf"
  cat > "$t/nginx.conf" <<CONF
pid $t/nginx.pid;
error_log $t/error.log;
events {}
http {
  access_log $t/access.log;
  client_body_temp_path $t/client_body;
  proxy_temp_path $t/proxy;
  fastcgi_temp_path $t/fastcgi;
  uwsgi_temp_path $t/uwsgi;
  scgi_temp_path $t/scgi;
  include $t/dsinfer.conf;
}
CONF
  run nginx -t -q -e "$t/error.log" -p "$t" -c "$t/nginx.conf"
  # The properties the kit promises, in the file as shipped.
  local conf="$root/deploy/nginx/dsinfer.conf"
  for pattern in 'listen 443 ssl' 'proxy_buffering off;' 'proxy_cache off;' 'proxy_read_timeout 3600s;' \
                 'proxy_set_header X-Request-Id \$dsinfer_request_id;' '"" *\$request_id;' \
                 'max_fails=[0-9]+ fail_timeout=' 'weight=[0-9]+' 'chunked_transfer_encoding on;'; do
    grep -Eq "$pattern" "$conf" || { echo "FAIL nginx: dsinfer.conf lacks /$pattern/"; failed=$((failed + 1)); }
  done
  rm -rf "$t"
}

check_docker() {
  need python3 ldd dpkg || return 0
  run python3 "$here/docker_check.py" "$bin"
}
check_k8s() { need_pyyaml || return 0; run python3 "$here/k8s_check.py" "$bin"; }
check_metrics() { need_pyyaml || return 0; run python3 "$here/metrics_check.py" "$bin"; }
check_logging() {
  need python3 || return 0
  if ! python3 -c 'import tomllib' 2>/dev/null; then
    echo "SKIP logging: python3 >= 3.11 (tomllib) is not installed"; skipped=$((skipped + 1)); return 0
  fi
  run python3 "$here/logging_check.py" "$bin"
}

for check in "${checks[@]}"; do
  case "$check" in
    docker|prometheus|nginx|k8s|metrics|logging) "check_$check" ;;
    *) echo "unknown check $check" >&2; exit 2 ;;
  esac
done
if [ "$failed" -gt 0 ]; then echo "check_configs: $failed failed"; exit 1; fi
if [ "$skipped" -gt 0 ]; then echo "check_configs: $skipped skipped"; exit 77; fi
echo "check_configs: ${checks[*]} ok"
