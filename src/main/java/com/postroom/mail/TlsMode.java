package com.postroom.mail;

/** How a connection to the mail server is protected. */
public enum TlsMode {
    /** TLS from the first byte: SMTPS on 465 (RFC 8314 §3.3), IMAPS on 993. */
    IMPLICIT,
    /** Plain connect, then STARTTLS, which must succeed (RFC 3207); the submission port 587. */
    STARTTLS,
    /** No TLS at all: only for loopback, or with MAIL_ALLOW_INSECURE=true. */
    NONE
}
