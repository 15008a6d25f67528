package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.support.ImapClient;
import com.postroom.support.SmtpFaultProxy;

/**
 * A folder's UIDs in windows, against a real IMAP server: together the windows hold every message exactly once, each
 * holds about its size, and another client's expunges and new mail between windows change their sizes, never what
 * they cover.
 */
class UidWindowsTest {

    private static final GreenMail GREENMAIL = new GreenMail(
            new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
    private static final String PASSWORD = "windows-test-password";

    @BeforeAll
    static void start() {
        GREENMAIL.start();
    }

    @AfterAll
    static void stop() {
        GREENMAIL.stop();
    }

    private ImapClient client(String user) {
        GREENMAIL.setUser(user, user, PASSWORD);
        return ImapClient.plain(GREENMAIL.getImap().getPort(), user, PASSWORD);
    }

    private static void fill(ImapClient c, int count) {
        for (int i = 0; i < count; i++) {
            c.append("INBOX", InboundSyncTest.message("windows", i, 100));
        }
    }

    /** Lists every window above {@code after}; between windows, {@code between} runs with the window's index. */
    private static List<List<Long>> windows(IMAPFolder folder, long after, int size, Between between)
            throws Exception {
        UidWindows windows = new UidWindows(folder, size);
        List<List<Long>> out = new ArrayList<>();
        while (true) {
            long end = windows.end(after);
            ImapReader.Listed listed = ImapReader.listAfter(folder, after, end);
            out.add(listed.entries().stream().map(ImapReader.Entry::uid).toList());
            if (end == UidWindows.OPEN) {
                return out;
            }
            windows.passed(end, listed.lastNumber());
            after = end;
            between.run(out.size());
        }
    }

    interface Between {
        void run(int windowsDone) throws Exception;
    }

    private static List<Long> uids(IMAPFolder folder) throws Exception {
        List<Long> uids = new ArrayList<>();
        for (Message m : folder.getMessages()) {
            uids.add(folder.getUID(m));
        }
        return uids;
    }

    @Test
    void windowsHoldEveryMessageOnceAndAboutTheirSizeEach() throws Exception {
        try (ImapClient c = client("windows-even@postroom.test")) {
            fill(c, 23);
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<Long> all = uids(inbox);

            List<List<Long>> fromStart = windows(inbox, 0, 5, n -> { });
            assertThat(fromStart).hasSize(5);
            assertThat(fromStart.subList(0, 4)).allSatisfy(w -> assertThat(w).hasSize(5));
            assertThat(fromStart.stream().flatMap(List::stream).toList()).isEqualTo(all);

            // From a mark in the middle: the first window is found by a search over sequence numbers.
            long mark = all.get(6);
            List<List<Long>> fromMark = windows(inbox, mark, 5, n -> { });
            assertThat(fromMark.stream().flatMap(List::stream).toList()).isEqualTo(all.subList(7, 23));
            assertThat(fromMark.get(0)).hasSize(5);

            // What is new fits in one window: one answer, no search.
            assertThat(windows(inbox, all.get(19), 5, n -> { })).containsExactly(all.subList(20, 23));
            assertThat(windows(inbox, all.get(22), 5, n -> { })).containsExactly(List.of());
            // A folder no bigger than a window is one window.
            assertThat(windows(inbox, 0, 50, n -> { })).containsExactly(all);
            inbox.close(false);
        }
    }

    @Test
    void anotherClientsExpungesAndNewMailBetweenWindowsSkipNothing() throws Exception {
        String user = "windows-changing@postroom.test";
        try (ImapClient c = client(user); ImapClient other = client(user)) {
            fill(c, 30);
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<Long> before = uids(inbox);

            IMAPFolder theirs = other.folder("INBOX");
            theirs.open(Folder.READ_WRITE);
            List<List<Long>> listed = windows(inbox, 0, 4, n -> {
                if (n == 2) {
                    // Expunged behind the windows and ahead of them, and new mail arrives.
                    theirs.setFlags(new int[] {2, 3, 12, 13, 14}, new Flags(Flags.Flag.DELETED), true);
                    theirs.expunge();
                    fill(other, 3);
                }
            });
            theirs.close(true);
            theirs.open(Folder.READ_ONLY);
            TreeSet<Long> now = new TreeSet<>(uids(theirs));
            theirs.close(false);

            List<Long> seen = listed.stream().flatMap(List::stream).toList();
            assertThat(seen).as("no UID twice, in order").isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
            // Everything there now past the first two windows was listed, new mail included; what was listed before
            // the expunge stays listed.
            assertThat(seen).containsAll(now.tailSet(listed.get(1).get(listed.get(1).size() - 1), false));
            assertThat(seen).containsAll(before.subList(0, 8));
            assertThat(now).hasSize(28);
            inbox.close(false);
        }
    }
}
