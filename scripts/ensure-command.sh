#!/usr/bin/env bash
# ensure-command.sh COMMAND DEBIAN_PACKAGE
# Prints the path of COMMAND, installing DEBIAN_PACKAGE with apt-get first when the command is absent (the rule
# bench's Installer follows for nginx, wrk and HAProxy: look in PATH and the sbin/bin directories; apt-get install,
# and after an apt-get update if that fails).
# Exit 0: found (path on stdout). Exit 3: absent and this machine does not let us install it (no apt-get, not
# root and no password-less sudo, or no package repository reachable); the reason is on stderr. Used by
# `meshctl demo` (Prometheus) and the integration tests' harness.
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 COMMAND DEBIAN_PACKAGE" >&2
  exit 64
fi
command_name=$1
package=$2

locate() {
  local dir
  if command -v "$command_name" >/dev/null 2>&1; then
    command -v "$command_name"
    return 0
  fi
  for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin /sbin /bin; do
    if [[ -x "$dir/$command_name" ]]; then
      echo "$dir/$command_name"
      return 0
    fi
  done
  return 1
}

if locate; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$command_name is not installed and there is no apt-get here to install $package; install it and retry" >&2
  exit 3
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "$command_name is not installed, and installing $package needs root (sudo apt-get install $package)" >&2
    exit 3
  fi
fi

echo "installing $package (apt-get install --no-install-recommends $package)..." >&2
export DEBIAN_FRONTEND=noninteractive
install=("${sudo[@]}" apt-get install -y -qq --no-install-recommends "$package")
if ! "${install[@]}" >/dev/null 2>&1; then
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1
  if ! "${install[@]}" >/dev/null 2>&1; then
    echo "apt-get install $package failed (no package repository reachable?); install it and retry" >&2
    exit 3
  fi
fi
if locate; then
  exit 0
fi
echo "$package installed but $command_name is still not found" >&2
exit 1
