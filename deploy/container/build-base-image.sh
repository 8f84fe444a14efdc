#!/usr/bin/env bash
# Builds a stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 where that registry cannot be reached: a Debian rootfs made
# of this machine's installed Debian packages (the files `dpkg -L` lists) plus the ASP.NET Core runtime of this SDK,
# with the same "app" user (1654) and environment as Microsoft's image, written as an OCI image layout folder.
# Usage: build-base-image.sh <layout-dir> [tag]   (run as root: the rootfs keeps file owners)
set -euo pipefail
layout=$1
tag=${2:-10.0}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')
[ -n "$runtime" ] || { echo "no Microsoft.AspNetCore.App runtime in $dotnet_root" >&2; exit 1; }
packages=(libc6 libgcc-s1 libstdc++6 libicu72 libssl3 zlib1g tzdata ca-certificates netbase base-files)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/usr/{bin,lib,lib64,sbin} "$root"/{etc,home/app,tmp,proc,dev,sys,root}
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$root/$d"; done

# Files and symlinks only; directories come with them (through the merged-/usr links above).
for p in "${packages[@]}"; do
  dpkg -L "$p" >/dev/null || { echo "Debian package $p is not installed here" >&2; exit 1; }
  dpkg -L "$p" | while read -r f; do [ -d "$f" ] && [ ! -L "$f" ] || [ ! -e "$f" ] && [ ! -L "$f" ] || echo "${f#/}"; done
done | sort -u > "$work/files"
tar -C / -cf - --no-recursion -T "$work/files" | tar -C "$root" -xf - --keep-directory-symlink
# ca-certificates' maintainer script builds the bundle at install time; do the same.
mkdir -p "$root/etc/ssl/certs"
cat "$root"/usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"

mkdir -p "$root/usr/share/dotnet/host/fxr" "$root/usr/share/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$root/usr/share/dotnet/"
cp -a "$dotnet_root/host/fxr/$runtime" "$root/usr/share/dotnet/host/fxr/"
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$root/usr/share/dotnet/shared/$fw"
  cp -a "$dotnet_root/shared/$fw/$runtime" "$root/usr/share/dotnet/shared/$fw/"
done
ln -s ../share/dotnet/dotnet "$root/usr/bin/dotnet"

printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654::/home/app:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
chown 1654:1654 "$root/home/app"
chmod 1777 "$root/tmp"

mkdir -p "$layout/blobs/sha256"
blob() { # file media-type -> writes the blob, prints its descriptor
  local digest size
  digest=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  cp "$1" "$layout/blobs/sha256/$digest"
  jq -cn --arg t "$2" --arg d "sha256:$digest" --argjson s "$size" '{mediaType: $t, digest: $d, size: $s}'
}
tar -C "$root" --sort=name --numeric-owner --mtime=@0 -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -1 "$work/layer.tar"
layer=$(blob "$work/layer.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
jq -cn --arg diff "$diff_id" --arg v "$runtime" '{
  architecture: "amd64", os: "linux",
  config: {
    User: "", WorkingDir: "",
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_UID=1654",
          "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true", ("DOTNET_VERSION=" + $v), ("ASPNET_VERSION=" + $v)]
  },
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created_by: "deploy/container/build-base-image.sh: Debian packages of this machine + ASP.NET Core runtime"}]
}' > "$work/config.json"
config=$(blob "$work/config.json" application/vnd.oci.image.config.v1+json)
jq -cn --argjson c "$config" --argjson l "$layer" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' > "$work/manifest.json"
manifest=$(blob "$work/manifest.json" application/vnd.oci.image.manifest.v1+json)
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
jq -n --argjson m "$manifest" --arg tag "$tag" \
  '{schemaVersion: 2, manifests: [$m + {annotations: {"org.opencontainers.image.ref.name": $tag}}]}' > "$layout/index.json"
echo "base image $tag: ASP.NET Core $runtime on Debian $(cat /etc/debian_version), $(du -h "$work/layer.tar.gz" | cut -f1) in $layout"
