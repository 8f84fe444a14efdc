#!/usr/bin/env bash
# Proves the README's container publish command where no container daemon runs and mcr.microsoft.com cannot be reached:
#  1. builds a stand-in base image (build-base-image.sh) and serves it from a loopback registry (LocalRegistry.cs),
#  2. runs the README's daemon-less publish command with only ContainerBaseImage (and the archive's folder) changed,
#  3. unpacks the archive's layers in order and starts its entrypoint as its user, with its environment and working
#     directory, in its own root, network, mount and PID namespaces (unshare), where port 8080 is the image's own,
#  4. checks GET /healthz answers 200, the sign-in page renders, and the app runs as the image's user and writes /app/data.
# Usage (as root, from anywhere): deploy/container/build-and-run-offline.sh [work-dir]
# Needs: root, unshare and mount (util-linux), ip (iproute2), curl, jq, dpkg; the .NET SDK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "${1:-}" = "--inside" ]; then
  # Inside the new namespaces: a private loopback, /proc of the new PID namespace, the host's /dev.
  root=$2 work=$3
  ip link set lo up
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mapfile -t env < <(jq -r '.config.Env[]' "$work/config.json")
  mapfile -t command < <(jq -r '(.config.Entrypoint // []) + (.config.Cmd // []) | .[]' "$work/config.json")
  workdir=$(jq -r '.config.WorkingDir // "/"' "$work/config.json")
  user=$(jq -r '.config.User // "0"' "$work/config.json")
  uid=${user%%:*}
  gid=${user#*:}
  [ "$gid" != "$user" ] || gid=$(awk -F: -v u="$uid" '$1 == u || $3 == u { print $4 }' "$root/etc/passwd")
  uid=$(awk -F: -v u="$uid" '$1 == u || $3 == u { print $3 }' "$root/etc/passwd")
  echo "running '${command[*]}' in $workdir as $uid:$gid"
  env -i "${env[@]}" unshare --root="$root" --wd="$workdir" --setgid "$gid" --setuid "$uid" -- "${command[@]}" \
    > "$work/app.log" 2>&1 &
  app=$!
  trap 'kill "$app" 2>/dev/null; wait "$app" 2>/dev/null || true' EXIT
  for _ in $(seq 240); do
    status=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/healthz || true)
    [ "$status" = 200 ] && break
    kill -0 "$app" 2>/dev/null || { echo "the app stopped:"; tail -n 40 "$work/app.log"; exit 1; }
    sleep 0.5
  done
  [ "$status" = 200 ] || { echo "GET /healthz answered $status"; tail -n 40 "$work/app.log"; exit 1; }
  echo "GET /healthz: 200 $(curl -s http://127.0.0.1:8080/healthz)"
  curl -s -o "$work/login.html" -w '%{http_code}\n' http://127.0.0.1:8080/Account/Login > "$work/login.status"
  grep -q '<h1>Sign in</h1>' "$work/login.html" || { echo "GET /Account/Login answered $(cat "$work/login.status") without the sign-in form"; exit 1; }
  echo "GET /Account/Login: $(cat "$work/login.status"), renders 'Sign in'"
  echo "app process runs as uid $(awk '/^Uid:/ { print $2 }' "$root/proc/$app/status")"
  echo "/app/data: $(cd "$root/app/data" && stat -c '%n (%u)' mediaplanner.db keys | paste -sd ' ')"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "run as root: the rootfs keeps file owners and the app runs in new namespaces" >&2; exit 2; }
for tool in unshare mount ip curl jq dpkg dotnet; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "$work/base" "$work/rootfs"

"$here/build-base-image.sh" "$work/base" 10.0

dotnet run "$here/LocalRegistry.cs" -- "$work/base" http://127.0.0.1:0 > "$work/registry.log" 2>&1 &
registry=$!
trap 'kill "$registry" 2>/dev/null || true' EXIT
port=
for _ in $(seq 240); do
  port=$(sed -n 's|.*Now listening on: http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/registry.log")
  [ -n "$port" ] && break
  kill -0 "$registry" 2>/dev/null || { cat "$work/registry.log"; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { echo "the registry did not start"; cat "$work/registry.log"; exit 1; }
echo "registry on 127.0.0.1:$port serves dotnet/aspnet:10.0"

# The README's command, exactly, with the base image and the archive's folder changed.
publish=$(grep -m1 '^dotnet publish .*ContainerArchiveOutputPath=' "$repo/README.md")
publish=${publish//artifacts\/mediaplanner.tar/$work\/mediaplanner.tar}
echo "$publish -p:ContainerBaseImage=localhost:$port/dotnet/aspnet:10.0"
(cd "$repo" && eval "$publish -p:ContainerBaseImage=localhost:$port/dotnet/aspnet:10.0 -nodeReuse:false")
kill "$registry"

# An OCI layout archive (index.json) from an OCI base, a docker-archive (manifest.json) from a Docker-format one.
image=$work/image
rm -rf "$image" && mkdir -p "$image" && tar -xf "$work/mediaplanner.tar" -C "$image"
if [ -f "$image/index.json" ]; then
  manifest=$image/blobs/$(jq -r '.manifests[] | select(.annotations."org.opencontainers.image.ref.name" == "latest") | .digest' "$image/index.json" | tr : /)
  cp "$image/blobs/$(jq -r .config.digest "$manifest" | tr : /)" "$work/config.json"
  mapfile -t layers < <(jq -r '.layers[].digest' "$manifest" | sed "s|:|/|; s|^|$image/blobs/|")
else
  cp "$image/$(jq -r '.[0].Config' "$image/manifest.json")" "$work/config.json"
  mapfile -t layers < <(jq -r '.[0].Layers[]' "$image/manifest.json" | sed "s|^|$image/|")
fi
root=$work/rootfs
mkdir -p "$root"
for layer in "${layers[@]}"; do
  # Whiteouts first: an opaque marker empties its folder, .wh.NAME removes NAME from the layers below.
  tar -tf "$layer" | { grep -E '(^|/)\.wh\.' || true; } | while read -r wh; do
    dir=$(dirname "$wh") name=$(basename "$wh")
    if [ "$name" = .wh..wh..opq ]; then find "$root/$dir" -mindepth 1 -delete; else rm -rf "${root:?}/$dir/${name#.wh.}"; fi
  done
  tar -xf "$layer" -C "$root" --numeric-owner --exclude='.wh.*' --keep-directory-symlink
done
echo "image: $(jq -c '.config | {User, WorkingDir, Entrypoint, ExposedPorts}' "$work/config.json")"

unshare --net --mount --pid --fork --kill-child -- "$0" --inside "$root" "$work"
echo "container image OK: $work/mediaplanner.tar"
