package com.postroom.mailbox;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.postroom.mime.DisplayNames;

/**
 * A calendar invitation (RFC 5545 VEVENT, as Outlook, Google Calendar and Apple Mail send it) read enough to show as a
 * card: what, when, where, who invites, and whether it is a request, a cancellation or a reply. Only what is shown is
 * read; the .ics stays a download for the calendar itself. Malformed or hostile files give no card, never an error.
 */
public record CalendarInvite(String uid, String summary, String when, String location, String organizer,
                             String method) {

    /** Bigger than any real invitation; a larger part is not read for a card. */
    static final int MAX_BYTES = 256 * 1024;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE, MMM d, yyyy", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** What the card's heading says the invitation is. */
    public String kind() {
        return switch (method) {
            case "CANCEL" -> "Event cancelled";
            case "REPLY" -> "Reply to an invitation";
            default -> "Invitation";
        };
    }

    public static Optional<CalendarInvite> parse(String ics) {
        if (ics == null || ics.length() > MAX_BYTES) {
            return Optional.empty();
        }
        String method = "REQUEST";
        boolean inEvent = false;
        int depth = 0;
        String uid = null;
        String summary = null;
        String location = null;
        String organizer = null;
        Moment start = null;
        Moment end = null;
        for (String line : unfold(ics)) {
            String name = nameOf(line);
            String value = valueOf(line);
            if (name.equals("BEGIN")) {
                if (value.equalsIgnoreCase("VEVENT") && uid == null && summary == null) {
                    inEvent = true;
                    depth = 0;
                } else if (inEvent) {
                    depth++; // a VALARM inside the event: its fields are not the event's
                }
                continue;
            }
            if (name.equals("END")) {
                if (inEvent && depth > 0) {
                    depth--;
                } else if (inEvent && value.equalsIgnoreCase("VEVENT")) {
                    break; // the first event is the invitation (the others are its exceptions)
                }
                continue;
            }
            if (!inEvent) {
                if (name.equals("METHOD")) {
                    method = value.strip().toUpperCase(Locale.ROOT);
                }
                continue;
            }
            if (depth > 0) {
                continue;
            }
            switch (name) {
                case "UID" -> uid = text(value);
                case "SUMMARY" -> summary = text(value);
                case "LOCATION" -> location = text(value);
                case "ORGANIZER" -> organizer = organizer(line, value);
                case "DTSTART" -> start = Moment.of(line, value);
                case "DTEND" -> end = Moment.of(line, value);
                default -> { }
            }
        }
        if (!inEvent || start == null) {
            return Optional.empty();
        }
        return Optional.of(new CalendarInvite(uid == null ? "" : uid, blankTo(summary, "(no title)"),
                when(start, end), blankTo(location, null), blankTo(organizer, null), method));
    }

    /** RFC 5545 §3.1: a line that starts with a space or a tab continues the one before. */
    private static List<String> unfold(String ics) {
        List<String> lines = new ArrayList<>();
        for (String raw : ics.split("\r\n|\n|\r")) {
            if ((raw.startsWith(" ") || raw.startsWith("\t")) && !lines.isEmpty()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + raw.substring(1));
            } else {
                lines.add(raw);
            }
        }
        return lines;
    }

    private static String nameOf(String line) {
        int colon = valueStart(line);
        String head = colon < 0 ? line : line.substring(0, colon);
        int semi = head.indexOf(';');
        return (semi < 0 ? head : head.substring(0, semi)).strip().toUpperCase(Locale.ROOT);
    }

    private static String valueOf(String line) {
        int colon = valueStart(line);
        return colon < 0 ? "" : line.substring(colon + 1);
    }

    /** The colon that ends the name and parameters: not one inside a quoted parameter value. */
    private static int valueStart(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ':' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String parameter(String line, String wanted) {
        int colon = valueStart(line);
        String head = colon < 0 ? line : line.substring(0, colon);
        for (String p : head.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(wanted)) {
                return p.substring(eq + 1).strip().replaceAll("^\"|\"$", "");
            }
        }
        return null;
    }

    /** TEXT values escape commas, semicolons, backslashes and new lines (§3.3.11). */
    private static String text(String value) {
        String s = value.replace("\\n", " ").replace("\\N", " ").replace("\\,", ",").replace("\\;", ";")
                .replace("\\\\", "\\").strip();
        return DisplayNames.safe(s.length() > 300 ? s.substring(0, 300) + "…" : s);
    }

    private static String organizer(String line, String value) {
        String name = parameter(line, "CN");
        String address = value.strip().replaceFirst("(?i)^mailto:", "");
        if (name != null && !name.isBlank()) {
            return text(name) + " <" + text(address) + ">";
        }
        return text(address);
    }

    private static String blankTo(String s, String otherwise) {
        return s == null || s.isBlank() ? otherwise : s;
    }

    private static String when(Moment start, Moment end) {
        if (start.allDay()) {
            LocalDate first = start.date();
            LocalDate last = end == null ? first : end.date().minusDays(1); // DTEND of a day is exclusive
            return last.isAfter(first) ? DAY.format(first) + " – " + DAY.format(last) + " (all day)"
                    : DAY.format(first) + " (all day)";
        }
        String zone = start.zone();
        String from = DAY.format(start.at()) + ", " + TIME.format(start.at());
        if (end == null || end.allDay()) {
            return from + zone;
        }
        ZonedDateTime until = end.at().withZoneSameInstant(start.at().getZone());
        return from + " – " + (until.toLocalDate().equals(start.at().toLocalDate()) ? TIME.format(until)
                : DAY.format(until) + ", " + TIME.format(until)) + zone;
    }

    /** A DTSTART or DTEND: a day, or a time in a named zone, in UTC, or floating (shown as written). */
    private record Moment(ZonedDateTime at, boolean allDay, String zone) {

        LocalDate date() {
            return at.toLocalDate();
        }

        static Moment of(String line, String value) {
            String v = value.strip();
            try {
                if ("DATE".equalsIgnoreCase(parameter(line, "VALUE")) || v.matches("\\d{8}")) {
                    LocalDate d = LocalDate.parse(v.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
                    return new Moment(d.atStartOfDay(ZoneOffset.UTC), true, "");
                }
                LocalDateTime local = LocalDateTime.parse(v.replace("Z", ""),
                        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
                if (v.endsWith("Z")) {
                    return new Moment(local.atZone(ZoneOffset.UTC), false, " (UTC)");
                }
                String tzid = parameter(line, "TZID");
                if (tzid != null) {
                    ZoneId zone = zoneOf(tzid);
                    if (zone != null) {
                        return new Moment(local.atZone(zone), false, " (" + zone.getId() + ")");
                    }
                    return new Moment(local.atZone(ZoneOffset.UTC), false, " (" + text(tzid) + ")");
                }
                return new Moment(local.atZone(ZoneOffset.UTC), false, "");
            } catch (DateTimeException | IndexOutOfBoundsException e) {
                return null;
            }
        }

        /** An IANA zone, or Outlook's Windows names for the common ones; null when unknown. */
        private static ZoneId zoneOf(String tzid) {
            try {
                return ZoneId.of(tzid.strip());
            } catch (DateTimeException e) {
                return switch (tzid.strip()) {
                    case "Eastern Standard Time" -> ZoneId.of("America/New_York");
                    case "Central Standard Time" -> ZoneId.of("America/Chicago");
                    case "Mountain Standard Time" -> ZoneId.of("America/Denver");
                    case "Pacific Standard Time" -> ZoneId.of("America/Los_Angeles");
                    case "GMT Standard Time" -> ZoneId.of("Europe/London");
                    case "W. Europe Standard Time" -> ZoneId.of("Europe/Berlin");
                    case "UTC" -> ZoneOffset.UTC;
                    default -> null;
                };
            }
        }
    }
}
