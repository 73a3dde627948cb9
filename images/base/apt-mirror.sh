#!/usr/bin/env bash
# Chooses the Debian mirror, security mirror and proxies for debootstrap the way this machine's apt
# is configured, so a machine that reaches Debian only through its own mirror or proxy builds too.
# Why a separate script: build-rootfs.sh needs root and debootstrap; this part is tested on fixtures
# (containers/apt_mirror_test.go) without either.
#
# Usage: apt-mirror.sh [APT_ETC]   (default /etc/apt)
# Prints one line per setting, tab-separated: NAME VALUE SOURCE, where NAME is mirror, security,
# http_proxy or https_proxy and SOURCE says where the value came from (an environment variable, a
# file under APT_ETC, apt-config, or "default"). A proxy that is not set is not printed.
#
# Precedence: DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR / http_proxy / https_proxy (also upper case)
# from the environment, then apt's configuration, then deb.debian.org (mirrors only).
# Sources: one-line sources.list and sources.list.d/*.list, deb822 sources.list.d/*.sources, read in
# apt's order; the first enabled "deb" entry over http(s) for a Debian release suite with component
# main wins. Entries signed by a keyring other than Debian's archive keyring are other vendors'
# repositories that reuse Debian's suite names (e.g. "bookworm main"), so they are skipped.
# Proxies: Acquire::http::Proxy and Acquire::https::Proxy from `apt-config dump` (APT_CONFIG_CMD
# names the command; tests point it elsewhere); without apt-config, the flat
# `Acquire::http::Proxy "...";` lines of apt.conf and apt.conf.d/*.
set -euo pipefail
export LC_ALL=C # apt reads sources.list.d and apt.conf.d in byte order
etc=${1:-/etc/apt}
etc=${etc%/}

# Debian's release codenames and suite names; other distributions' suites (Ubuntu's jammy) are not
# a Debian archive even when apt is configured with them.
debian_release() {
  case $1 in
  buzz | rex | bo | hamm | slink | potato | woody | sarge | etch | lenny | squeeze | wheezy | jessie | \
    stretch | buster | bullseye | bookworm | trixie | forky | duke | sid | \
    oldoldstable | oldstable | stable | testing | unstable) return 0 ;;
  esac
  return 1
}

main="" main_from="" sec="" sec_from=""

# consider FROM TYPE URI SUITE COMPONENTS SIGNED_BY
consider() {
  local from=$1 type=$2 uri=${3%/} suite=$4 comps=$5 signed=$6
  [ "$type" = deb ] || return 0
  case $uri in http://* | https://*) ;; *) return 0 ;; esac
  [ -z "$signed" ] || [[ $signed == *debian-archive* ]] || return 0
  [[ " $comps " == *" main "* ]] || return 0
  local base=${suite%%[-/]*}
  debian_release "$base" || return 0
  case $suite in
  "$base"-security | "$base"/updates)
    [ -n "$sec" ] || { sec=$uri sec_from=$from; } ;;
  "$base" | "$base"-updates | "$base"-backports | "$base"-proposed-updates)
    [ -n "$main" ] || { main=$uri main_from=$from; } ;;
  esac
}

# One-line format: deb [ options ] uri suite component...
parse_list() {
  local file=$1 line i opts signed
  local -a f
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    read -r -a f <<<"$line" || true
    [ "${#f[@]}" -ge 3 ] || continue
    i=1 opts=""
    if [[ ${f[1]} == \[* ]]; then
      while [ "$i" -lt "${#f[@]}" ]; do
        opts+=" ${f[$i]}"
        i=$((i + 1))
        [[ ${f[$((i - 1))]} == *\] ]] && break
      done
    fi
    signed=""
    if [[ $opts =~ signed-by=([^][:space:]]+) ]]; then signed=${BASH_REMATCH[1]}; fi
    consider "$file" "${f[0]}" "${f[$i]:-}" "${f[$((i + 1))]:-}" "${f[*]:$((i + 2))}" "$signed"
  done <"$file"
}

# deb822 format: paragraphs of Types/URIs/Suites/Components/Signed-By/Enabled, blank-line separated.
parse_sources() {
  local file=$1 line key val types="" uris="" suites="" comps="" signed="" enabled=yes
  local -a words
  flush() {
    local t u s
    if [ "${enabled,,}" != no ]; then
      for t in $types; do for u in $uris; do for s in $suites; do
        consider "$file" "$t" "$u" "$s" "$comps" "$signed"
      done; done; done
    fi
    types="" uris="" suites="" comps="" signed="" enabled=yes
  }
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*$ ]]; then flush; continue; fi
    [[ $line == \#* || $line == [[:space:]]* ]] && continue # comments; continuation lines (an inline key)
    key=${line%%:*} val=${line#*:}
    read -r -a words <<<"$val" || true
    val=${words[*]:-} # trimmed, one space between values
    case ${key,,} in
    types) types=$val ;;
    uris) uris=$val ;;
    suites) suites=$val ;;
    components) comps=$val ;;
    signed-by) signed=${val:-inline-key} ;; # an empty value: the key follows on continuation lines
    enabled) enabled=$val ;;
    esac
  done <"$file"
  flush
}

[ -f "$etc/sources.list" ] && parse_list "$etc/sources.list"
for f in "$etc"/sources.list.d/*; do
  case $f in
  *.list) [ -f "$f" ] && parse_list "$f" ;;
  *.sources) [ -f "$f" ] && parse_sources "$f" ;;
  esac
done

# The proxies: apt's configuration as apt-config dumps it (apt.conf.d merged, later files winning).
dump=""
cfgcmd=${APT_CONFIG_CMD:-apt-config}
if command -v "$cfgcmd" >/dev/null 2>&1; then
  if [ "$etc" = /etc/apt ]; then
    dump=$("$cfgcmd" dump 2>/dev/null || true)
  else
    # Dir::Etc in APT_CONFIG makes apt-config read that directory's apt.conf and apt.conf.d only;
    # a relative one would be taken under Dir (/).
    cfg=$(mktemp)
    printf 'Dir::Etc "%s/";\n' "$(cd "$etc" && pwd)" >"$cfg"
    dump=$(APT_CONFIG=$cfg "$cfgcmd" dump 2>/dev/null || true)
    rm -f "$cfg"
  fi
  cfgfrom=apt-config
fi

# apt_proxy SCHEME: prints "VALUE<TAB>SOURCE" for Acquire::SCHEME::Proxy (DIRECT included), nothing
# when unset.
apt_proxy() {
  local scheme=$1 value="" from="" f line re
  re="^[[:space:]]*acquire::$scheme::proxy[[:space:]]+\"([^\"]*)\""
  if [ -n "${cfgfrom:-}" ]; then
    while IFS= read -r line; do
      if [[ ${line,,} =~ $re ]]; then [[ $line =~ \"([^\"]*)\" ]] && value=${BASH_REMATCH[1]} from=$cfgfrom; fi
    done <<<"$dump"
  else
    for f in "$etc/apt.conf" "$etc"/apt.conf.d/*; do
      [ -f "$f" ] || continue
      while IFS= read -r line || [ -n "$line" ]; do
        if [[ ${line,,} =~ $re ]]; then [[ $line =~ \"([^\"]*)\" ]] && value=${BASH_REMATCH[1]} from=$f; fi
      done <"$f"
    done
  fi
  [ -z "$from" ] || printf '%s\t%s\n' "$value" "$from"
}

# emit NAME OVERRIDE_VARIABLE... -- APT_VALUE APT_SOURCE DEFAULT
emit() {
  local name=$1 var
  shift
  while [ "$1" != -- ]; do
    var=$1
    shift
    if [ -n "${!var:-}" ]; then
      printf '%s\t%s\t%s\n' "$name" "${!var}" "$var"
      return 0
    fi
  done
  shift
  if [ -n "$1" ]; then
    printf '%s\t%s\t%s\n' "$name" "$1" "$2"
  elif [ -n "${3:-}" ]; then
    printf '%s\t%s\t%s\n' "$name" "$3" default
  fi
}

emit mirror DEBIAN_MIRROR -- "$main" "$main_from" http://deb.debian.org/debian
emit security DEBIAN_SECURITY_MIRROR -- "$sec" "$sec_from" http://deb.debian.org/debian-security
hp="" hp_from="" sp="" sp_from=""
IFS=$'\t' read -r hp hp_from <<<"$(apt_proxy http)" || true
IFS=$'\t' read -r sp sp_from <<<"$(apt_proxy https)" || true
# Acquire::https settings default to Acquire::http's (apt-transport-https(1)).
[ -n "$sp_from" ] || { sp=$hp sp_from=$hp_from; }
# DIRECT (or false) means no proxy.
case ${hp,,} in direct | false) hp="" ;; esac
case ${sp,,} in direct | false) sp="" ;; esac
emit http_proxy http_proxy HTTP_PROXY -- "$hp" "$hp_from" ""
emit https_proxy https_proxy HTTPS_PROXY -- "$sp" "$sp_from" ""
