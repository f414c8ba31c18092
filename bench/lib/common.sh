# Shell helpers shared by the benchmark scripts (bench/*/run): sourced, never
# run. Everything listens on 127.0.0.1 only.

# A port nothing listens on now (and not handed out before by this script).
bench_used_ports=" "
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    case "$bench_used_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      bench_used_ports+="$port "
      echo "$port"
      return
    fi
  done
}

now() { date +%s.%N; }
# CPU seconds (user + system) process $1 has used so far.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# awk arithmetic on its arguments: calc 'a / b' 1 2
calc() {
  local expr=$1
  shift
  awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" "BEGIN { print ($expr) }"
}
# The value of "key value" lines.
value_of() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
# An integer with thousands separators.
fmt_int() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); n = length(s); out = "";
  for (i = 1; i <= n; i++) { out = out substr(s, i, 1); if ((n - i) % 3 == 0 && i < n) out = out "," }
  print out }'; }
# A ClickHouse string literal.
sql_string() { printf "'%s'" "$(printf %s "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")"; }

# Starts Debian's clickhouse-server in directory $1 with Debian's defaults,
# free ports, the query log on and the given UTC time zone; sets ch_pid,
# ch_tcp_port and ch_version, and defines chc (clickhouse-client on it).
# Stop it with stop_clickhouse (call it from the script's EXIT trap).
ch_pid=""
start_clickhouse() {
  local ch=$1 http_port interserver_port
  mkdir -p "$ch"
  http_port=$(free_port)
  ch_tcp_port=$(free_port)
  interserver_port=$(free_port)
  cat >"$ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$ch/server.log</log>
        <errorlog>$ch/server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
    </logger>
    <http_port>$http_port</http_port>
    <tcp_port>$ch_tcp_port</tcp_port>
    <interserver_http_port>$interserver_port</interserver_http_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>64</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>16</max_concurrent_queries>
    <uncompressed_cache_size>8589934592</uncompressed_cache_size>
    <mark_cache_size>5368709120</mark_cache_size>
    <path>$ch/data/</path>
    <tmp_path>$ch/tmp/</tmp_path>
    <user_files_path>$ch/user_files/</user_files_path>
    <format_schema_path>$ch/format_schemas/</format_schema_path>
    <users_config>/etc/clickhouse-server/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>7500</flush_interval_milliseconds>
    </query_log>
</yandex>
XML
  clickhouse-server --config-file="$ch/config.xml" >"$ch/stdout.log" 2>&1 &
  ch_pid=$!
  until curl -sf "http://127.0.0.1:$http_port/ping" >/dev/null; do
    kill -0 "$ch_pid" 2>/dev/null || {
      cat "$ch/stdout.log" "$ch/server.err.log" >&2 2>/dev/null
      echo "bench: clickhouse-server did not start" >&2
      return 1
    }
    sleep 0.05
  done
  ch_version=$(chc --query "SELECT version()")
}
chc() { clickhouse-client --port "$ch_tcp_port" "$@"; }
stop_clickhouse() {
  [ -n "$ch_pid" ] || return 0
  kill "$ch_pid" 2>/dev/null || true
  wait "$ch_pid" 2>/dev/null || true
  ch_pid=""
}

# Loads TabSeparated file $2 into the table created by the SQL in $1, then
# merges every partition to one part (OPTIMIZE is a no-op for a partition
# whose parts a background merge holds: repeat until done). Sets
# ch_load_seconds and ch_load_cpu (server + client CPU).
load_clickhouse() {
  local create=$1 tsv=$2 server_cpu started parts_query parts partitions
  chc --multiquery <"$create"
  server_cpu=$(proc_cpu "$ch_pid")
  started=$(now)
  TIMEFORMAT='%U %S'
  { time chc --query "INSERT INTO events FORMAT TabSeparated" <"$tsv"; } 2>"$tsv.time"
  ch_load_seconds=$(calc 'a - b' "$(now)" "$started")
  ch_load_cpu=$(calc 'a - b + c' "$(proc_cpu "$ch_pid")" "$server_cpu" \
    "$(tail -1 "$tsv.time" | awk '{ print $1 + $2 }')")
  parts_query="SELECT sum(bytes_on_disk), count(), uniqExact(partition) FROM system.parts
    WHERE database = 'default' AND table = 'events' AND active FORMAT TSV"
  read -r ch_bytes_loaded ch_parts_loaded ch_partitions <<<"$(chc --query "$parts_query")"
  started=$(now)
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    chc --query "OPTIMIZE TABLE events FINAL"
    read -r ch_bytes parts partitions <<<"$(chc --query "$parts_query")"
    [ "$parts" -gt "$partitions" ] || break
    sleep 1
  done
  ch_parts=$parts
  ch_optimize_seconds=$(calc 'a - b' "$(now)" "$started")
}

# Runs ClickHouse query $2 $runs times (query ids ${ch_run_tag}_$1_N); its
# output goes to $work/ch_$1.out, each run's wall time to $work/ch_$1.time.
# Uses the caller's $work and $runs.
ch_run_tag=bench$RANDOM$RANDOM
ch_time_runs() {
  local name=$1 sql=$2 run
  for run in $(seq "$runs"); do
    chc --time --log_queries=1 --query_id "${ch_run_tag}_${name}_$run" --query "$sql" \
      >"$work/ch_$name.out" 2>>"$work/ch_$name.time"
  done
}

# "<name> runs best total cpu" of the runs of ch_time_runs $1 (CPU from
# system.query_log: every thread's user + system time; SYSTEM FLUSH LOGS first).
ch_timing() {
  local name=$1 best total cpu
  best=$(sort -g "$work/ch_$name.time" | head -1)
  total=$(awk '{ s += $1 } END { print s }' "$work/ch_$name.time")
  cpu=$(chc --query "SELECT sum(ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')]
      + ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')]) / 1e6
    FROM system.query_log WHERE type = 2 AND query_id LIKE '${ch_run_tag}_${name}_%'")
  echo "$name $runs $best $total $cpu"
}
