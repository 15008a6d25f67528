package com.postroom.mailbox;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes messages in mboxrd format (RFC 4155 and the "mboxrd" quoting): each message starts with a {@code From }
 * separator line, and every body line that starts with any number of {@code >} followed by {@code From } gets one more
 * {@code >}, so the export can be split back into the exact messages by any mail tool.
 */
final class MboxOutputStream extends FilterOutputStream {

    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT);
    private static final byte[] FROM = "From ".getBytes(StandardCharsets.US_ASCII);

    private boolean lineStart = true;
    private final byte[] pending = new byte[64];
    private int pendingLength;
    private boolean checking;

    MboxOutputStream(OutputStream out) {
        super(out);
    }

    /** Starts a message: the separator line, after a blank line that ends the previous message. */
    void startMessage(String sender, OffsetDateTime date) throws IOException {
        flushPending();
        if (!lineStart) {
            out.write('\n');
        }
        String separator = "From " + (sender == null || sender.isBlank() ? "MAILER-DAEMON" : sender.replace(' ', '_'))
                + " " + ASCTIME.format(date.withOffsetSameInstant(ZoneOffset.UTC)) + "\n";
        out.write(separator.getBytes(StandardCharsets.US_ASCII));
        lineStart = true;
    }

    void endMessage() throws IOException {
        flushPending();
        if (!lineStart) {
            out.write('\n');
        }
        out.write('\n');
        lineStart = true;
    }

    @Override
    public void write(int b) throws IOException {
        if (lineStart) {
            lineStart = false;
            checking = true;
            pendingLength = 0;
        }
        if (checking) {
            pending[pendingLength++] = (byte) b;
            if (!stillPossible()) {
                flushPending();
            } else if (complete()) {
                out.write('>');
                flushPending();
            }
            if (b == '\n') {
                lineStart = true;
            }
            return;
        }
        out.write(b);
        if (b == '\n') {
            lineStart = true;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** The bytes so far are some '>' and then a prefix of "From ". */
    private boolean stillPossible() {
        int i = 0;
        while (i < pendingLength && pending[i] == '>') {
            i++;
        }
        if (i == pendingLength) {
            return pendingLength < pending.length;
        }
        int k = 0;
        while (i < pendingLength) {
            if (k >= FROM.length || pending[i] != FROM[k]) {
                return false;
            }
            i++;
            k++;
        }
        return true;
    }

    private boolean complete() {
        int i = 0;
        while (i < pendingLength && pending[i] == '>') {
            i++;
        }
        return pendingLength - i == FROM.length;
    }

    private void flushPending() throws IOException {
        if (checking) {
            out.write(pending, 0, pendingLength);
            checking = false;
            pendingLength = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flushPending();
        super.close();
    }
}
