package com.postroom.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.mail.util.SharedFileInputStream;

/**
 * The verbatim bytes of one message: in memory when small, in a temporary file when large, so that a 50 MB message
 * is parsed and stored without ever being held whole (the MIME parser reads a {@code SharedInputStream} in place).
 */
public final class RawMail implements AutoCloseable {

    /** Messages above this are spooled to disk. */
    public static final int IN_MEMORY_LIMIT = 2 * 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 1024 * 1024;

    private final byte[] bytes;
    private final Path file;
    private final long size;
    private byte[] headerBlock;
    private int bodyOffset = -1;
    /** Where the body starts by the first blank line, before any repair (the content key hashes from here). */
    private int verbatimBodyOffset = -1;
    private boolean separatorMissing;
    private byte[] bodySha256;

    private RawMail(byte[] bytes, Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    public static RawMail of(byte[] bytes) {
        return new RawMail(bytes, null, bytes.length);
    }

    /** Takes ownership of the file: it is deleted on {@link #close()}. */
    public static RawMail spooled(Path file) {
        try {
            return new RawMail(null, file, Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path newSpoolFile() throws IOException {
        return Files.createTempFile("postroom-inbound-", ".eml");
    }

    public long size() {
        return size;
    }

    public boolean inMemory() {
        return bytes != null;
    }

    /** The verbatim bytes, as a stream the MIME parser can share (parts are views into it, not copies). */
    public InputStream open() throws IOException {
        return bytes != null ? new UnlockedSharedBytes(bytes) : new SharedFileInputStream(file.toFile());
    }

    /**
     * The message as the MIME parser should read it: the verbatim bytes, except that a header section whose blank line
     * is missing ({@link #missingSeparator}) gets one where the body starts. Everything that finds parts by their path
     * reads through this, so the paths agree.
     */
    public InputStream openForMime() throws IOException {
        if (headerBlock == null) {
            readHeaderBlock();
        }
        if (!separatorMissing) {
            return open();
        }
        InputStream all = open();
        byte[] head = all.readNBytes(bodyOffset);
        boolean crlf = head.length >= 2 && head[head.length - 2] == '\r';
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(java.util.List.of(
                new java.io.ByteArrayInputStream(head),
                new java.io.ByteArrayInputStream(crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'}), all)));
    }

    /** Whether the header section had no blank line after it and one was supplied for parsing. */
    public boolean separatorMissing() {
        if (headerBlock == null) {
            readHeaderBlock();
        }
        return separatorMissing;
    }

    public void writeTo(OutputStream out) throws IOException {
        if (bytes != null) {
            out.write(bytes);
        } else {
            Files.copy(file, out);
        }
    }

    /** The header section, without the blank line that ends it (the whole message when there is none). */
    public byte[] headerBlock() {
        if (headerBlock == null) {
            readHeaderBlock();
        }
        return headerBlock;
    }

    /** Where the body starts; the message's length when it has no body. */
    public long bodyOffset() {
        if (headerBlock == null) {
            readHeaderBlock();
        }
        return bodyOffset;
    }

    private void readHeaderBlock() {
        scan();
        verbatimBodyOffset = bodyOffset;
        int body = missingSeparator(headerBlock, bodyOffset < size);
        if (body > 0) {
            separatorMissing = true;
            bodyOffset = body;
            int end = body;
            while (end > 0 && (headerBlock[end - 1] == '\n' || headerBlock[end - 1] == '\r')) {
                end--;
            }
            headerBlock = java.util.Arrays.copyOf(headerBlock, end);
        }
    }

    /**
     * Where the body of a message really starts whose header section has no blank line after it: a broken script that
     * writes the body straight after the headers (there is no empty line at all), or a "blank" line that holds a space
     * (which RFC 5322 reads as folding, so the body would be swallowed as headers). The body then starts at the first
     * line that is neither a field ("Name:"), nor a continuation, nor mbox's "From " line, as Python's email package
     * reads such mail, provided no field follows it. A stray line among headers that do end in an empty line is left
     * alone, as before.
     *
     * @param endsInEmptyLine whether the section was ended by an empty line
     * @return the offset of the line where the body starts, or -1 when the section is whole or this cannot be told
     */
    public static int missingSeparator(byte[] block, boolean endsInEmptyLine) {
        int bad = -1;
        boolean field = false;
        boolean afterSpaceLine = false;
        boolean previousSpaceLine = false;
        int start = 0;
        while (start < block.length) {
            int nl = start;
            while (nl < block.length && block[nl] != '\n') {
                nl++;
            }
            int end = nl > start && block[nl - 1] == '\r' ? nl - 1 : nl;
            if (end > start) {
                byte first = block[start];
                boolean continuation = first == ' ' || first == '\t';
                boolean mbox = start == 0 && end - start >= 5
                        && new String(block, 0, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("From ");
                if (isField(block, start, end)) {
                    if (bad >= 0) {
                        return -1;
                    }
                    field = true;
                } else if (!continuation && !mbox && bad < 0) {
                    if (!field) {
                        return -1;
                    }
                    bad = start;
                    afterSpaceLine = previousSpaceLine;
                }
                previousSpaceLine = continuation && isBlank(block, start, end);
            }
            start = nl + 1;
        }
        return bad >= 0 && (afterSpaceLine || !endsInEmptyLine) ? bad : -1;
    }

    private static boolean isBlank(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** "Name:" with a name of printable ASCII other than ':' (and spaces before the colon, as old mail has). */
    private static boolean isField(byte[] b, int start, int end) {
        int i = start;
        while (i < end && b[i] > 32 && b[i] < 127 && b[i] != ':') {
            i++;
        }
        if (i == start) {
            return false;
        }
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i < end && b[i] == ':';
    }

    private void scan() {
        if (bytes != null) {
            scanHeaderBlock();
            return;
        }
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int previous = -1;
            int beforePrevious = -1;
            int read = 0;
            int b;
            // A header block ends at the first empty line: LF LF, or CR LF CR LF.
            while ((b = in.read()) != -1 && read < MAX_HEADER_BYTES) {
                read++;
                if (b == '\n' && (previous == '\n' || (previous == '\r' && beforePrevious == '\n'))) {
                    byte[] all = head.toByteArray();
                    int end = all.length - (previous == '\r' ? 2 : 1);
                    headerBlock = java.util.Arrays.copyOf(all, Math.max(end, 0));
                    bodyOffset = read;
                    return;
                }
                head.write(b);
                beforePrevious = previous;
                previous = b;
            }
            headerBlock = head.toByteArray();
            bodyOffset = (int) Math.min(size, Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same scan as below, straight over the array. */
    private void scanHeaderBlock() {
        int limit = Math.min(bytes.length, MAX_HEADER_BYTES);
        for (int i = 1; i < limit; i++) {
            if (bytes[i] == '\n') {
                if (bytes[i - 1] == '\n') {
                    headerBlock = java.util.Arrays.copyOf(bytes, i - 1);
                    bodyOffset = i + 1;
                    return;
                }
                if (bytes[i - 1] == '\r' && i >= 2 && bytes[i - 2] == '\n') {
                    headerBlock = java.util.Arrays.copyOf(bytes, i - 2);
                    bodyOffset = i + 1;
                    return;
                }
            }
        }
        headerBlock = java.util.Arrays.copyOf(bytes, limit);
        bodyOffset = bytes.length;
    }

    private int verbatimBodyOffset() {
        if (headerBlock == null) {
            readHeaderBlock();
        }
        return verbatimBodyOffset;
    }

    /** SHA-256 of all the bytes, in hex: the identity of a message that could not be parsed. */
    public String sha256Hex() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            try (InputStream in = open()) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * SHA-256 of everything after the header block (as the blank line ends it, so keys never change). Computed once: a message's content key and its
     * legacy key both take it, and hashing a body twice was a twentieth of the IMAP sync's CPU (SHA-256 runs as plain
     * Java code under C1, at about 140 MB/s here).
     */
    public byte[] bodySha256() {
        if (bodySha256 == null) {
            bodySha256 = computeBodySha256();
        }
        return bodySha256.clone();
    }

    private byte[] computeBodySha256() {
        if (bytes != null) {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                int from = (int) Math.min(verbatimBodyOffset(), size);
                digest.update(bytes, from, bytes.length - from);
                return digest.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.min(verbatimBodyOffset(), size));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A temp file left behind is removed by the OS's temp cleanup.
            }
        }
    }
}
