package com.postroom.inbound;

import java.util.List;

import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * A folder's UIDs above a mark, cut into windows of about {@link #SIZE} messages, each asked for with its own
 * {@code UID FETCH lo:hi}. A first sync of a mailbox of a million messages used to ask for all of them in one FETCH:
 * a million answers that the server builds and that Angus keeps in memory until the last one has come, in a server
 * that runs at {@code -Xmx512m}.
 * <p>
 * The windows are ranges of UIDs, contiguous from the mark up: every UID is in exactly one, whatever another client
 * expunges meanwhile, so a message is never skipped. Where a window ends is found through sequence numbers (UIDs rise
 * with them, RFC 3501 §2.3.1.1): the end is the UID of the message {@code SIZE} places further on. Expunges between
 * windows shift those places and so change a window's size, never what the windows cover together.
 */
final class UidWindows {

    /** Messages per window: a few megabytes of answers, a few hundred round trips for a million messages. */
    static final int SIZE = 10_000;

    /** No end: the last window is {@code lo:*}. */
    static final long OPEN = -1;

    private final IMAPFolder folder;
    private final int size;
    /** How many messages have a UID at or below the current mark, as far as known; -1 before it is looked up. */
    private int position = -1;

    UidWindows(IMAPFolder folder, int size) {
        this.folder = folder;
        this.size = size;
    }

    /**
     * The last UID of the window that starts above {@code after}, or {@link #OPEN} when the messages above
     * {@code after} fit in one window. A folder that holds no more than one window never costs a round trip here.
     */
    long end(long after) throws MessagingException {
        int count = folder.getMessageCount();
        if (position < 0) {
            if (count <= size) {
                return OPEN;
            }
            if (after == 0) {
                position = 0;
            } else if (uidAt(count - size) <= after) {
                // The usual case for a sync of a big folder: what is new fits in the last window.
                return OPEN;
            } else {
                position = positionOf(after, count);
            }
        }
        int target = position + size;
        if (target >= count) {
            return OPEN;
        }
        long end = uidAt(target);
        if (end <= after) {
            // Messages arrived or left since the position was taken; look it up again.
            position = positionOf(after, count);
            target = position + size;
            end = target >= count ? OPEN : uidAt(target);
        }
        return end <= after || end == Long.MAX_VALUE ? OPEN : end;
    }

    /**
     * The window up to {@code end} was read: the next starts after it. {@code lastNumber} is the highest sequence
     * number in its answers (0 when it had none), so the next window's end is found with one round trip.
     */
    void passed(long end, int lastNumber) {
        position = lastNumber > 0 ? lastNumber : position >= 0 ? position + size : -1;
    }

    /** The highest message sequence number among these answers, 0 if none. */
    static int lastNumber(List<FetchResponse> answers) {
        int last = 0;
        for (FetchResponse fr : answers) {
            last = Math.max(last, fr.getNumber());
        }
        return last;
    }

    /** How many messages have a UID at or below {@code uid}: a binary search over sequence numbers. */
    private int positionOf(long uid, int count) throws MessagingException {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) / 2);
            if (uidAt(mid) <= uid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The UID of the message at this sequence number; Long.MAX_VALUE when there is none any more. */
    private long uidAt(int number) throws MessagingException {
        for (FetchResponse fr : ImapReader.fetch(folder, "FETCH " + number + " (UID)")) {
            UID uid = fr.getItem(UID.class);
            if (uid != null && fr.getNumber() == number) {
                return uid.uid;
            }
        }
        return Long.MAX_VALUE;
    }
}
