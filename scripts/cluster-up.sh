#!/usr/bin/env bash
# Starts a real one-node Kubernetes cluster on this machine, for trying Vigie's production
# install and for its tests: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
# (built by scripts/ensure-tools.sh), containerd and runc from Debian, a real kubelet and
# kube-proxy (iptables mode), CoreDNS, and kube-router's firewall enforcing NetworkPolicies.
# Nothing is pulled: the pod sandbox and Vigie's images are built locally
# (scripts/build-images.sh) and imported.
#
# The cluster's networks never leave the machine. Pods live on the bridge vigie0 (10.244.0.0/24,
# the host is 10.244.0.1) with no masquerading; Services are 10.96.0.0/16; both ranges have
# blackhole routes, and forwarding between the bridge and any other interface is dropped.
# The API server listens on 10.244.0.1:6443, reachable from the host and the pods only.
#
#   scripts/cluster-up.sh          prints the admin kubeconfig's path when the node is Ready
#   scripts/cluster-down.sh        stops everything and leaves the machine as it was
#
# State lives in $VIGIE_CLUSTER_DIR (default /var/lib/vigie-cluster): every change to the host is
# written to its undo log before it is made, so that down reverts exactly what up did, even
# after a failed or interrupted start. Needs root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VIGIE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie}
dir=${VIGIE_CLUSTER_DIR:-/var/lib/vigie-cluster}
node=vigie-node
bridge=vigie0
host_ip=10.244.0.1
pod_cidr=10.244.0.0/24
pod_range=10.244.0.0/16
service_range=10.96.0.0/16
dns_ip=10.96.0.10

say() { printf 'cluster-up: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run as root: the node needs namespaces, cgroups, mounts and iptables"
if [[ -f "$dir/undo" ]]; then
  fail "a cluster is already up in $dir (or was not taken down): run scripts/cluster-down.sh"
fi
# Down removes every KUBE-* chain and the bridge: neither may belong to anything else.
if iptables-save 2>/dev/null | grep -q '^:KUBE-' || ip6tables-save 2>/dev/null | grep -q '^:KUBE-' ||
  ipset list -n 2>/dev/null | grep -qE '^(KUBE-|kube-router)'; then
  fail "iptables or ipset already has KUBE-* entries: another Kubernetes node runs on this machine"
fi
if ip link show "$bridge" >/dev/null 2>&1; then fail "the interface $bridge exists already"; fi

step_started=$SECONDS
step() {
  say "$* ($((SECONDS - step_started))s)"
}

step "installing what the node needs (Debian packages, tools, images)"
"$root/scripts/ensure-debian-packages.sh" cluster
bin=$("$root/scripts/ensure-tools.sh" | tail -1)
images=$("$root/scripts/build-images.sh" | tail -1)

mkdir -p "$dir"/{pids,logs,pki,cni/net.d,cni/ipam,containerd,kubelet,kube-proxy}
# Network namespaces there before the node are not its pods': down leaves them alone.
ip netns list 2>/dev/null | awk '/^cni-/ {print $1}' >"$dir/netns.before"
chmod 700 "$dir"
: >"$dir/undo"

# undo CMD...: records the command that reverts the next change (run in reverse by down).
undo() { printf '%s\n' "$*" >>"$dir/undo"; }

# start NAME CMD...: runs a component in the background, its log in logs/NAME.log.
start() {
  local name=$1
  shift
  "$@" >>"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

# wait_for WHAT CMD...: waits up to 120 s for CMD to succeed, showing the log on failure.
wait_for() {
  local what=$1 log=$2
  shift 2
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  say "$what did not come up; the end of its log:"
  tail -n 30 "$dir/logs/$log.log" >&2 || true
  exit 1
}

sysctl_set() {
  local key=$1 value=$2
  undo "sysctl -qw $key=$(sysctl -n "$key")"
  sysctl -qw "$key=$value"
}

step "network: bridge $bridge, blackhole routes, no forwarding off the machine"
undo "ip link del $bridge 2>/dev/null || true"
ip link add "$bridge" type bridge
ip addr add "$host_ip/24" dev "$bridge"
ip link set "$bridge" up
for range in "$pod_range" "$service_range"; do
  undo "ip route del blackhole $range 2>/dev/null || true"
  ip route add blackhole "$range"
done
sysctl_set net.ipv4.ip_forward 1
sysctl_set net.bridge.bridge-nf-call-iptables 1
# Pods may talk to each other, to Services and to the host; nothing they send is forwarded
# elsewhere, and nothing from elsewhere reaches them or the API server's address.
# In the mangle table, which every forwarded packet crosses before the filter table, where
# kube-proxy and kube-router put their own ACCEPT rules first.
undo "iptables -t mangle -D FORWARD -j VIGIE-ISOLATE 2>/dev/null || true; iptables -t mangle -F VIGIE-ISOLATE 2>/dev/null || true; iptables -t mangle -X VIGIE-ISOLATE 2>/dev/null || true"
iptables -t mangle -N VIGIE-ISOLATE
iptables -t mangle -A VIGIE-ISOLATE -i "$bridge" ! -o "$bridge" -j DROP
iptables -t mangle -A VIGIE-ISOLATE ! -i "$bridge" -o "$bridge" -j DROP
iptables -t mangle -I FORWARD 1 -j VIGIE-ISOLATE
undo "iptables -D INPUT -d $host_ip ! -i $bridge -m addrtype ! --src-type LOCAL -j DROP 2>/dev/null || true"
iptables -I INPUT 1 -d "$host_ip" ! -i "$bridge" -m addrtype ! --src-type LOCAL -j DROP

step "control plane: etcd, kube-apiserver on $host_ip:6443"
token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
admin_token=$(token)
kubelet_token=$(token)
proxy_token=$(token)
router_token=$(token)
{
  echo "$admin_token,vigie-admin,vigie-admin,\"system:masters\""
  echo "$kubelet_token,system:node:$node,system:node:$node,\"system:nodes\""
  echo "$proxy_token,system:kube-proxy,system:kube-proxy,\"\""
  echo "$router_token,system:kube-router,system:kube-router,\"\""
} >"$dir/pki/tokens.csv"
chmod 600 "$dir/pki/tokens.csv"
# The API server's client certificate for the kubelet (logs, exec), from a CA made for this
# cluster only; the kubelet trusts that CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=vigie-cluster-ca \
  -keyout "$dir/pki/ca.key" -out "$dir/pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
  -keyout "$dir/pki/kubelet-client.key" -out "$dir/pki/kubelet-client.csr" 2>/dev/null
openssl x509 -req -days 7 -in "$dir/pki/kubelet-client.csr" -CA "$dir/pki/ca.crt" \
  -CAkey "$dir/pki/ca.key" -CAcreateserial -out "$dir/pki/kubelet-client.crt" 2>/dev/null
openssl genrsa -out "$dir/pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$dir/pki/sa.key" -pubout -out "$dir/pki/sa.pub" 2>/dev/null
start etcd "$bin/etcd" --name=default --data-dir="$dir/etcd" \
  --listen-client-urls=http://127.0.0.1:2479 --advertise-client-urls=http://127.0.0.1:2479 \
  --listen-peer-urls=http://127.0.0.1:2480 --initial-advertise-peer-urls=http://127.0.0.1:2480 \
  --initial-cluster=default=http://127.0.0.1:2480 --log-level=warn
wait_for etcd etcd curl -sf http://127.0.0.1:2479/health
start kube-apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2479 \
  --bind-address="$host_ip" --advertise-address="$host_ip" --secure-port=6443 \
  --cert-dir="$dir/pki" --token-auth-file="$dir/pki/tokens.csv" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$dir/pki/sa.pub" --service-account-signing-key-file="$dir/pki/sa.key" \
  --service-cluster-ip-range="$service_range" --allow-privileged=true --profiling=false \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$dir/pki/kubelet-client.crt" \
  --kubelet-client-key="$dir/pki/kubelet-client.key"
wait_for kube-apiserver kube-apiserver curl -sfk -H "Authorization: Bearer $admin_token" "https://$host_ip:6443/readyz"

kubeconfig() {
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: vigie
    cluster:
      server: https://$host_ip:6443
      certificate-authority-data: $(base64 -w0 "$dir/pki/apiserver.crt")
users:
  - name: $1
    user:
      token: $2
contexts:
  - name: vigie
    context: { cluster: vigie, user: $1 }
current-context: vigie
EOF
}
umask 077
kubeconfig vigie-admin "$admin_token" >"$dir/admin.kubeconfig"
kubeconfig "system:node:$node" "$kubelet_token" >"$dir/kubelet.kubeconfig"
kubeconfig system:kube-proxy "$proxy_token" >"$dir/kube-proxy.kubeconfig"
kubeconfig system:kube-router "$router_token" >"$dir/kube-router.kubeconfig"
umask 022
kubectl() { "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" "$@"; }

start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$dir/admin.kubeconfig" \
  --leader-elect=false --secure-port=0 --service-account-private-key-file="$dir/pki/sa.key" \
  --root-ca-file="$dir/pki/apiserver.crt" --use-service-account-credentials=true \
  --service-cluster-ip-range="$service_range"
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$dir/admin.kubeconfig" \
  --leader-elect=false --secure-port=0

step "containerd and runc, with the pod network's CNI config"
cat >"$dir/cni/net.d/10-vigie.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "vigie",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni/ipam",
        "ranges": [[{ "subnet": "$pod_cidr", "gateway": "$host_ip" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
cat >"$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/vigie/pause:dev"
  # Root here lacks CAP_SYS_RESOURCE: runc must not lower a container's OOM score below ours.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
EOF
start containerd containerd --config "$dir/containerd/config.toml"
ctr() { command ctr --address "$dir/containerd.sock" --namespace k8s.io "$@"; }
wait_for containerd containerd ctr version
for archive in "$images"/*.tar; do
  ctr images import "$archive" >/dev/null
done
# Each image is also named by its digest, so that manifests can pin it the way production does
# (`localhost/vigie/detector@sha256:…`); images.env lists those references for overlays.
: >"$dir/images.env"
while read -r name digest; do
  [[ "$name" =~ ^localhost/vigie/([a-z0-9-]+):dev$ ]] || continue
  ref="localhost/vigie/${BASH_REMATCH[1]}@$digest"
  ctr images tag --force "$name" "$ref" >/dev/null
  key=${BASH_REMATCH[1]^^}
  echo "VIGIE_IMAGE_${key//-/_}=$ref" >>"$dir/images.env"
done < <(ctr images ls | awk 'NR > 1 { print $1, $3 }')

step "kubelet ($node) and kube-proxy"
# The kubelet sets these host sysctls itself; they are put back on down.
for key in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
  undo "sysctl -qw $key=$(sysctl -n "$key")"
done
cat >"$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $host_ip
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $dir/pki/ca.crt }
authorization: { mode: Webhook }
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$dir/containerd.sock
clusterDNS: [$dns_ip]
clusterDomain: cluster.local
resolvConf: ""
podLogsDir: $dir/pod-logs
podCIDR: $pod_cidr
maxPods: 60
serializeImagePulls: false
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2% }
imageGCHighThresholdPercent: 100
EOF
start kubelet "$bin/kubelet" --config="$dir/kubelet/config.yaml" \
  --kubeconfig="$dir/kubelet.kubeconfig" --root-dir="$dir/kubelet/root" \
  --cert-dir="$dir/kubelet/pki" --hostname-override="$node" --node-ip="$host_ip"
cat >"$dir/kube-proxy/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $dir/kube-proxy.kubeconfig }
hostnameOverride: $node
clusterCIDR: $pod_range
bindAddress: $host_ip
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: { maxPerCore: 0 }
iptables: { localhostNodePorts: false }
EOF
undo "$bin/kube-proxy --cleanup >/dev/null 2>&1 || true"
start kube-proxy "$bin/kube-proxy" --config="$dir/kube-proxy/config.yaml"
wait_for "the node" kubelet sh -c "'$bin/kubectl' --kubeconfig '$dir/admin.kubeconfig' get node $node -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"

step "NetworkPolicies: kube-router's firewall, alone (no router, no service proxy)"
kubectl apply --server-side --field-manager=vigie-cluster-up -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "vigie:kube-router" }
rules:
  - apiGroups: [""]
    resources: [pods, namespaces, nodes, services, endpoints]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [networkpolicies]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "vigie:kube-router" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "vigie:kube-router" }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:kube-router" }]
EOF
undo "ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)' | xargs -r -n1 ipset destroy 2>/dev/null || true"
# Its health port would listen on every address: it is off, and so are its metrics.
start kube-router "$bin/kube-router" --run-firewall=true --run-router=false \
  --run-service-proxy=false --enable-cni=false --kubeconfig="$dir/kube-router.kubeconfig" \
  --hostname-override="$node" --health-port=0 --metrics-port=0 \
  --service-cluster-ip-range="$service_range" --iptables-sync-period=1m
wait_for "kube-router" kube-router grep -q "Starting network policy controller full sync" "$dir/logs/kube-router.log"

step "cluster DNS: CoreDNS at $dns_ip, answering for cluster.local only"
kubectl apply --server-side --field-manager=vigie-cluster-up -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: { name: coredns, namespace: kube-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "vigie:coredns" }
rules:
  - apiGroups: [""]
    resources: [services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "vigie:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "vigie:coredns" }
subjects: [{ kind: ServiceAccount, name: coredns, namespace: kube-system }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  # No forward: names outside the cluster are not resolved, so no query leaves the machine.
  Corefile: |
    .:53 {
      errors
      health :8080
      ready :8181
      kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
      }
      cache 30
      loop
      reload
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      # DNS on port 53 in the pod, as in kubeadm's and GKE's clusters (NetworkPolicies name the
      # pod's port, which is what they see after the Service's translation), without root or a
      # capability: the pod's own network namespace lets unprivileged users bind from 53 up.
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: { type: RuntimeDefault }
        sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: "53" }]
      containers:
        - name: coredns
          image: localhost/vigie/coredns:dev
          imagePullPolicy: Never
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          readinessProbe: { httpGet: { path: /ready, port: 8181 } }
          livenessProbe: { httpGet: { path: /health, port: 8080 } }
          resources: { requests: { cpu: 20m, memory: 32Mi }, limits: { memory: 128Mi } }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          volumeMounts: [{ name: config, mountPath: /etc/coredns }]
      volumes: [{ name: config, configMap: { name: coredns } }]
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: $dns_ip
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, targetPort: dns, protocol: UDP }
    - { name: dns-tcp, port: 53, targetPort: dns-tcp, protocol: TCP }
EOF
wait_for "CoreDNS" kubelet sh -c "'$bin/kubectl' --kubeconfig '$dir/admin.kubeconfig' -n kube-system get deploy coredns -o jsonpath='{.status.readyReplicas}' | grep -qx 1"

say "the cluster is up in $((SECONDS - step_started))s"
echo "$dir/admin.kubeconfig"
