package com.postroom.deliverability;

/** How one check came out. The order is from good to bad; UNKNOWN means the check could not tell. */
public enum Status {
    OK, WARNING, MISSING, INVALID, UNKNOWN;

    /** A known status that is worse than {@code before}; UNKNOWN is no news, so never a change for the worse. */
    public boolean worseThan(Status before) {
        return this != UNKNOWN && before != UNKNOWN && severity() > before.severity();
    }

    /** 0 for OK, 1 for a warning, 2 for a problem (missing or invalid), -1 when unknown: the metric's value. */
    public int severity() {
        return switch (this) {
            case OK -> 0;
            case WARNING -> 1;
            case MISSING, INVALID -> 2;
            case UNKNOWN -> -1;
        };
    }
}
