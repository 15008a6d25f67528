#!/usr/bin/env bash
# Stops the private Postfix and Dovecot started by start.sh.
BASE="${POSTROOM_MAIL_BASE:-/tmp/postroom-mailserver}"
[ -f "$BASE/postfix/main.cf" ] && postfix -c "$BASE/postfix" stop </dev/null >/dev/null 2>&1
[ -f "$BASE/dovecot/dovecot.conf" ] && doveadm -c "$BASE/dovecot/dovecot.conf" stop </dev/null >/dev/null 2>&1
exit 0
