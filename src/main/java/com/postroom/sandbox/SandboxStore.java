package com.postroom.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;

/**
 * Keeps the sandbox's mailboxes on disk, under {@code <data dir>/sandbox/mail/<mailbox>/<folder>/}, one file per
 * message named by its UID and flags. GreenMail keeps mail in memory only: without this, mail delivered to the
 * sandbox but not yet synced when Postroom stopped was gone, and so was everything a mail client had filed there.
 * A snapshot is written every few seconds and at stop; at start the files are appended back (the folders get new
 * UIDs and a new UIDVALIDITY, which Postroom's sync matches by content, so nothing is stored twice).
 */
final class SandboxStore {

    private static final Logger log = LoggerFactory.getLogger(SandboxStore.class);
    private static final String SUFFIX = ".eml";

    private final Path root;

    SandboxStore(Path root) {
        this.root = root;
    }

    /** Appends every kept message back into the freshly started server; a message kept twice comes back once. */
    void restore(GreenMail greenMail, List<GreenMailUser> users) {
        ImapHostManager host = greenMail.getManagers().getImapHostManager();
        int restored = 0;
        for (GreenMailUser user : users) {
            Path userDir = root.resolve(encode(user.getLogin()));
            if (!Files.isDirectory(userDir)) {
                continue;
            }
            try (Stream<Path> folders = Files.list(userDir)) {
                for (Path folderDir : folders.filter(Files::isDirectory).sorted().toList()) {
                    restored += restoreFolder(host, user, decode(folderDir.getFileName().toString()), folderDir);
                }
            } catch (IOException | FolderException | RuntimeException e) {
                log.warn("The sandbox's kept mail of {} could not be restored completely: {}", user.getLogin(),
                        e.toString());
            }
        }
        if (restored > 0) {
            log.info("Sandbox: {} kept messages restored from {}", restored, root);
        }
    }

    private int restoreFolder(ImapHostManager host, GreenMailUser user, String name, Path dir)
            throws IOException, FolderException {
        MailFolder folder = host.getFolder(user, name);
        if (folder == null) {
            try {
                folder = host.createMailbox(user, name);
            } catch (com.icegreen.greenmail.imap.AuthorizationException e) {
                throw new IOException(e);
            }
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(SUFFIX)).sorted((a, b) -> Long.compare(uidOf(a), uidOf(b)))
                    .toList();
        }
        Set<String> seen = new HashSet<>();
        Session session = Session.getInstance(new java.util.Properties());
        int count = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            if (!seen.add(sha256(bytes))) {
                continue;
            }
            try {
                folder.appendMessage(new MimeMessage(session, new ByteArrayInputStream(bytes)), flagsOf(file),
                        new Date(Files.getLastModifiedTime(file).toMillis()));
                count++;
            } catch (MessagingException e) {
                log.warn("Sandbox: kept message {} could not be restored: {}", file, e.getMessage());
            }
        }
        return count;
    }

    /** Writes what changed since the last snapshot: new messages and changed flags first, then removes the rest. */
    void snapshot(GreenMail greenMail, List<GreenMailUser> users) {
        ImapHostManager host = greenMail.getManagers().getImapHostManager();
        for (GreenMailUser user : users) {
            try {
                Path userDir = root.resolve(encode(user.getLogin()));
                Set<Path> keep = new HashSet<>();
                for (MailFolder folder : host.listMailboxes(user, "*")) {
                    Path dir = userDir.resolve(encode(folder.getFullName()));
                    Files.createDirectories(dir);
                    keep.add(dir);
                    Set<Path> current = new HashSet<>();
                    for (StoredMessage m : folder.getMessages()) {
                        Path file = dir.resolve(m.getUid() + "." + letters(m.getFlags()) + SUFFIX);
                        current.add(file);
                        if (!Files.exists(file)) {
                            write(file, m);
                        }
                    }
                    try (Stream<Path> s = Files.list(dir)) {
                        for (Path old : s.filter(p -> p.toString().endsWith(SUFFIX) && !current.contains(p)).toList()) {
                            Files.deleteIfExists(old);
                        }
                    }
                }
                if (Files.isDirectory(userDir)) {
                    try (Stream<Path> s = Files.list(userDir)) {
                        for (Path gone : s.filter(p -> Files.isDirectory(p) && !keep.contains(p)).toList()) {
                            deleteTree(gone);
                        }
                    }
                }
            } catch (IOException | FolderException | RuntimeException e) {
                log.warn("Sandbox: the mail of {} could not be kept on disk: {}", user.getLogin(), e.toString());
            }
        }
    }

    private static void write(Path file, StoredMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            m.getMimeMessage().writeTo(out);
        } catch (MessagingException e) {
            throw new IOException(e);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, out.toByteArray());
        if (m.getReceivedDate() != null) {
            Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.fromMillis(m.getReceivedDate().getTime()));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Maildir's letters (RFC-less, but every Maildir reader knows them): D raft, F lagged, R eplied, S een, T rashed. */
    private static String letters(Flags flags) {
        StringBuilder s = new StringBuilder();
        if (flags.contains(Flags.Flag.DRAFT)) {
            s.append('D');
        }
        if (flags.contains(Flags.Flag.FLAGGED)) {
            s.append('F');
        }
        if (flags.contains(Flags.Flag.ANSWERED)) {
            s.append('R');
        }
        if (flags.contains(Flags.Flag.SEEN)) {
            s.append('S');
        }
        if (flags.contains(Flags.Flag.DELETED)) {
            s.append('T');
        }
        return s.toString();
    }

    private static Flags flagsOf(Path file) {
        String name = file.getFileName().toString();
        String letters = name.substring(name.indexOf('.') + 1, name.length() - SUFFIX.length());
        Flags flags = new Flags();
        for (char c : letters.toCharArray()) {
            switch (c) {
                case 'D' -> flags.add(Flags.Flag.DRAFT);
                case 'F' -> flags.add(Flags.Flag.FLAGGED);
                case 'R' -> flags.add(Flags.Flag.ANSWERED);
                case 'S' -> flags.add(Flags.Flag.SEEN);
                case 'T' -> flags.add(Flags.Flag.DELETED);
                default -> { }
            }
        }
        return flags;
    }

    private static long uidOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.indexOf('.')));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    private static String decode(String name) {
        return URLDecoder.decode(name, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<GreenMailUser> usersOf(GreenMail greenMail, List<String> logins) {
        List<GreenMailUser> users = new ArrayList<>();
        for (String login : logins) {
            GreenMailUser user = greenMail.getUserManager().getUser(login);
            if (user != null) {
                users.add(user);
            }
        }
        return users;
    }

}
