#!/usr/bin/env bash
# Install Hurl (https://hurl.dev), which runs the RealWorld API suite, as DEST/bin/hurl.
#
# Usage: scripts/get-hurl.sh DEST
#
# A hurl already on PATH is used as it is. Otherwise, on Debian: Debian 12 packages no hurl, but
# Debian unstable does. apt downloads that package, checked against the archive's signed
# indexes, with its own lists and cache in a temporary folder (the machine's apt state and
# package database are not touched, nothing is installed system-wide), and only the hurl binary
# is unpacked. The binary needs libcurl.so.4, which Debian 12 has, and libxml2.so.16, which it
# does not: Debian 12's libxml2.so.2 stands in for it (hurl uses only libxml2's parsing and
# XPath functions, which both versions have), through a link that only this hurl sees.
set -euo pipefail

dest=$(realpath -m "${1:?usage: scripts/get-hurl.sh DEST}")

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if works "$dest/bin/hurl"; then
  exit 0
fi
mkdir -p "$dest/bin" "$dest/lib"

found=$(command -v hurl || true)
if [ -n "$found" ] && [[ "$(realpath "$found")" != "$dest"/* ]] && works "$found"; then
  ln -sf "$found" "$dest/bin/hurl"
  "$dest/bin/hurl" --version | head -n 1
  exit 0
fi

command -v apt-get >/dev/null || {
  echo "get-hurl: no hurl on PATH and no apt-get: install hurl (https://hurl.dev)" >&2
  exit 1
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || {
  echo "get-hurl: Debian's archive keyring is missing (apt-get install debian-archive-keyring)" >&2
  exit 1
}
# On Debian, the mirror this machine already uses (deb822 or one-line sources).
mirror=""
if grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
fi
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
cat > "$work/sources/unstable.sources" <<EOF
Types: deb
URIs: $mirror
Suites: sid
Components: main
Signed-By: $keyring
EOF
apt_state=(
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=$work/sources"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=$(id -un)"
)
apt-get -qq "${apt_state[@]}" update
(cd "$work/deb" && apt-get -qq "${apt_state[@]}" download hurl)
dpkg-deb --extract "$work"/deb/hurl_*.deb "$work/unpacked"
install -m 755 "$work/unpacked/usr/bin/hurl" "$dest/hurl.bin"

if ! ldconfig -p | grep -q 'libxml2\.so\.16 '; then
  libxml2=$(ldconfig -p | awk '/libxml2\.so\.2 / {print $NF; exit}')
  if [ -z "$libxml2" ]; then
    echo "get-hurl: libxml2 is missing (apt-get install libxml2)" >&2
    exit 1
  fi
  ln -sf "$libxml2" "$dest/lib/libxml2.so.16"
fi

cat > "$dest/bin/hurl" <<'EOF'
#!/usr/bin/env bash
# The unpacked hurl, run with the library links beside it.
home=$(dirname "$(dirname "$(readlink -f "$0")")")
LD_LIBRARY_PATH="$home/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$home/hurl.bin" "$@"
EOF
chmod 755 "$dest/bin/hurl"
if ! works "$dest/bin/hurl"; then
  echo "get-hurl: the unpacked hurl does not run here; missing libraries:" >&2
  LD_LIBRARY_PATH="$dest/lib" ldd "$dest/hurl.bin" | grep 'not found' >&2 || true
  exit 1
fi
"$dest/bin/hurl" --version | head -n 1
