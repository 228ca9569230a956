# Sourced by scripts/test and scripts/bench: a throwaway PostgreSQL cluster
# from the machine's postgresql package. After `start_pg`, PG_URL names its
# `postgres` database; `stop_pg` stops it and removes its files.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_pg() {
  PGBIN="$(pg_bin)"
  PGDIR="$(mktemp -d /tmp/cus-pg.XXXXXX)"
  PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGDIR"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=500 $*" \
    start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
}

stop_pg() {
  [ -n "${PGDIR:-}" ] || return 0
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  PGDIR=""
}
