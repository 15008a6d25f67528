/**
 * The ground floor of mail: addresses (EmailAddress), servers (MailServer, TlsMode), credentials (Secret), the
 * identities mail is sent from, the endpoints in force, sessions with timeouts and TLS checks (MailSessions),
 * and mail-server health. Uses nothing above it.
 */
@NullMarked
package com.postroom.mail;

import org.jspecify.annotations.NullMarked;
