# switchboard-env.sh — reads /etc/switchboard/switchboard.env as systemd reads an EnvironmentFile=, for the scripts
# that must see exactly what the units see: switchboard-render-nginx and switchboard-users (the root wrapper).
# Sourced, not run; installed as /usr/lib/switchboard/switchboard-env.sh. The sourcing script defines die().
#
# One KEY=value per line; blank lines and lines starting with '#' or ';' are skipped; spaces around the key and the
# value are dropped; a value in "…" may hold \" \\ \` \$, a value in '…' is taken as is. Line continuations (a
# trailing backslash) are not supported. switchboard-twilio (tools/switchboard-twilio/env_file.cc) reads it alike:
# change both together.
#
#   read_env_file FILE   appends FILE's assignments, in order, to the array env_vars ("KEY=value" each)
#   env_value NAME       the value of NAME in env_vars (the last assignment wins, as in systemd; empty if none)
# shellcheck shell=bash

env_vars=()

sb_env_trim_left() { local s=$1; printf '%s' "${s#"${s%%[![:space:]]*}"}"; }
sb_env_trim_right() { local s=$1; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

sb_env_unescape_double_quoted() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ $c == '\' && $((i + 1)) -lt ${#s} && '"\`$' == *"${s:i+1:1}"* ]]; then
      out+=${s:i+1:1}
      i=$((i + 1))
    else
      out+=$c
    fi
  done
  printf '%s' "$out"
}

read_env_file() {
  local file=$1 line key value number=0
  [[ -r $file ]] || die "cannot read the environment file $file"
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    line=$(sb_env_trim_left "${line%$'\r'}")
    [[ -z $line || $line == '#'* || $line == ';'* ]] && continue
    [[ $line == *=* ]] || die "$file:$number: expected KEY=value, got: $line"
    key=$(sb_env_trim_right "${line%%=*}")
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$file:$number: '$key' is not a variable name"
    value=$(sb_env_trim_right "$(sb_env_trim_left "${line#*=}")")
    if [[ ${#value} -ge 2 && $value == '"'*'"' ]]; then
      value=$(sb_env_unescape_double_quoted "${value:1:${#value}-2}")
    elif [[ ${#value} -ge 2 && $value == "'"*"'" ]]; then
      value=${value:1:${#value}-2}
    fi
    env_vars+=("$key=$value")
  done <"$file"
}

env_value() {
  local name=$1 entry value=""
  for entry in "${env_vars[@]}"; do
    [[ $entry == "$name="* ]] && value=${entry#*=}
  done
  printf '%s' "$value"
}
