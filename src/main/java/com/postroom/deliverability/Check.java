package com.postroom.deliverability;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one check: its status, one sentence that says what is wrong and how to fix it, the exact DNS record
 * to publish when one is missing or wrong, facts found on the way, and when it was checked.
 *
 * @param id           stable name, such as {@code spf} or {@code port:submission}; alerts and history key on it
 * @param title        what was checked, for people
 * @param record       the record to publish (zone-file syntax), or null
 * @param informational reported only; it never makes the report worse or raises an alert
 */
public record Check(String id, String title, Status status, String message, String record,
                    Map<String, Object> details, Instant checkedAt, boolean informational) {

    public static Builder of(String id, String title) {
        return new Builder(id, title);
    }

    /** Collects the facts of a check before its verdict. */
    public static final class Builder {
        private final String id;
        private final String title;
        private final Map<String, Object> details = new LinkedHashMap<>();
        private String record;
        private boolean informational;

        private Builder(String id, String title) {
            this.id = id;
            this.title = title;
        }

        public Builder detail(String key, Object value) {
            if (value != null) {
                details.put(key, value);
            }
            return this;
        }

        public Builder record(String record) {
            this.record = record;
            return this;
        }

        public Builder informational() {
            this.informational = true;
            return this;
        }

        public Check ok(String message) {
            return done(Status.OK, message);
        }

        public Check warning(String message) {
            return done(Status.WARNING, message);
        }

        public Check missing(String message) {
            return done(Status.MISSING, message);
        }

        public Check invalid(String message) {
            return done(Status.INVALID, message);
        }

        /** Nothing is known, so nothing is suggested: an UNKNOWN check carries no record to publish. */
        public Check unknown(String message) {
            record = null;
            return done(Status.UNKNOWN, message);
        }

        public Check done(Status status, String message) {
            return new Check(id, title, status, message, record, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details)), Instant.now(), informational);
        }
    }
}
