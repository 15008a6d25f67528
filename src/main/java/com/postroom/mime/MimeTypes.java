package com.postroom.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.activation.DataSource;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParameterList;

/**
 * Content types as real mail writes them. Jakarta Mail refuses a Content-Type it cannot parse ("text; charset=..."
 * without a subtype, "charset=utf-8;;", a parameter without its semicolon, an unbalanced quote, a boundary parameter
 * cut off by a broken mailer), and then a whole message's text would be hidden in a nameless binary attachment. Here
 * such a header is read the way lenient readers do: the type where one is written ({@code text/plain} otherwise, as
 * RFC 2045 section 5.2 recommends for an unreadable Content-Type), and the parameters that matter picked out one by
 * one. A multipart whose header needed this is opened with the salvaged type, so its parts are found all the same.
 */
public final class MimeTypes {

    private static final String TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
    private static final Pattern TYPE = Pattern.compile("\\s*(" + TOKEN + ")\\s*/\\s*(" + TOKEN + ")");
    private static final Pattern PARAMETER = Pattern.compile(
            "(?i)(?:^|[;\\s])(boundary|charset|name|format|delsp|report-type|type|start)\\s*=\\s*(?:\"([^\"]*)\"?|([^;\\s\"]+))");

    private MimeTypes() {
    }

    /** The part's type; with no Content-Type at all, {@code fallback} (text/plain, or message/rfc822 in a digest). */
    public static ContentType of(Part part, String fallback) {
        String value = header(part);
        return value == null || value.isBlank() ? parse(fallback) : parse(value);
    }

    /** Whether Jakarta Mail reads this part's Content-Type itself (if not, {@link #of} salvaged it). */
    public static boolean isReadable(Part part) {
        String value = header(part);
        if (value == null) {
            return true;
        }
        try {
            new ContentType(value);
            return true;
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }

    /** A Content-Type header value, read strictly where it can be and salvaged where it cannot. */
    static ContentType parse(String value) {
        try {
            return new ContentType(value);
        } catch (MessagingException | RuntimeException e) {
            return salvage(value);
        }
    }

    static ContentType salvage(String value) {
        Matcher type = TYPE.matcher(value);
        ParameterList parameters = new ParameterList();
        Matcher p = PARAMETER.matcher(value);
        while (p.find()) {
            String name = p.group(1).toLowerCase(Locale.ROOT);
            if (parameters.get(name) == null) {
                parameters.set(name, p.group(2) != null ? p.group(2) : p.group(3));
            }
        }
        return type.lookingAt()
                ? new ContentType(type.group(1), type.group(2), parameters)
                : new ContentType("text", "plain", parameters);
    }

    /**
     * The part's multipart content. Through Jakarta Mail where it reads the header; otherwise parsed with the salvaged
     * type (a missing boundary is then the first line that starts with "--", see
     * {@code mail.mime.multipart.ignoremissingboundaryparameter}).
     */
    public static Multipart multipart(Part part) throws MessagingException, IOException {
        if (isReadable(part)) {
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                return multipart;
            }
            throw new MessagingException("not a multipart");
        }
        ContentType type = of(part, "text/plain");
        if (!type.getPrimaryType().equalsIgnoreCase("multipart")) {
            throw new MessagingException("not a multipart");
        }
        return new MimeMultipart(new Source(part, type.toString()));
    }

    private static String header(Part part) {
        try {
            String[] values = part.getHeader("Content-Type");
            return values == null || values.length == 0 ? null : values[0];
        } catch (MessagingException e) {
            return null;
        }
    }

    /** The part's transfer-decoded bytes under the salvaged type. */
    private record Source(Part part, String type) implements DataSource {
        @Override
        public InputStream getInputStream() throws IOException {
            try {
                return part.getInputStream();
            } catch (MessagingException e) {
                throw new IOException(e);
            }
        }

        @Override
        public OutputStream getOutputStream() {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public String getContentType() {
            return type;
        }

        @Override
        public String getName() {
            return "";
        }
    }
}
