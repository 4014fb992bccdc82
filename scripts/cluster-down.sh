#!/usr/bin/env bash
# Stops the one-node cluster that scripts/cluster-up.sh started and leaves the machine as it was:
# every process it started (by the PID it recorded), every container, mount and cgroup of its
# pods, the iptables rules and ipsets of kube-proxy, kube-router and Vigie, the bridge and the routes, the CNI state, and
# the host sysctls, put back to the values they had. Running it twice, or after a failed start,
# is harmless.
set -uo pipefail

dir=${VIGIE_CLUSTER_DIR:-/var/lib/vigie-cluster}
say() { printf 'cluster-down: %s\n' "$*" >&2; }

[[ $(id -u) -eq 0 ]] || {
  say "run as root"
  exit 1
}
if [[ ! -d "$dir" ]]; then
  say "no cluster in $dir"
  exit 0
fi

# stop NAME: SIGTERM, up to 10 s, then SIGKILL; only the PID this cluster recorded.
stop() {
  local file="$dir/pids/$1.pid" pid
  [[ -f "$file" ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# The node first, so that nothing restarts what is being removed; then every pod's processes.
stop kube-router
stop kube-proxy
stop kubelet
if [[ -S "$dir/containerd.sock" ]]; then
  ctr() { command ctr --address "$dir/containerd.sock" --namespace k8s.io "$@"; }
  for task in $(ctr tasks list -q 2>/dev/null); do
    ctr tasks kill --signal SIGKILL "$task" >/dev/null 2>&1
  done
  sleep 1
  for task in $(ctr tasks list -q 2>/dev/null); do ctr tasks delete --force "$task" >/dev/null 2>&1; done
  for container in $(ctr containers list -q 2>/dev/null); do
    ctr containers delete "$container" >/dev/null 2>&1
  done
fi
# The shims outlive containerd (when it was killed with the test that ran it, say), and
# containerd 1.6 records no PID for them: each runs in its bundle, under this cluster's state
# folder, which is how they are found.
shims=()
for proc in /proc/[0-9]*; do
  if [[ $(readlink "$proc/cwd" 2>/dev/null) == "$dir/containerd/state/"* ]]; then
    shims+=("${proc#/proc/}")
  fi
done
stop containerd
for pid in "${shims[@]}"; do
  kill -KILL "$pid" 2>/dev/null
done
# What still runs in the pods' cgroups is this cluster's pods, whose shims are gone.
# (cgroup v1 has one tree per controller, v2 one tree.)
for pods in /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods; do
  [[ -d "$pods" ]] || continue
  for pid in $(find "$pods" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u); do
    kill -KILL "$pid" 2>/dev/null && killed=1
  done
done
# A killed process leaves its cgroup only once it has exited.
[[ -n ${killed:-} ]] && sleep 1
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd

# Mounts under the state folder (pod volumes, sandboxes' namespaces, overlay snapshots),
# deepest first.
awk -v d="$dir" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | while read -r mount; do
  umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null
done
for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do
  # The CNI plugin's namespaces for this cluster's pods: every one made since up (a sandbox cut
  # off mid-creation holds no pod address yet), or, without up's record, those holding one.
  if [[ -f "$dir/netns.before" ]]; then
    grep -qxF "$ns" "$dir/netns.before" && continue
  elif ! ip netns exec "$ns" ip -o addr 2>/dev/null | grep -q ' 10\.244\.0\.'; then
    continue
  fi
  ip netns delete "$ns" 2>/dev/null
done

# The pods' cgroups, in every controller, deepest first.
for pods in /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods; do
  [[ -d "$pods" ]] || continue
  find "$pods" -depth -type d -exec rmdir {} + 2>/dev/null
done

# The kubelet's and kube-proxy's own chains (KUBE-*), in every table, IPv4 and IPv6: up refuses
# to start where any existed, so every one of them is this cluster's.
for tool in iptables ip6tables; do
  for table in filter nat mangle raw; do
    rules=$("$tool-save" -t "$table" 2>/dev/null) || continue
    grep -E '^-A [A-Z0-9-]+ .*-j KUBE-' <<<"$rules" | grep -v '^-A KUBE-' | sed 's/^-A /-D /' |
      while read -r rule; do eval "$tool -t $table $rule" 2>/dev/null; done
    for chain in $(grep -oE '^:KUBE-[A-Z0-9-]+' <<<"$rules" | tr -d :); do
      "$tool" -t "$table" -F "$chain" 2>/dev/null
    done
    for chain in $(grep -oE '^:KUBE-[A-Z0-9-]+' <<<"$rules" | tr -d :); do
      "$tool" -t "$table" -X "$chain" 2>/dev/null
    done
  done
done

# Everything else up changed, in reverse order: iptables, routes, the bridge, sysctls.
if [[ -f "$dir/undo" ]]; then
  tac "$dir/undo" | while read -r command; do
    bash -c "$command" 2>/dev/null
  done
fi

rm -rf "$dir"
say "the cluster is gone"
