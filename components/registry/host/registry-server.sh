# shellcheck shell=bash
# The cluster's registry of the worker image: Debian's docker-registry (Distribution 2.8) as two services
# on one store, both TLS with a certificate this step makes (its own CA, whose certificate it prints for
# the Docker engines that use the registry):
# - pull (PORT): read only, the pull account's;
# - push (PUSH_PORT): the push account's, for the one host that builds the image, and for deleting the
#   images the stack no longer runs (registry-prune.sh).
# Each account is a bcrypt line in its service's htpasswd file; the passwords arrive on stdin, a line each,
# "pull <user> <password>" and "push <user> <password>". The package's own service (port 5000, no TLS)
# stays off. Its packages the host's setup step installed already, unless this step was undone since.
# Settings: ADDRESS (the host's address in the certificate), PORT, PUSH_PORT.
# Prints "ca <the CA certificate, base64 on one line>", then the registry's version.
: "${ADDRESS:?}" "${PORT:?}" "${PUSH_PORT:?}"
readonly conf=/etc/twister2-registry store=/var/lib/docker-registry

apt_install_wanted registry
if packages_recorded registry docker-registry && systemctl is-enabled --quiet docker-registry.service 2>/dev/null; then
  step "turning off the package's own registry service (plain HTTP on port 5000)"
  systemctl disable --now --quiet docker-registry.service
fi

declare -A user=() password=()
while read -r what name value || [ -n "${what:-}" ]; do
  user[$what]=$name password[$what]=$value
  what=''
done
for what in pull push; do
  [ -n "${password[$what]:-}" ] || die "no $what account on standard input"
done

install -d -m 0750 -o root -g docker-registry "$conf"
install -d -m 0750 -o docker-registry -g docker-registry "$store"

# The CA signs the registry's certificate once, and again when the address changes or a month is left.
# Its key is root's alone and never leaves the host.
if [ ! -s "$conf/ca.key" ] || [ ! -s "$conf/ca.crt" ]; then
  step "making the registry's certificate authority"
  (umask 077 && openssl req -x509 -new -noenc -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 3650 \
    -subj "/CN=twister2-cluster registry CA $(hostname)" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign -keyout "$conf/ca.key" -out "$conf/ca.crt" 2>/dev/null)
  chmod 0644 "$conf/ca.crt"
  rm -f "$conf/registry.crt"
fi
if [[ "$ADDRESS" =~ ^[0-9.]+$|: ]]; then san="IP:$ADDRESS"; else san="DNS:$ADDRESS"; fi
if [ "$(cat "$conf/registry.crt.san" 2>/dev/null)" != "$san" ] || ! openssl x509 -checkend 2592000 -noout -in "$conf/registry.crt" >/dev/null 2>&1; then
  step "signing the registry's certificate for $san"
  request=$(mktemp)
  (umask 027 && openssl req -new -noenc -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj "/CN=$ADDRESS" \
    -keyout "$conf/registry.key" -out "$request" 2>/dev/null)
  # The registry reads it (openssl writes a key 0600 whatever the umask).
  chgrp docker-registry "$conf/registry.key"
  chmod 0640 "$conf/registry.key"
  openssl x509 -req -in "$request" -CA "$conf/ca.crt" -CAkey "$conf/ca.key" -CAcreateserial -days 397 -out "$conf/registry.crt" \
    -extfile <(printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san") 2>/dev/null
  rm -f "$request"
  echo "$san" >"$conf/registry.crt.san"
  notify "twister2-registry@pull"
  notify "twister2-registry@push"
fi

# An account's line is written again only when its password no longer matches (bcrypt salts differ each time).
for what in pull push; do
  file="$conf/$what.htpasswd"
  # -i: the password on stdin, never in a process's arguments.
  if ! htpasswd -vi "$file" "${user[$what]}" <<<"${password[$what]}" >/dev/null 2>&1 || [ "$(wc -l <"$file")" != 1 ]; then
    line=$(htpasswd -niB "${user[$what]}" <<<"${password[$what]}" | sed '/^$/d')
    printf '%s\n' "$line" | write_file "$file" 0640 || true
    chgrp docker-registry "$file"
    step "the $what account ${user[$what]}"
    notify "twister2-registry@$what"
  fi
done

# The store's secret for uploads in progress (one push service, so one host): made once.
[ -s "$conf/http-secret" ] || (umask 077 && openssl rand -hex 32 >"$conf/http-secret")
secret=$(cat "$conf/http-secret")

service_conf() { # MODE PORT READ_ONLY DELETE
  cat <<CONF
# Written by twister2-cluster (ImageRegistry): the worker image's registry, $1 service.
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
  fields:
    service: twister2-registry-$1
storage:
  filesystem:
    rootdirectory: $store
  cache:
    blobdescriptor: inmemory
  maintenance:
    readonly:
      enabled: $3
  delete:
    enabled: $4
http:
  addr: :$2
  secret: $secret
  tls:
    certificate: $conf/registry.crt
    key: $conf/registry.key
    minimumtls: tls1.2
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: twister2-registry-$1
    path: $conf/$1.htpasswd
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
CONF
}
for mode in pull push; do
  port=$PORT read_only=true delete=false
  [ "$mode" = pull ] || port=$PUSH_PORT read_only=false delete=true
  if service_conf "$mode" "$port" "$read_only" "$delete" | write_file "$conf/$mode.yml" 0640; then
    chgrp docker-registry "$conf/$mode.yml"
    step "the $mode service on port $port"
    notify "twister2-registry@$mode"
  fi
done

if write_file /etc/systemd/system/twister2-registry@.service 0644 <<'UNIT'; then
# Written by twister2-cluster (ImageRegistry): Debian's docker-registry, one service per file in /etc/twister2-registry.
[Unit]
Description=twister2-cluster's worker image registry (%i)
After=network-online.target
Wants=network-online.target

[Service]
User=docker-registry
Group=docker-registry
ExecStart=/usr/bin/docker-registry serve /etc/twister2-registry/%i.yml
Restart=on-failure
RestartSec=2
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
fi
for mode in pull push; do
  systemctl enable --quiet "twister2-registry@$mode"
  systemctl is-active --quiet "twister2-registry@$mode" || notify "twister2-registry@$mode"
done
run_handlers

# Ready when each answers /v2/ with its challenge (401): TLS up, auth on.
for port in "$PORT" "$PUSH_PORT"; do
  challenged() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$conf/ca.crt" "https://$ADDRESS:$port/v2/")" = 401 ]; }
  if ! wait_for --quiet 30 "the registry to answer on port $port" challenged; then
    journalctl -u "twister2-registry@pull" -u "twister2-registry@push" -n 20 --no-pager -o cat >&2 || true
    die "the registry does not answer https://$ADDRESS:$port/v2/ with its login challenge after 30 s (its log is above)"
  fi
done

version=$(package_version docker-registry)
step "docker-registry $version: pulls on port $PORT, pushes on $PUSH_PORT"
echo "ca $(base64 -w0 "$conf/ca.crt")"
echo "$version"
