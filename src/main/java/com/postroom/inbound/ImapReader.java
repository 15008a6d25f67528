package com.postroom.inbound;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.mail.Flags;
import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.MODSEQ;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * The few IMAP commands a sync needs, issued directly (RFC 3501 §6.4.8 UID FETCH) so that every message is addressed
 * by UID, fetched with {@code BODY.PEEK[]} (never marking it read), many per round trip, and large ones in chunks
 * ({@code BODY.PEEK[]<offset.length>}) straight to disk.
 */
final class ImapReader {

    /** A message on the server, before its body is fetched. */
    record Entry(long uid, long size, Set<String> flags, OffsetDateTime internalDate) {
    }

    private ImapReader() {
    }

    /** The messages of one window ({@link UidWindows}) and the highest sequence number among them. */
    record Listed(List<Entry> entries, int lastNumber) {
    }

    /**
     * Messages with a UID above {@code afterUid} and up to {@code end} ({@link UidWindows#OPEN}: no end), in UID
     * order. RFC 3501 returns the highest message for {@code n:*} even when its UID is below n, so UIDs at or below
     * the mark are dropped here.
     */
    static Listed listAfter(IMAPFolder folder, long afterUid, long end) throws MessagingException {
        List<Entry> entries = new ArrayList<>();
        List<FetchResponse> answers = fetch(folder, "UID FETCH " + range(afterUid, end)
                + " (UID RFC822.SIZE FLAGS INTERNALDATE)");
        for (FetchResponse fr : answers) {
            UID uid = fr.getItem(UID.class);
            if (uid == null || uid.uid <= afterUid || (end != UidWindows.OPEN && uid.uid > end)) {
                continue;
            }
            RFC822SIZE size = fr.getItem(RFC822SIZE.class);
            INTERNALDATE date = fr.getItem(INTERNALDATE.class);
            entries.add(new Entry(uid.uid, size == null ? 0 : size.size, flags(fr.getItem(FLAGS.class)),
                    date == null || date.getDate() == null ? null
                            : date.getDate().toInstant().atOffset(ZoneOffset.UTC)));
        }
        entries.sort(java.util.Comparator.comparingLong(Entry::uid));
        return new Listed(entries, UidWindows.lastNumber(answers));
    }

    private static String range(long afterUid, long end) {
        return (afterUid + 1) + ":" + (end == UidWindows.OPEN ? "*" : Long.toString(end));
    }

    /**
     * Flags of the messages with a UID above {@code afterUid} and up to {@code upToUid}, the highest mod-sequence among
     * those answered (RFC 7162) and their highest sequence number: of every message, or with {@code changedSince} only
     * of those whose flags changed after that mod-sequence.
     */
    record Flagged(Map<Long, Set<String>> flags, long highestModSeq, int lastNumber) {
    }

    static Flagged flagsIn(IMAPFolder folder, long afterUid, long upToUid, boolean modSeq, long changedSince)
            throws MessagingException {
        Map<Long, Set<String>> flags = new HashMap<>();
        long highest = changedSince;
        if (upToUid <= afterUid) {
            return new Flagged(flags, highest, 0);
        }
        String command = "UID FETCH " + range(afterUid, upToUid) + (modSeq ? " (UID FLAGS MODSEQ)" : " (UID FLAGS)")
                + (changedSince > 0 ? " (CHANGEDSINCE " + changedSince + ")" : "");
        List<FetchResponse> answers = fetch(folder, command);
        for (FetchResponse fr : answers) {
            UID uid = fr.getItem(UID.class);
            if (uid != null && uid.uid > afterUid && uid.uid <= upToUid) {
                flags.put(uid.uid, flags(fr.getItem(FLAGS.class)));
                MODSEQ m = fr.getItem(MODSEQ.class);
                if (m != null) {
                    highest = Math.max(highest, m.modseq);
                }
            }
        }
        return new Flagged(flags, highest, UidWindows.lastNumber(answers));
    }

    /** The folder's message count as the server has it now: a NOOP makes it report what it holds back. */
    static int countNow(IMAPFolder folder) throws MessagingException {
        folder.doCommand(p -> {
            p.simpleCommand("NOOP", null);
            return null;
        });
        return folder.getMessageCount();
    }

    /**
     * How many messages with a UID up to {@code upToUid} the server has now, asked with UID SEARCH (RFC 4731 ESEARCH's
     * COUNT where offered, one short answer; else RFC 3501's list of UIDs, counted). Not the folder's message count:
     * on a long-lived connection Angus keeps counting messages another client expunged until the next EXISTS, so a
     * move or delete elsewhere would go unnoticed for as long as no new mail arrived.
     */
    private static final java.util.regex.Pattern ESEARCH_COUNT = java.util.regex.Pattern.compile("\\bCOUNT (\\d+)");

    static long countUpTo(IMAPFolder folder, long upToUid) throws MessagingException {
        if (upToUid < 1) {
            return 0;
        }
        Object result = folder.doCommand(p -> {
            boolean esearch = p.hasCapability("ESEARCH");
            Response[] responses = p.command("UID SEARCH " + (esearch ? "RETURN (COUNT) " : "") + "UID 1:" + upToUid,
                    null);
            Response last = responses[responses.length - 1];
            long count = 0;
            List<Response> others = new ArrayList<>();
            for (int i = 0; i < responses.length - 1; i++) {
                String line = responses[i].toString();
                if (line.startsWith("* ESEARCH")) {
                    java.util.regex.Matcher m = ESEARCH_COUNT.matcher(line);
                    count = m.find() ? Long.parseLong(m.group(1)) : 0;
                } else if (line.startsWith("* SEARCH")) {
                    String rest = line.substring("* SEARCH".length()).strip();
                    count += rest.isEmpty() ? 0 : rest.split("\\s+").length;
                } else {
                    others.add(responses[i]);
                }
            }
            others.add(last);
            p.notifyResponseHandlers(others.toArray(Response[]::new));
            p.handleResult(last);
            return count;
        });
        return (Long) result;
    }

    /** The raw bytes of these messages; a UID missing from the answer was expunged meanwhile. */
    static Map<Long, byte[]> bodies(IMAPFolder folder, List<Long> uids) throws MessagingException {
        Map<Long, byte[]> bodies = new HashMap<>();
        for (FetchResponse fr : fetch(folder, "UID FETCH " + uidSet(uids) + " (UID BODY.PEEK[])")) {
            UID uid = fr.getItem(UID.class);
            BODY body = fr.getItem(BODY.class);
            if (uid != null && body != null && body.getByteArray() != null) {
                ByteArray ba = body.getByteArray();
                bodies.put(uid.uid, java.util.Arrays.copyOfRange(ba.getBytes(), ba.getStart(),
                        ba.getStart() + ba.getCount()));
            }
        }
        return bodies;
    }

    /** Streams one message to {@code out} in chunks; false when it was expunged meanwhile. */
    static boolean streamTo(IMAPFolder folder, long uid, int chunk, OutputStream out) throws MessagingException {
        long offset = 0;
        while (true) {
            byte[] part = null;
            for (FetchResponse fr : fetch(folder, "UID FETCH " + uid + " (UID BODY.PEEK[]<" + offset + "." + chunk
                    + ">)")) {
                UID u = fr.getItem(UID.class);
                BODY body = fr.getItem(BODY.class);
                if (u != null && u.uid == uid && body != null) {
                    ByteArray ba = body.getByteArray();
                    part = ba == null ? new byte[0]
                            : java.util.Arrays.copyOfRange(ba.getBytes(), ba.getStart(), ba.getStart() + ba.getCount());
                }
            }
            if (part == null) {
                return offset > 0;
            }
            try {
                out.write(part);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            offset += part.length;
            if (part.length < chunk) {
                return true;
            }
        }
    }

    static String uidSet(List<Long> uids) {
        List<Long> sorted = uids.stream().sorted().toList();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            out.append(out.length() == 0 ? "" : ",").append(sorted.get(i));
            if (j > i) {
                out.append(':').append(sorted.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }

    static Set<String> flags(Flags flags) {
        Set<String> out = new LinkedHashSet<>();
        if (flags == null) {
            return out;
        }
        for (Flags.Flag f : flags.getSystemFlags()) {
            if (f == Flags.Flag.SEEN) {
                out.add("\\Seen");
            } else if (f == Flags.Flag.FLAGGED) {
                out.add("\\Flagged");
            } else if (f == Flags.Flag.ANSWERED) {
                out.add("\\Answered");
            } else if (f == Flags.Flag.DELETED) {
                out.add("\\Deleted");
            } else if (f == Flags.Flag.DRAFT) {
                out.add("\\Draft");
            }
        }
        for (String user : flags.getUserFlags()) {
            out.add(user);
        }
        return out;
    }

    /**
     * Runs one FETCH on the folder's connection and returns its FETCH answers. Other untagged answers (EXISTS,
     * EXPUNGE) go to the folder as usual; ours are kept from it, so its message cache does not grow with every UID.
     */
    static List<FetchResponse> fetch(IMAPFolder folder, String command) throws MessagingException {
        Object result = folder.doCommand(p -> {
            Response[] responses = p.command(command, null);
            Response last = responses[responses.length - 1];
            List<FetchResponse> fetched = new ArrayList<>();
            List<Response> others = new ArrayList<>();
            for (int i = 0; i < responses.length - 1; i++) {
                if (responses[i] instanceof FetchResponse fr) {
                    fetched.add(fr);
                } else {
                    others.add(responses[i]);
                }
            }
            others.add(last);
            p.notifyResponseHandlers(others.toArray(Response[]::new));
            p.handleResult(last);
            return fetched;
        });
        @SuppressWarnings("unchecked")
        List<FetchResponse> list = (List<FetchResponse>) result;
        return list;
    }
}
