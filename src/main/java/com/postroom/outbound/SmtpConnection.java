package com.postroom.outbound;

import java.io.IOException;
import java.util.List;

import jakarta.mail.MessagingException;

import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/**
 * One SMTP connection, reused for many messages (one worker thread owns it). The message bytes are sent exactly as
 * they were composed, with the envelope sender and recipients of the outbox row ({@link SmtpSession}).
 */
final class SmtpConnection implements AutoCloseable {

    /** Servers drop idle sessions (Postfix after 300 s); past this idle time a fresh connection is cheaper. */
    static final long MAX_IDLE_MILLIS = 30_000;
    /** Within this time of its last reply a connection is used without a NOOP to check it. */
    static final long TRUST_WITHOUT_NOOP_MILLIS = 2_000;

    private final MailServer server;
    private final MailSessions sessions;
    private final boolean pipelining;
    private SmtpSession session;
    private long lastUsed;

    SmtpConnection(MailServer server, MailSessions sessions) {
        this(server, sessions, true);
    }

    /** @param pipelining SMTP_PIPELINING: whether to pipeline where the server offers it */
    SmtpConnection(MailServer server, MailSessions sessions, boolean pipelining) {
        this.server = server;
        this.sessions = sessions;
        this.pipelining = pipelining;
    }

    /** One recipient's outcome: the server's code (0 when the connection failed) and its reply. */
    record RecipientResult(String address, int code, String reply) {
        boolean accepted() {
            return code >= 200 && code < 300;
        }

        boolean permanent() {
            return code >= 500;
        }
    }

    /** The outcome of one attempt, per recipient, plus the reply that decided the message as a whole. */
    record Result(List<RecipientResult> recipients, int code, String reply) {
    }

    Result send(String envelopeFrom, List<String> recipients, byte[] mime) {
        try {
            connect();
            Result result = session.send(envelopeFrom, recipients, mime);
            lastUsed = System.currentTimeMillis();
            return result;
        } catch (IOException | MessagingException | RuntimeException e) {
            close();
            String reply = describe(e);
            return new Result(recipients.stream().map(r -> new RecipientResult(r, 0, reply)).toList(), 0, reply);
        }
    }

    private void connect() throws IOException, MessagingException {
        long idle = System.currentTimeMillis() - lastUsed;
        // A NOOP costs a round trip; a connection used a moment ago is taken as alive.
        if (session != null && session.usable() && idle < MAX_IDLE_MILLIS
                && (idle < TRUST_WITHOUT_NOOP_MILLIS || session.alive())) {
            return;
        }
        close();
        session = SmtpSession.open(server, sessions, pipelining);
        lastUsed = System.currentTimeMillis();
    }

    /** A connection-level failure in words, without anything that could be a credential. */
    static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String kind = e instanceof jakarta.mail.AuthenticationFailedException ? "SMTP login failed"
                : root instanceof java.net.SocketTimeoutException ? "timed out"
                : root instanceof java.net.ConnectException ? "connection refused"
                : root instanceof java.net.UnknownHostException ? "unknown host"
                : root instanceof javax.net.ssl.SSLException || root instanceof java.security.cert.CertificateException
                        ? "TLS failed: " + root.getMessage()
                : root instanceof IOException ? "connection lost" : "SMTP error";
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        return message.isEmpty() || kind.startsWith("TLS") ? kind : kind + ": " + message;
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
