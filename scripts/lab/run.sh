#!/usr/bin/env bash
# wirelens lab: real Linux TCP/IP captures as test fixtures.
#
#   scripts/lab/run.sh                 regenerate every scenario
#   scripts/lab/run.sh close-refused   regenerate some (names as in fixtures/lab/<name>.pcap)
#   scripts/lab/run.sh --list          list scenarios
#
# Builds throw-away network namespaces (client, router, server; more for NAT and VLAN),
# captures with tcpdump -s 0, drives traffic with scripts/lab/lab.py (python stdlib only),
# and writes fixtures/lab/<name>.pcap(ng) + <name>.truth.json. Needs root, iproute2, nft,
# tcpdump, python3; pcapng-multi also needs mergecap (wireshark-common).
# Test traffic only ever goes to hosts in the namespaces created here.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${LAB_OUT:-$ROOT/fixtures/lab}
PFX=${LAB_PREFIX:-wl}
PY=(python3 "$HERE/lab.py")

export LAB_NS_CLIENT="$PFX-client" LAB_NS_CLIENT2="$PFX-client2" LAB_NS_ROUTER="$PFX-router"
export LAB_NS_SERVER="$PFX-server" LAB_NS_LAN="$PFX-lan" LAB_NS_SWITCH="$PFX-switch"
ALL_NS=("$LAB_NS_CLIENT" "$LAB_NS_CLIENT2" "$LAB_NS_ROUTER" "$LAB_NS_SERVER" "$LAB_NS_LAN" "$LAB_NS_SWITCH")

SCENARIOS=(
  http-keepalive ipv6-http
  close-client-first close-server-first close-simultaneous refused abortive-close half-close
  timewait-reuse backlog-overflow backlog-abort syncookies loss-retransmit nat sll2-any nanosecond
  pcapng-multi vlan
  http-pipelined http-chunked http-large-loss http-misc http-upgrade http-hostile
)

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------------------------------
# cleanup: runs on every exit path

declare -A CAP_PID=()
BG_PIDS=()
WORK=""

stop_pid() { # pid signal timeout_s
  local pid=$1 sig=$2 t=$3 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

lab_down() {
  local label pid ns
  if [[ -n ${LAB_PID:-} ]]; then stop_pid "$LAB_PID" TERM 3; LAB_PID=""; fi
  for label in "${!CAP_PID[@]}"; do
    stop_pid "${CAP_PID[$label]}" INT 5
    unset "CAP_PID[$label]"
  done
  for pid in "${BG_PIDS[@]}"; do stop_pid "$pid" TERM 3; done
  BG_PIDS=()
  for ns in "${ALL_NS[@]}"; do
    if [[ -e /run/netns/$ns ]]; then ip netns del "$ns" 2>/dev/null || true; fi
  done
}

cleanup() {
  local rc=$?
  lab_down
  if [[ -n $WORK && -z ${LAB_KEEP_WORK:-} ]]; then rm -rf "$WORK"; fi
  if [[ $rc -ne 0 ]]; then log "failed (exit $rc); namespaces removed"; fi
  exit "$rc"
}

# ------------------------------------------------------------------------------------------
# topology
#
#   client  eth0 10.0.1.2/24 fd00:1::2/64 ── lan0 10.0.1.1 fd00:1::1  router  wan0 10.0.2.1 fd00:2::1 ── eth0 10.0.2.2/24 fd00:2::2/64  server
#
# MACs are fixed (02:00:0a:00:<subnet>:<host>) so link-local IPv6 addresses are fixed too.

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
sysctl_ns() { local ns=$1; shift; local kv; for kv in "$@"; do nsx "$ns" sysctl -qw "$kv"; done; }

new_ns() { # ns ipv6(0|1)
  local ns=$1 v6=$2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  if [[ $v6 == 1 ]]; then
    # no DAD, no router solicitations, MLD reports bunched right after link-up (before capture)
    sysctl_ns "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.dad_transmits=0 net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.mldv2_unsolicited_report_interval=10 \
      net.ipv6.conf.default.mldv1_unsolicited_report_interval=10
  else
    # IPv4-only scenarios: no IPv6 at all, so no MLD/RS/ND noise in the capture
    sysctl_ns "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
}

offloads_off() { # ns ifname...
  local ns=$1; shift
  nsx "$ns" "${PY[@]}" offloads-off "$@" >/dev/null
}

# topo [--v6] [--nat2] [--vlan]
TOPO_V6=0
topo() {
  local v6=0 nat2=0 vlan=0 a
  for a in "$@"; do
    case $a in
      --v6) v6=1 ;;
      --nat2) nat2=1 ;;
      --vlan) vlan=1 ;;
      *) die "topo: unknown option $a" ;;
    esac
  done
  TOPO_V6=$v6
  lab_down
  local C=$LAB_NS_CLIENT R=$LAB_NS_ROUTER S=$LAB_NS_SERVER
  new_ns "$R" "$v6"
  new_ns "$S" "$v6"
  new_ns "$C" "$v6"
  sysctl_ns "$R" net.ipv4.ip_forward=1
  [[ $v6 == 1 ]] && sysctl_ns "$R" net.ipv6.conf.all.forwarding=1

  # server side
  ip link add wan0 netns "$R" address 02:00:0a:00:02:01 type veth peer name eth0 netns "$S" address 02:00:0a:00:02:02
  # client side
  if [[ $nat2 == 1 ]]; then
    # two clients behind the NAT share one inside link: macvlan ports on a "lan" namespace
    local L=$LAB_NS_LAN C2=$LAB_NS_CLIENT2
    new_ns "$L" 0
    new_ns "$C2" "$v6"
    ip link add lan0 netns "$R" address 02:00:0a:00:01:01 type veth peer name trunk0 netns "$L" address 02:00:0a:00:01:fe
    ip -n "$L" link add eth0 link trunk0 address 02:00:0a:00:01:02 type macvlan mode bridge
    ip -n "$L" link add eth1 link trunk0 address 02:00:0a:00:01:03 type macvlan mode bridge
    ip -n "$L" link set eth0 netns "$C"
    ip -n "$L" link set eth1 netns "$C2"
    ip -n "$C2" link set eth1 name eth0
    ip -n "$L" link set trunk0 up
    offloads_off "$L" trunk0
  elif [[ $vlan == 1 ]]; then
    # client ── switch (python 802.1Q tagger, trunk0a ══ trunk0b carries VLAN 10) ── router
    local W=$LAB_NS_SWITCH
    new_ns "$W" 0
    ip link add eth0 netns "$C" address 02:00:0a:00:01:02 type veth peer name acc0 netns "$W" address 02:00:0a:00:01:f1
    ip link add trunk0a netns "$W" address 02:00:0a:00:01:f2 type veth peer name trunk0b netns "$W" address 02:00:0a:00:01:f3
    ip link add acc1 netns "$W" address 02:00:0a:00:01:f4 type veth peer name lan0 netns "$R" address 02:00:0a:00:01:01
    ip -n "$W" link set trunk0a mtu 1504
    ip -n "$W" link set trunk0b mtu 1504
    local i
    for i in acc0 trunk0a trunk0b acc1; do ip -n "$W" link set "$i" up; done
    offloads_off "$W" acc0 trunk0a trunk0b acc1
  else
    ip link add eth0 netns "$C" address 02:00:0a:00:01:02 type veth peer name lan0 netns "$R" address 02:00:0a:00:01:01
  fi

  ip -n "$R" addr add 10.0.1.1/24 dev lan0
  ip -n "$R" addr add 10.0.2.1/24 dev wan0
  ip -n "$S" addr add 10.0.2.2/24 dev eth0
  ip -n "$C" addr add 10.0.1.2/24 dev eth0
  if [[ $v6 == 1 ]]; then
    ip -n "$R" addr add fd00:1::1/64 dev lan0 nodad
    ip -n "$R" addr add fd00:2::1/64 dev wan0 nodad
    ip -n "$S" addr add fd00:2::2/64 dev eth0 nodad
    ip -n "$C" addr add fd00:1::2/64 dev eth0 nodad
  fi
  local hosts=("$C:eth0" "$R:lan0" "$R:wan0" "$S:eth0")
  if [[ $nat2 == 1 ]]; then
    ip -n "$LAB_NS_CLIENT2" addr add 10.0.1.3/24 dev eth0
    hosts+=("$LAB_NS_CLIENT2:eth0")
  fi
  local h
  for h in "${hosts[@]}"; do
    ip -n "${h%%:*}" link set "${h#*:}" up
    offloads_off "${h%%:*}" "${h#*:}"
    # keep resolved neighbours REACHABLE for the whole scenario (no unicast ARP re-probes)
    sysctl_ns "${h%%:*}" "net.ipv4.neigh.${h#*:}.base_reachable_time_ms=600000"
    [[ $v6 == 1 ]] && sysctl_ns "${h%%:*}" "net.ipv6.neigh.${h#*:}.base_reachable_time_ms=600000"
  done
  ip -n "$C" route add default via 10.0.1.1
  ip -n "$S" route add default via 10.0.2.1
  [[ $nat2 == 1 ]] && ip -n "$LAB_NS_CLIENT2" route add default via 10.0.1.1
  if [[ $v6 == 1 ]]; then
    ip -n "$C" -6 route add default via fd00:1::1
    ip -n "$S" -6 route add default via fd00:2::1
  fi
  # let link-up chatter (IPv6 MLD reports) pass before any capture starts
  sleep "$([[ $v6 == 1 ]] && echo 1.5 || echo 0.3)"
}

flush_neigh() { # ns...
  local ns
  for ns in "$@"; do ip -n "$ns" neigh flush all 2>/dev/null || true; done
}

# Mark every neighbour REACHABLE (MACs are fixed), without sending anything, so that scenarios
# that are not about ARP start straight with their own packets and see no ARP re-probes.
prime_neigh() {
  ip -n "$LAB_NS_CLIENT" neigh replace 10.0.1.1 lladdr 02:00:0a:00:01:01 dev eth0 nud reachable
  ip -n "$LAB_NS_ROUTER" neigh replace 10.0.1.2 lladdr 02:00:0a:00:01:02 dev lan0 nud reachable
  ip -n "$LAB_NS_ROUTER" neigh replace 10.0.2.2 lladdr 02:00:0a:00:02:02 dev wan0 nud reachable
  ip -n "$LAB_NS_SERVER" neigh replace 10.0.2.1 lladdr 02:00:0a:00:02:01 dev eth0 nud reachable
}

# ------------------------------------------------------------------------------------------
# capture

SW="" # scenario work dir

cap_start() { # label ns iface file [tcpdump args...]
  local label=$1 ns=$2 ifc=$3 file=$4
  shift 4
  local err="$SW/cap-$label.err"
  # --immediate-mode: every packet reaches tcpdump at once (no TPACKET_V3 block timeout), so a
  # capture can be stopped right after the kernel snapshot without losing its last packets.
  # -B 65536: immediate mode uses TPACKET_V2, whose ring slots are snaplen-sized (256 KiB with -s 0):
  # the default 2 MiB buffer holds 8 packets and a burst is "dropped by kernel"; 64 MiB holds 256
  local -a cmd=(tcpdump -i "$ifc" -s 0 -B 65536 -U -n --immediate-mode -w "$file" "$@")
  # a retried scenario reuses the label: never let the last attempt's files answer for this one
  rm -f "$err" "$SW/cap-$label.pid"
  printf '%s\n' "ip netns exec <$ns> ${cmd[*]}" >"$SW/cap-$label.cmd"
  printf '%s\n%s\n%s\n' "$ns" "$ifc" "$file" >"$SW/cap-$label.where"
  ip netns exec "$ns" "${cmd[@]}" 2>"$err" &
  CAP_PID[$label]=$!
  # lab.py stops the capture itself (SIGINT to this pid) right after its ss/nstat snapshot and
  # before it closes any socket: the capture ends at the moment the truth describes
  echo "${CAP_PID[$label]}" >"$SW/cap-$label.pid"
  local i
  # generous: on a loaded 2-core machine tcpdump has been seen to need several seconds
  for ((i = 0; i < 300; i++)); do
    grep -q 'listening on' "$err" 2>/dev/null && break
    kill -0 "${CAP_PID[$label]}" 2>/dev/null || die "tcpdump $label died: $(cat "$err")"
    sleep 0.1
  done
  grep -q 'listening on' "$err" || die "tcpdump $label did not start within 30 s: $(cat "$err")"
  sleep 0.2
}

cap_stop() { # label
  local label=$1
  if ! grep -q 'packets captured' "$SW/cap-$label.err" 2>/dev/null; then
    # lab.py did not stop it (it failed, or a scenario without a snapshot): stop it here
    log "capture $label was not stopped by lab.py; stopping it now"
    sleep 0.3 # last packets reach the socket
    stop_pid "${CAP_PID[$label]}" INT 5
  fi
  wait "${CAP_PID[$label]}" 2>/dev/null || true
  unset "CAP_PID[$label]"
  grep -q 'packets captured' "$SW/cap-$label.err" || die "tcpdump $label did not report its stats"
}

# run lab.py in the background and wait for it, so that a signal reaches our trap at once
# (bash defers traps until a foreground child exits); cleanup stops it by pid
LAB_PID=""
lab() {
  "${PY[@]}" "$@" &
  LAB_PID=$!
  local rc=0
  wait "$LAB_PID" || rc=$?
  LAB_PID=""
  return "$rc"
}

# finish <fixture> <label> [<fixture> <label>...]: write fixtures from the run + captures
finish() {
  lab finalize --work "$SW" --out "$OUT" "$@"
}

# ------------------------------------------------------------------------------------------
# scenarios

sc_http_keepalive() {
  topo
  flush_neigh "$LAB_NS_CLIENT" "$LAB_NS_ROUTER" "$LAB_NS_SERVER"
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run http-keepalive --work "$SW"
  cap_stop main
  finish http-keepalive main
}

sc_ipv6_http() {
  topo --v6
  flush_neigh "$LAB_NS_CLIENT" "$LAB_NS_ROUTER" "$LAB_NS_SERVER"
  ip -n "$LAB_NS_CLIENT" -6 neigh flush all
  ip -n "$LAB_NS_ROUTER" -6 neigh flush all
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run ipv6-http --work "$SW"
  cap_stop main
  finish ipv6-http main
}

# plain client/server scenarios captured on the client link with neighbours already resolved
simple_tcp() { # scenario
  topo
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run "$1" --work "$SW"
  cap_stop main
  finish "$1" main
}

sc_close_client_first() { simple_tcp close-client-first; }
sc_close_server_first() { simple_tcp close-server-first; }
sc_refused() { simple_tcp refused; }
sc_abortive_close() { simple_tcp abortive-close; }
sc_half_close() { simple_tcp half-close; }
sc_timewait_reuse() {
  topo
  # default sysctls (tcp_tw_reuse=2, tcp_tw_reuse_delay=1000): they govern ephemeral port choice only;
  # an explicitly bound port takes over a TIME-WAIT with timestamps at once (see the truth file)
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run timewait-reuse --work "$SW"
  cap_stop main
  finish timewait-reuse main
}

sc_close_simultaneous() {
  local attempt
  for attempt in $(seq 1 "${LAB_SIMCLOSE_ATTEMPTS:-20}"); do
    topo
    prime_neigh
    cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
    local rc=0
    lab run close-simultaneous --work "$SW" --attempt "$attempt" || rc=$?
    cap_stop main
    if [[ $rc == 0 ]]; then
      finish close-simultaneous main
      return 0
    fi
    [[ $rc == 3 ]] || die "close-simultaneous failed (exit $rc)"
    log "attempt $attempt: FINs did not cross (one side ended CLOSED), retrying"
  done
  die "no simultaneous close in ${LAB_SIMCLOSE_ATTEMPTS:-20} attempts"
}

backlog_common() { # scenario sysctl...
  local name=$1
  shift
  topo
  # short retry ladders so the capture ends within seconds
  sysctl_ns "$LAB_NS_CLIENT" net.ipv4.tcp_syn_retries=2
  sysctl_ns "$LAB_NS_SERVER" net.ipv4.tcp_synack_retries=2 "$@"
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run "$name" --work "$SW"
  cap_stop main
  finish "$name" main
}
sc_backlog_overflow() { backlog_common backlog-overflow net.ipv4.tcp_syncookies=0 net.ipv4.tcp_abort_on_overflow=0; }
sc_backlog_abort() { backlog_common backlog-abort net.ipv4.tcp_syncookies=0 net.ipv4.tcp_abort_on_overflow=1; }
sc_syncookies() { backlog_common syncookies net.ipv4.tcp_syncookies=2 net.ipv4.tcp_abort_on_overflow=0; }

sc_loss_retransmit() {
  topo
  # drop chosen server->client data segments on the router (forward hook), counted by numgen
  nsx "$LAB_NS_ROUTER" nft -f "$HERE/loss.nft"
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run loss-retransmit --work "$SW"
  cap_stop main
  nsx "$LAB_NS_ROUTER" nft list ruleset >"$SW/nft-ruleset.txt"
  finish loss-retransmit main
}

# HTTP/1.x scenarios: raw-socket peers (scripts/lab/http_scenarios.py), captured on the client link
sc_http_pipelined() { simple_tcp http-pipelined; }
sc_http_chunked() { simple_tcp http-chunked; }
sc_http_misc() { simple_tcp http-misc; }
sc_http_upgrade() { simple_tcp http-upgrade; }
sc_http_hostile() { simple_tcp http-hostile; }
sc_http_large_loss() {
  topo
  # drop chosen server->client data segments of the response on the router (see loss-http.nft)
  nsx "$LAB_NS_ROUTER" nft -f "$HERE/loss-http.nft"
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap"
  lab run http-large-loss --work "$SW"
  cap_stop main
  finish http-large-loss main
}

sc_nat() {
  topo --nat2
  nsx "$LAB_NS_ROUTER" nft -f "$HERE/nat.nft"
  flush_neigh "$LAB_NS_CLIENT" "$LAB_NS_CLIENT2" "$LAB_NS_ROUTER" "$LAB_NS_SERVER"
  cap_start inside "$LAB_NS_ROUTER" lan0 "$SW/inside.pcap"
  cap_start outside "$LAB_NS_ROUTER" wan0 "$SW/outside.pcap"
  lab run nat --work "$SW"
  cap_stop inside
  cap_stop outside
  nsx "$LAB_NS_ROUTER" nft list ruleset >"$SW/nft-ruleset.txt"
  finish nat-inside inside nat-outside outside
}

sc_sll2_any() {
  topo
  flush_neigh "$LAB_NS_CLIENT" "$LAB_NS_ROUTER" "$LAB_NS_SERVER"
  cap_start main "$LAB_NS_ROUTER" any "$SW/main.pcap" -y LINUX_SLL2
  lab run sll2-any --work "$SW"
  cap_stop main
  finish sll2-any main
}

sc_nanosecond() {
  topo
  prime_neigh
  cap_start main "$LAB_NS_CLIENT" eth0 "$SW/main.pcap" --time-stamp-precision=nano
  lab run nanosecond --work "$SW"
  cap_stop main
  finish nanosecond main
}

sc_pcapng_multi() {
  command -v mergecap >/dev/null || die "pcapng-multi needs mergecap (Debian package wireshark-common)"
  topo
  prime_neigh
  cap_start eth "$LAB_NS_CLIENT" eth0 "$SW/eth.pcap"
  cap_start any "$LAB_NS_SERVER" any "$SW/any.pcap" -y LINUX_SLL2
  lab run pcapng-multi --work "$SW"
  cap_stop eth
  cap_stop any
  # two captures, two link types (EN10MB and LINUX_SLL2), one pcapng with two interfaces
  mergecap -F pcapng -w "$SW/merged.pcapng" "$SW/eth.pcap" "$SW/any.pcap"
  { sed "s#$SW/eth.pcap#eth.pcap#" "$SW/cap-eth.cmd" | tr -d '\n'; printf ' ; '
    sed "s#$SW/any.pcap#any.pcap#" "$SW/cap-any.cmd" | tr -d '\n'
    printf ' ; mergecap -F pcapng -w %s eth.pcap any.pcap\n' "$SW/merged.pcapng"; } >"$SW/cap-merged.cmd"
  printf '%s\n%s\n%s\n' "$LAB_NS_CLIENT+$LAB_NS_SERVER" "eth0+any" "$SW/merged.pcapng" >"$SW/cap-merged.where"
  cat "$SW/cap-eth.err" "$SW/cap-any.err" >"$SW/cap-merged.err"
  finish pcapng-multi merged
}

sc_vlan() {
  topo --vlan
  # the kernel here has no 8021q link type, no bridge and no tc vlan action, so a userspace
  # tagger in the switch namespace pushes/pops the 802.1Q tag between access and trunk ports
  ip netns exec "$LAB_NS_SWITCH" "${PY[@]}" vlan-switch --vid 10 --pcp 0 acc0:trunk0a acc1:trunk0b \
    2>"$SW/vlan-switch.err" &
  BG_PIDS+=("$!")
  sleep 0.5
  flush_neigh "$LAB_NS_CLIENT" "$LAB_NS_ROUTER" "$LAB_NS_SERVER"
  cap_start main "$LAB_NS_SWITCH" trunk0a "$SW/main.pcap"
  lab run vlan --work "$SW"
  cap_stop main
  finish vlan main
}

# ------------------------------------------------------------------------------------------

main() {
  if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${SCENARIOS[@]}"
    exit 0
  fi
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces, tcpdump)"
  local t
  for t in ip nft tcpdump python3 nstat ss; do command -v "$t" >/dev/null || die "missing $t"; done

  local -a todo=()
  if [[ $# == 0 ]]; then todo=("${SCENARIOS[@]}"); else todo=("$@"); fi
  local s ok
  for s in "${todo[@]}"; do
    # nat-inside/nat-outside come from one run
    [[ $s == nat-inside || $s == nat-outside ]] && s=nat
    ok=0
    for t in "${SCENARIOS[@]}"; do [[ $t == "$s" ]] && ok=1; done
    [[ $ok == 1 ]] || die "unknown scenario '$s' (try --list)"
  done

  exec 9>/run/wirelens-lab.lock
  flock -n 9 || die "another lab run holds /run/wirelens-lab.lock"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK=$(mktemp -d /tmp/wirelens-lab.XXXXXX)
  mkdir -p "$OUT"

  for s in "${todo[@]}"; do
    [[ $s == nat-inside || $s == nat-outside ]] && s=nat
    log "scenario $s"
    SW="$WORK/$s"
    rm -rf "$SW"
    mkdir -p "$SW"
    "sc_${s//-/_}"
    lab_down
  done
  log "done: $(ls "$OUT" | wc -l) files in $OUT"
}

main "$@"
