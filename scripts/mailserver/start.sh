#!/usr/bin/env bash
# Starts a private Postfix + Dovecot on loopback for Postroom's real-mail-server tests and benchmarks.
#
#   submission  localhost:10587  STARTTLS required, SASL AUTH (Dovecot)
#   smtp        localhost:10025  plain, no AUTH, accepts mail for the test domains only (smtp-source benchmark)
#   imaps       localhost:10993  implicit TLS
#   imap        localhost:10143  STARTTLS
# Postfix hands mail for postroom.test and example.test to Dovecot over LMTP; every other destination is `error:`,
# so nothing can leave the machine. Certificates come from a throwaway CA: trust it with MAIL_TLS_CA_FILE=$BASE/ca.pem.
# Writes $BASE/env (ports, users, passwords, CA file) for the tests. Needs root and Debian's postfix,
# dovecot-imapd and dovecot-lmtpd packages (.ci/run installs them). Stop with scripts/mailserver/stop.sh.
set -euo pipefail

BASE="${POSTROOM_MAIL_BASE:-/tmp/postroom-mailserver}"
PASSWORD="${POSTROOM_MAIL_PASSWORD:-postroom-test-password}"
USERS="founder billing support noreply alice bob bench"
DOMAINS="postroom.test example.test"

for tool in postfix dovecot openssl; do
  command -v "$tool" >/dev/null || { echo "mailserver: $tool is not installed (apt-get install postfix dovecot-imapd dovecot-lmtpd openssl)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "mailserver: must run as root (Postfix and Dovecot drop privileges themselves)" >&2; exit 1; }

"$(dirname "$0")/stop.sh" >/dev/null 2>&1 || true
rm -rf "$BASE"
mkdir -p "$BASE"/{postfix,dovecot/run,mail,tls}
chmod 755 "$BASE"

# --- TLS: a CA and a server certificate for localhost / 127.0.0.1 -------------------------------------------------
cd "$BASE/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Postroom Test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile ext.cnf -out server.pem 2>/dev/null
cp ca.pem "$BASE/ca.pem"
chmod 644 "$BASE/ca.pem" server.pem
chmod 600 server.key ca.key

# --- Dovecot -------------------------------------------------------------------------------------------------------
VMAIL_UID=$(id -u mail); VMAIL_GID=$(id -g mail)
chown "$VMAIL_UID:$VMAIL_GID" "$BASE/mail"
: > "$BASE/dovecot/users"
for d in $DOMAINS; do for u in $USERS; do
  echo "$u@$d:{PLAIN}$PASSWORD:$VMAIL_UID:$VMAIL_GID::$BASE/mail/$d/$u" >> "$BASE/dovecot/users"
done; done
chmod 640 "$BASE/dovecot/users"; chown root:dovecot "$BASE/dovecot/users"
cat > "$BASE/dovecot/dovecot.conf" <<CONF
base_dir = $BASE/dovecot/run
state_dir = $BASE/dovecot/state
instance_name = postroom-test
protocols = imap lmtp
listen = 127.0.0.1
log_path = $BASE/dovecot/dovecot.log
ssl = required
ssl_cert = <$BASE/tls/server.pem
ssl_key = <$BASE/tls/server.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_uid = $VMAIL_UID
mail_gid = $VMAIL_GID
first_valid_uid = 1
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  # Named unlike the fallback "Archive", so the suite shows write-back finds folders by SPECIAL-USE (RFC 6154).
  mailbox Archives {
    special_use = \\Archive
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $BASE/dovecot/users
}
userdb {
  driver = passwd-file
  args = $BASE/dovecot/users
}
# A Maildir of a million messages (bench/search at 1,000,000): the imap process reads the folder's whole uidlist and
# ran out of Dovecot's default 256 MB limit on opening it. docs/deploy.md says the same for a real server.
service imap {
  vsz_limit = 1G
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 10143
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = 10993
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 10024
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
protocol lmtp {
  postmaster_address = postmaster@postroom.test
}
CONF
mkdir -p "$BASE/dovecot/state"
dovecot -c "$BASE/dovecot/dovecot.conf" </dev/null >/dev/null 2>&1

# --- Postfix -------------------------------------------------------------------------------------------------------
PF="$BASE/postfix"
# Queue and data live outside the config folder: postfix-script wants the config folder owned by root throughout.
mkdir -p "$BASE/postfix-queue" "$BASE/postfix-data"
chown postfix "$BASE/postfix-data"
cat > "$PF/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $BASE/postfix-queue
data_directory = $BASE/postfix-data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.postroom.test
mydomain = postroom.test
myorigin = postroom.test
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = ${DOMAINS// /, }
virtual_transport = lmtp:inet:127.0.0.1:10024
# Nothing may leave this machine: every non-local destination fails at once.
default_transport = error:outside mail is disabled in the Postroom test server
relay_transport = error:outside mail is disabled in the Postroom test server
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = $BASE/tls/server.pem
smtpd_tls_key_file = $BASE/tls/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $BASE/dovecot/run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_tls_auth_only = yes
maillog_file = $PF/postfix.log
maillog_file_prefixes = $PF
biff = no
alias_maps =
alias_database =
local_recipient_maps =
append_dot_mydomain = no
smtputf8_enable = yes
message_size_limit = 104857600
default_process_limit = 100
CONF
cat > "$PF/master.cf" <<CONF
# service  type private unpriv chroot wakeup maxproc command
127.0.0.1:10025 inet n - n - - smtpd
127.0.0.1:10587 inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
# Postfix runs a non-default configuration only when the default one names it.
if ! grep -q "^alternate_config_directories.*$PF" /etc/postfix/main.cf 2>/dev/null; then
  touch /etc/postfix/main.cf
  sed -i '/^alternate_config_directories/d' /etc/postfix/main.cf
  echo "alternate_config_directories = $PF" >> /etc/postfix/main.cf
fi
postfix -c "$PF" check >/dev/null 2>&1 || true
postfix -c "$PF" start </dev/null >/dev/null 2>&1

# --- Wait until every port answers ---------------------------------------------------------------------------------
for port in 10025 10587 10993 10143 10024; do
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo "mailserver: port $port did not open; see $BASE/dovecot/dovecot.log and $PF/postfix.log" >&2; exit 1; }
done

cat > "$BASE/env" <<ENV
REAL_MAIL_HOST=localhost
REAL_SMTP_SUBMISSION_PORT=10587
REAL_SMTP_PLAIN_PORT=10025
REAL_IMAPS_PORT=10993
REAL_IMAP_PORT=10143
REAL_MAIL_CA_FILE=$BASE/ca.pem
REAL_MAIL_PASSWORD=$PASSWORD
REAL_MAIL_DOMAIN=postroom.test
REAL_MAIL_BASE=$BASE
ENV
echo "mailserver: Postfix (submission 10587, smtp 10025) and Dovecot (imaps 10993, imap 10143) running; env in $BASE/env"
