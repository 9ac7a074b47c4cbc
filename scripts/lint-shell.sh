#!/usr/bin/env bash
# `make check`'s first step: every shell script of the project through shellcheck (every severity
# it reports by default) and shfmt -d (its options in .editorconfig). Installs Debian's shellcheck
# and shfmt when missing. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
for lib in settings progress packages; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done
packages_require shellcheck:shellcheck shfmt:shfmt

# Every shell script, found by its name or its shebang (shfmt -f), but build output and stack state.
mapfile -t scripts < <(shfmt -f . | grep -vE '(^|/)(target|node_modules|state)/' | sort)
((${#scripts[@]})) || die "no shell script found"
step "shellcheck and shfmt -d on ${#scripts[@]} scripts"
failed=0
shellcheck "${scripts[@]}" || failed=1
shfmt -d "${scripts[@]}" || failed=1
((failed == 0)) || die "the findings above (shfmt -w FILE applies its format)"
ok "no findings"
