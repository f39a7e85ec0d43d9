#!/bin/sh
# Unpacks Debian's source package PACKAGE, with Debian's patches applied (its
# security fixes among them), into DEST (emptied first). The handlers' libcurl
# is built from it (cmake/curl.cmake).
#
#   sh cmake/debian-source.sh PACKAGE DEST
#
# The machine's apt sources name Debian's binary archives only. This asks the
# same archives (those apt knows as origin "Debian": main, updates, security)
# for their sources, through an apt state of its own under DEST.apt: the
# machine's apt configuration is read, never changed, and root is not needed.
# Needs apt's package lists (`apt-get update`, as .ci/install-deps runs) and
# dpkg-source (dpkg-dev, part of build-essential).
set -eu
package=$1
dest=$2
case $dest in /*) ;; *) dest=$(pwd)/$dest ;; esac # apt reads relative paths from /etc/apt
state=$dest.apt
rm -rf "$dest" "$state"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts" "$state/get"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
options=""
[ -r "$keyring" ] && options="[signed-by=$keyring] "
# `apt-cache policy` lists each archive as "PRIORITY URI SUITE/COMPONENT ARCH
# Packages" followed by its "release o=ORIGIN,..." line.
apt-cache policy | awk -v options="$options" '
  $1 ~ /^[0-9]+$/ { uri = ""; if ($2 ~ /:\/\//) { uri = $2; where = $3 }; next }
  $1 == "release" && uri != "" && $0 ~ /[ ,]o=Debian(,|$)/ {
    n = split(where, part, "/")
    if (n == 2) print "deb-src " options uri " " part[1] " " part[2]
    uri = ""
  }' | sort -u >"$state/sources.list"
if [ ! -s "$state/sources.list" ]; then
  echo "$0: apt knows no Debian archive: run 'apt-get update' first" >&2
  exit 1
fi
apt_get() {
  apt-get -q -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts="$state/parts" \
    -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache" "$@"
}
apt_get update >"$state/update.log" 2>&1 || { cat "$state/update.log" >&2; exit 1; }
# _apt (apt's download user) may not write here: download as ourselves.
(cd "$state/get" && apt_get -o APT::Sandbox::User="$(id -un)" source "$package") \
  >"$state/source.log" 2>&1 || { cat "$state/source.log" >&2; exit 1; }
tree=$(find "$state/get" -mindepth 1 -maxdepth 1 -type d)
[ -d "$tree/debian" ] || { echo "$0: no source tree for $package" >&2; exit 1; }
mv "$tree" "$dest"
echo "$(basename "$state/get"/*.dsc .dsc)" >"$dest/DEBIAN-SOURCE-VERSION"
rm -rf "$state"
echo "unpacked $(cat "$dest/DEBIAN-SOURCE-VERSION")"
