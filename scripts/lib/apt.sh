# Sourced by scripts that install a Debian package where it is missing (chromium.sh, docker-engine.sh).
# The caller defines say() and cannot(), and has checked it runs as root.

# apt_install PACKAGE LOG: install PACKAGE with apt-get, its output in LOG; cannot() when that fails.
apt_install() {
  local package=$1 log=$2
  command -v apt-get >/dev/null || cannot "$package is not installed and there is no apt-get to install it"
  say "installing Debian's $package (apt-get)"
  mkdir -p "$(dirname "$log")"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq > "$log" 2>&1 || cannot "apt-get update failed (see $log)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >> "$log" 2>&1 \
    || cannot "apt-get install $package failed (see $log)"
}
