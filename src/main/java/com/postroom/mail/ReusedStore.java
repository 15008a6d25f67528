package com.postroom.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Store;

/**
 * One IMAP connection kept open between runs of a background job (the Sent copy, the Drafts mirror) and opened again
 * when it dropped. Not thread-safe: each job holds its own and uses it from one thread at a time.
 */
public final class ReusedStore {

    private final MailSessions sessions;
    private final MailServer server;
    private Store store;

    public ReusedStore(MailSessions sessions, MailServer server) {
        this.sessions = sessions;
        this.server = server;
    }

    /** The open connection, connecting (with the session's timeouts and TLS checks) when there is none. */
    public Store get() throws MessagingException {
        if (store == null || !store.isConnected()) {
            store = sessions.connectImap(server);
        }
        return store;
    }

    /** Drops the connection (after a failure, so the next run starts clean, or at shutdown). */
    public void close() {
        if (store != null) {
            try {
                store.close();
            } catch (MessagingException ignored) {
                // Dropping the connection either way.
            }
            store = null;
        }
    }
}
