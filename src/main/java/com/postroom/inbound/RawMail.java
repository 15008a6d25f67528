package com.postroom.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.mail.util.SharedByteArrayInputStream;
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

    /** A stream the MIME parser can share (parts are views into it, not copies). */
    public InputStream open() throws IOException {
        return bytes != null ? new SharedByteArrayInputStream(bytes) : new SharedFileInputStream(file.toFile());
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

    /** SHA-256 of everything after the header block. */
    public byte[] bodySha256() {
        if (bytes != null) {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                int from = (int) Math.min(bodyOffset(), size);
                digest.update(bytes, from, bytes.length - from);
                return digest.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.min(bodyOffset(), size));
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
