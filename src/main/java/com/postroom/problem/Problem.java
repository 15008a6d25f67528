package com.postroom.problem;

/**
 * Why a service cannot do what it was asked, in the domain's words: not found, refused with a reason, a conflict,
 * locked by a hold... Services throw these and know nothing of HTTP; the API's and the web UI's error handlers turn
 * each kind into a status and the one JSON error shape (or an error page). The sentence says what to fix. A
 * {@link #body} replaces the shape where the original API prescribes another (a 423 with the decision).
 */
public class Problem extends RuntimeException {

    /** What went wrong, as a caller can act on it. */
    public enum Kind {
        /** The request is malformed: a bad parameter, an unreadable value. */
        BAD_INPUT,
        /** No or a bad credential. */
        UNAUTHENTICATED,
        /** The caller may not do this. */
        FORBIDDEN,
        /** No such thing in the caller's organization. */
        NOT_FOUND,
        /** It exists already, or changed meanwhile. */
        CONFLICT,
        /** Something this needs is not set up (a recipient, SMTP). */
        PRECONDITION_FAILED,
        /** Larger than accepted. */
        TOO_LARGE,
        /** Understood, and refused for the reason given. */
        REFUSED,
        /** Kept by a legal hold or a retention period. */
        LOCKED,
        /** Too many attempts; try again later. */
        TOO_MANY,
        /** A feature this server does not have configured. */
        NOT_CONFIGURED,
        /** A server Postroom called (SMTP, IMAP) failed. */
        UPSTREAM_FAILED
    }

    private final Kind kind;
    private final transient Object body;

    public Problem(Kind kind, String detail) {
        this(kind, detail, null);
    }

    public Problem(Kind kind, String detail, Object body) {
        super(detail, null, false, false);
        this.kind = kind;
        this.body = body;
    }

    public static Problem badInput(String detail) {
        return new Problem(Kind.BAD_INPUT, detail);
    }

    public static Problem notFound(String detail) {
        return new Problem(Kind.NOT_FOUND, detail);
    }

    public static Problem refused(String detail) {
        return new Problem(Kind.REFUSED, detail);
    }

    public static Problem forbidden(String detail) {
        return new Problem(Kind.FORBIDDEN, detail);
    }

    /**
     * Two changes to the same rows met in the database (a deadlock) and this one was
     * undone whole: what the API and the pages tell the caller.
     */
    public static Problem collided() {
        return conflict("Another change to the same mail was being saved at that moment, so nothing was changed. "
                + "Try again.");
    }

    /**
     * The text of a request held a NUL character (\\u0000, valid in JSON), which PostgreSQL's text and jsonb cannot
     * store: its INSERT failed and nothing changed. What the API and the pages say instead of an internal error, when
     * {@link #isNulCharacter} recognises the failure.
     */
    public static Problem nulCharacter() {
        return badInput("The request contains a NUL character (\\u0000), which Postroom cannot store; remove it.");
    }

    /**
     * Whether this failure is PostgreSQL refusing a NUL character: "invalid byte sequence for encoding UTF8: 0x00"
     * (SQLSTATE 22021) for text, "unsupported Unicode escape sequence" (22P05) for jsonb. Java strings are UTF-16, so
     * a NUL is the only thing PostgreSQL's UTF-8 refuses in them.
     */
    public static boolean isNulCharacter(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && ("22P05".equals(sql.getSQLState())
                    || "22021".equals(sql.getSQLState()) && String.valueOf(sql.getMessage()).contains("0x00"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A request body larger than the server takes: the body's stream throws this when it is read past the limit
     * (api.RequestBodyLimit), so that nothing larger is ever held in memory, and the handlers answer 413 with
     * {@link #bodyTooLarge}.
     */
    public static final class BodyTooLarge extends java.io.IOException {
        private final long limit;

        public BodyTooLarge(long limit) {
            super("The request body is larger than " + limit + " bytes");
            this.limit = limit;
        }
    }

    /** The answer to a body read past its limit, or null when the failure is something else. */
    public static Problem bodyTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLarge b) {
                return new Problem(Kind.TOO_LARGE, "The request body is larger than this server accepts ("
                        + (b.limit / (1024 * 1024)) + " MB); send less at a time, such as a batch in smaller parts or "
                        + "large files as separate messages.");
            }
        }
        return null;
    }

    public static Problem conflict(String detail) {
        return new Problem(Kind.CONFLICT, detail);
    }

    public static Problem locked(String detail, Object body) {
        return new Problem(Kind.LOCKED, detail, body);
    }

    public Kind kind() {
        return kind;
    }

    /** The body the original API prescribes for this answer, or null for the usual {"detail": ...}. */
    public Object prescribedBody() {
        return body;
    }
}
