package com.postroom.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

import jakarta.mail.util.SharedByteArrayInputStream;

/**
 * A {@link SharedByteArrayInputStream} without its locks: the same reads, skips, marks and views (parts are views of
 * the same bytes, as the MIME parser needs), with none of {@code ByteArrayInputStream}'s methods synchronized. Jakarta
 * Mail's multipart parser marks, reads, resets and skips for every few bytes of a message as it looks for the next
 * boundary, and its header reader reads a byte at a time; under C1 (as Postroom is deployed) each of those calls took
 * and released a lock, a tenth of the IMAP sync's CPU. A stream is read by the one thread that parses its message.
 */
final class UnlockedSharedBytes extends SharedByteArrayInputStream {

    UnlockedSharedBytes(byte[] bytes) {
        super(bytes);
    }

    private UnlockedSharedBytes(byte[] bytes, int offset, int length) {
        super(bytes, offset, length);
    }

    @Override
    public int read() {
        return pos < count ? buf[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        // Checked by hand: Objects.checkFromIndexSize is an intrinsic of C2 only, and under C1 it was a tenth of the
        // sync's samples (the parser reads a boundary's length at every step of its search).
        if ((off | len) < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("offset " + off + ", length " + len + ", array " + b.length);
        }
        if (pos >= count) {
            return -1;
        }
        int n = Math.min(len, count - pos);
        if (n <= 0) {
            return 0;
        }
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public byte[] readAllBytes() {
        byte[] rest = Arrays.copyOfRange(buf, pos, count);
        pos = count;
        return rest;
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        int n = count - pos;
        out.write(buf, pos, n);
        pos = count;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = count - pos;
        if (n < k) {
            k = n < 0 ? 0 : n;
        }
        pos += (int) k;
        return k;
    }

    @Override
    public int available() {
        return count - pos;
    }

    @Override
    public void mark(int readAheadLimit) {
        mark = pos;
    }

    @Override
    public void reset() {
        pos = mark;
    }

    @Override
    public InputStream newStream(long from, long to) {
        if (from < 0) {
            throw new IllegalArgumentException("start < 0");
        }
        long end = to == -1 ? count - start : to;
        return new UnlockedSharedBytes(buf, start + (int) from, (int) (end - from));
    }
}
