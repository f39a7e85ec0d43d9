#!/bin/sh
# Every bad input under valgrind memcheck: the expected exit status (1, or 0
# for *-warning.yaml), no memory error and no leak (valgrind exits 9 on those).
set -u
valgrind=$1
lakec=$2
cd "$3"
fail=0
for f in *.yaml; do
  want=1
  case $f in *-warning.yaml) want=0 ;; esac
  "$valgrind" --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=all -q \
    "$lakec" validate "$f" >/dev/null 2>"/tmp/lakec-valgrind.$$"
  code=$?
  if [ $code -ne $want ]; then
    echo "FAIL: $f: exit $code, expected $want"
    grep '^==' "/tmp/lakec-valgrind.$$" | head -20
    fail=1
  fi
done
rm -f "/tmp/lakec-valgrind.$$"
[ $fail -eq 0 ] && echo "valgrind: every bad input is clean"
exit $fail
