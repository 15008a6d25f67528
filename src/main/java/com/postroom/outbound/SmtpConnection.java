package com.postroom.outbound;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/**
 * One SMTP connection, reused for many messages (one worker thread owns it). The message bytes are sent exactly as
 * they were composed, with the envelope sender and recipients of the outbox row.
 */
final class SmtpConnection implements AutoCloseable {

    /** Servers drop idle sessions (Postfix after 300 s); past this idle time a fresh connection is cheaper. */
    static final long MAX_IDLE_MILLIS = 30_000;
    /** Within this time of its last reply a connection is used without a NOOP to check it. */
    static final long TRUST_WITHOUT_NOOP_MILLIS = 2_000;

    private final MailServer server;
    private final MailSessions sessions;
    private final Session session;
    private Transport transport;
    private long lastUsed;

    SmtpConnection(MailServer server, MailSessions sessions) {
        this.server = server;
        this.sessions = sessions;
        this.session = sessions.smtp(server);
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
            RawMessage message = new RawMessage(session, mime);
            message.setEnvelopeFrom(envelopeFrom);
            Address[] to = new Address[recipients.size()];
            for (int i = 0; i < to.length; i++) {
                to[i] = new InternetAddress(recipients.get(i), false);
            }
            try {
                transport.sendMessage(message, to);
                lastUsed = System.currentTimeMillis();
                int code = smtp().getLastReturnCode();
                String reply = reply(smtp().getLastServerResponse());
                return new Result(recipients.stream().map(r -> new RecipientResult(r, code, reply)).toList(), code,
                        reply);
            } catch (SendFailedException e) {
                lastUsed = System.currentTimeMillis();
                return partial(e, recipients);
            }
        } catch (MessagingException | RuntimeException e) {
            close();
            String reply = describe(e);
            return new Result(recipients.stream().map(r -> new RecipientResult(r, 0, reply)).toList(), 0, reply);
        }
    }

    private void connect() throws MessagingException {
        long idle = System.currentTimeMillis() - lastUsed;
        // isConnected() costs a NOOP round trip; a connection used a moment ago is taken as alive.
        if (transport != null && idle < MAX_IDLE_MILLIS && (idle < TRUST_WITHOUT_NOOP_MILLIS || transport.isConnected())) {
            return;
        }
        close();
        transport = sessions.connectSmtp(server);
        lastUsed = System.currentTimeMillis();
    }

    /**
     * With {@code sendpartial}, Angus reports refused recipients as a chain of {@link SMTPAddressFailedException}s
     * and a refused MAIL FROM or DATA as an {@link SMTPSendFailedException} with the code.
     */
    private Result partial(SendFailedException e, List<String> recipients) {
        Map<String, RecipientResult> byAddress = new LinkedHashMap<>();
        int messageCode = e instanceof SMTPSendFailedException s ? s.getReturnCode() : 0;
        String messageReply = reply(e.getMessage());
        for (Exception next = e; next != null; next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException af) {
                String address = af.getAddress().getAddress();
                byAddress.put(address.toLowerCase(), new RecipientResult(address, af.getReturnCode(),
                        reply(af.getMessage())));
            } else if (next instanceof SMTPSendFailedException sf && sf != e && messageCode == 0) {
                messageCode = sf.getReturnCode();
                messageReply = reply(sf.getMessage());
            }
        }
        if (e.getValidSentAddresses() != null) {
            int code = smtp().getLastReturnCode();
            String reply = reply(smtp().getLastServerResponse());
            for (Address a : e.getValidSentAddresses()) {
                String address = ((InternetAddress) a).getAddress();
                byAddress.putIfAbsent(address.toLowerCase(), new RecipientResult(address, code, reply));
            }
        }
        List<RecipientResult> results = new ArrayList<>();
        for (String r : recipients) {
            RecipientResult known = byAddress.get(r.toLowerCase());
            if (known != null) {
                results.add(known);
            } else {
                // Not refused on its own, yet not sent: the whole transaction failed (MAIL FROM or DATA).
                results.add(new RecipientResult(r, messageCode, messageReply));
            }
        }
        if (messageCode == 0 || messageCode / 100 == 2) {
            // Only recipients were refused ("Invalid Addresses" is Angus's word, not the server's; a 250 is the
            // others' acceptance): the attempt's code and reply are the first refusal's, as the server gave it.
            for (RecipientResult r : results) {
                if (!r.accepted() && r.code() > 0) {
                    return new Result(results, r.code(), r.reply());
                }
            }
        }
        return new Result(results, messageCode, messageReply);
    }

    /**
     * The stored MIME bytes as a message: written to DATA exactly as composed, without being parsed and
     * re-serialised (Angus dot-stuffs the stream itself, RFC 5321 §4.5.2).
     */
    static final class RawMessage extends SMTPMessage {
        private final byte[] bytes;

        RawMessage(Session session, byte[] bytes) {
            super(session);
            this.bytes = bytes;
        }

        @Override
        public void writeTo(java.io.OutputStream out, String[] ignoreHeaders) throws IOException {
            out.write(bytes);
        }

        @Override
        public void writeTo(java.io.OutputStream out) throws IOException {
            out.write(bytes);
        }

        @Override
        public int getSize() {
            return bytes.length;
        }
    }

    private SMTPTransport smtp() {
        return (SMTPTransport) transport;
    }

    private static String reply(String raw) {
        return raw == null ? "" : raw.strip();
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
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // Closing a broken connection fails too; it is being dropped either way.
            }
            transport = null;
        }
    }
}
