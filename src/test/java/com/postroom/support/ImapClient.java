package com.postroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import org.eclipse.angus.mail.iap.Literal;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;

/**
 * A plain IMAP client, standing in for "another mail client" in tests: it appends raw bytes exactly (IMAP APPEND of
 * a literal, no MIME re-serialisation), sets flags, and manages folders.
 */
public final class ImapClient implements AutoCloseable {

    private final Store store;

    public ImapClient(String host, int port, boolean ssl, String user, String password, Properties extra) {
        Properties props = new Properties();
        String protocol = ssl ? "imaps" : "imap";
        props.put("mail.store.protocol", protocol);
        props.put("mail." + protocol + ".connectiontimeout", "10000");
        props.put("mail." + protocol + ".timeout", "60000");
        if (extra != null) {
            props.putAll(extra);
        }
        try {
            store = Session.getInstance(props).getStore(protocol);
            store.connect(host, port, user, password);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Wraps a connected store (for example one from Postroom's own MailSessions, which trusts the test CA). */
    public ImapClient(Store store) {
        this.store = store;
    }

    /** Deletes every message of the folder (STORE \\Deleted + EXPUNGE), if the folder exists. */
    public void empty(String name) throws MessagingException {
        Folder f = store.getFolder(name);
        if (!f.exists()) {
            return;
        }
        f.open(Folder.READ_WRITE);
        try {
            if (f.getMessageCount() > 0) {
                f.setFlags(1, f.getMessageCount(), new Flags(Flags.Flag.DELETED), true);
            }
        } finally {
            f.close(true);
        }
    }

    public static ImapClient plain(int port, String user, String password) {
        return new ImapClient("127.0.0.1", port, false, user, password, null);
    }

    /** APPENDs the bytes verbatim. */
    public void append(String folder, byte[] raw) {
        append(folder, raw, new Flags());
    }

    public void append(String folder, byte[] raw, Flags flags) {
        try {
            IMAPFolder f = folder(folder);
            f.doCommand(p -> {
                ((IMAPProtocol) p).append(f.getFullName(), flags, null, new Literal() {
                    @Override
                    public int size() {
                        return raw.length;
                    }

                    @Override
                    public void writeTo(OutputStream out) throws IOException {
                        out.write(raw);
                    }
                });
                return null;
            });
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    public IMAPFolder folder(String name) throws MessagingException {
        IMAPFolder f = (IMAPFolder) store.getFolder(name);
        if (!f.exists()) {
            f.create(Folder.HOLDS_MESSAGES);
        }
        return f;
    }

    public void delete(String name) throws MessagingException {
        Folder f = store.getFolder(name);
        if (f.exists()) {
            f.delete(true);
        }
    }

    /** Sets or clears a flag on every message of the folder, as another mail client would. */
    public void setFlagOnAll(String name, Flags.Flag flag, boolean value) throws MessagingException {
        Folder f = store.getFolder(name);
        f.open(Folder.READ_WRITE);
        try {
            f.setFlags(1, f.getMessageCount(), new Flags(flag), value);
        } finally {
            f.close(false);
        }
    }

    public long uidValidity(String name) throws MessagingException {
        IMAPFolder f = (IMAPFolder) store.getFolder(name);
        f.open(Folder.READ_ONLY);
        try {
            return f.getUIDValidity();
        } finally {
            f.close(false);
        }
    }

    public static byte[] resource(String name) {
        try (InputStream in = ImapClient.class.getResourceAsStream("/mail/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            store.close();
        } catch (MessagingException ignored) {
            // closing anyway
        }
    }
}
