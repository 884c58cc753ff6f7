# Shared by the shortener's node entrypoints (sourced): a data directory owned by the node's
# service user, files written as that user, and the server run as it with no capabilities.
#   SERVICE_USER  the Debian package's user (nats, etcd, postgres, redis)
#   DATA          the node's data directory (kept across `down`, like a compose named volume)
: "${SERVICE_USER:?}" "${DATA:?}"
RUN=/run/hakit
mkdir -p "$RUN" "$DATA"
[ "$(stat -c %U "$DATA")" = "$SERVICE_USER" ] || chown "$SERVICE_USER:$SERVICE_USER" "$DATA"
AS_SERVICE="setpriv --reuid=$SERVICE_USER --regid=$SERVICE_USER --init-groups --inh-caps=-all --no-new-privs"
$AS_SERVICE chmod 0700 "$DATA"
save_as() { $AS_SERVICE sh -c 'umask 077; cat > "$1"' sh "$1"; } # save_as FILE < content

# run_server ARGV…: the server as the service user in the background, its pid in /run/hakit;
# SIGTERM/SIGINT reach it, and this shell ends with it (a node is its server).
run_server() {
  $AS_SERVICE "$@" &
  sp=$!
  echo "$sp" > "$RUN/server.pid"
  trap 'kill -TERM "$sp" 2>/dev/null' TERM INT
  while kill -0 "$sp" 2>/dev/null; do wait "$sp" || true; done
  wait "$sp" 2>/dev/null
}
