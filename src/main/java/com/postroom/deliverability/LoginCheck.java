package com.postroom.deliverability;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/** SMTP AUTH and IMAP LOGIN with the configured accounts: connect, authenticate, disconnect; nothing is sent. */
final class LoginCheck {

    private LoginCheck() {
    }

    static Check smtp(MailSessions sessions, MailServer server, String id, String variables) {
        Check.Builder c = Check.of(id, "SMTP login to " + server.describe()).detail("server", server.describe())
                .detail("user", server.username().orElse(null));
        try {
            sessions.connectSmtp(server).close();
            return c.ok(server.authenticates() ? "Postroom logs in to " + server.describe() + " as "
                    + server.username().get() + "." : "Postroom connects to " + server.describe() + " (no login "
                    + "configured).");
        } catch (AuthenticationFailedException e) {
            return c.invalid("The SMTP server " + server.describe() + " refuses the login of "
                    + server.username().orElse("?") + "; correct " + variables + " (Mailu: the user's password or an "
                    + "authentication token).");
        } catch (MessagingException | RuntimeException e) {
            return c.invalid("Postroom cannot reach its SMTP server " + server.describe() + ": " + root(e)
                    + "; outbound mail waits in the outbox until it can.");
        }
    }

    static Check imap(MailSessions sessions, MailServer server, String id, String variables) {
        Check.Builder c = Check.of(id, "IMAP login to " + server.describe()).detail("server", server.describe())
                .detail("user", server.username().orElse(null));
        try {
            sessions.connectImap(server).close();
            return c.ok("Postroom logs in to " + server.describe() + " as " + server.username().orElse("?") + ".");
        } catch (AuthenticationFailedException e) {
            return c.invalid("The IMAP server " + server.describe() + " refuses the login of "
                    + server.username().orElse("?") + "; correct " + variables + ".");
        } catch (MessagingException | RuntimeException e) {
            return c.invalid("Postroom cannot reach the IMAP server " + server.describe() + ": " + root(e)
                    + "; new mail is not fetched until it can.");
        }
    }

    static String root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : " (" + m.replaceAll("\\s+", " ") + ")");
    }
}
