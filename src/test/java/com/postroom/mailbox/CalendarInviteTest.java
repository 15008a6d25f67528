package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Calendar invitations as the big calendars write them, read for the card; anything malformed gives no card. */
public class CalendarInviteTest {

    public static final String OUTLOOK = String.join("\r\n", "BEGIN:VCALENDAR", "METHOD:REQUEST",
            "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0", "BEGIN:VTIMEZONE",
            "TZID:Eastern Standard Time", "BEGIN:STANDARD", "DTSTART:16010101T020000", "END:STANDARD",
            "END:VTIMEZONE", "BEGIN:VEVENT",
            "ORGANIZER;CN=\"Reyes, Dana\":mailto:dana.reyes@county.example",
            "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Billing:mailto:billing@postroom.test",
            "DESCRIPTION;LANGUAGE=en-US:Quarterly review of denied claims\\, with the\\n crew leads.",
            "UID:040000008200E00074C5B7101A82E00800000000",
            "SUMMARY;LANGUAGE=en-US:Claims review\\, Q4",
            "DTSTART;TZID=Eastern Standard Time:20261210T090000",
            "DTEND;TZID=Eastern Standard Time:20261210T103000",
            "LOCATION;LANGUAGE=en-US:Station 4\\, conference ro",
            " om B",
            "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:REMINDER", "TRIGGER;RELATED=START:-PT15M", "END:VALARM",
            "END:VEVENT", "END:VCALENDAR", "");

    @Test
    void outlooksInvitationWithAWindowsZoneAndFoldedLines() {
        CalendarInvite e = CalendarInvite.parse(OUTLOOK).orElseThrow();
        assertThat(e.summary()).isEqualTo("Claims review, Q4");
        assertThat(e.location()).isEqualTo("Station 4, conference room B");
        assertThat(e.organizer()).isEqualTo("Reyes, Dana <dana.reyes@county.example>");
        assertThat(e.when()).isEqualTo("Thu, Dec 10, 2026, 09:00 – 10:30 (America/New_York)");
        assertThat(e.kind()).isEqualTo("Invitation");
    }

    @Test
    void googlesInUtcAndAllDayEventsAndCancellations() {
        CalendarInvite utc = CalendarInvite.parse("BEGIN:VCALENDAR\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:a@google.com\n"
                + "DTSTART:20261210T140000Z\nDTEND:20261210T150000Z\nSUMMARY:Crew sync\n"
                + "ORGANIZER:mailto:ops@county.example\nEND:VEVENT\nEND:VCALENDAR\n").orElseThrow();
        assertThat(utc.when()).isEqualTo("Thu, Dec 10, 2026, 14:00 – 15:00 (UTC)");
        assertThat(utc.kind()).isEqualTo("Event cancelled");
        assertThat(utc.organizer()).isEqualTo("ops@county.example");
        assertThat(utc.location()).isNull();

        CalendarInvite days = CalendarInvite.parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\n"
                + "DTEND;VALUE=DATE:20261227\r\nSUMMARY:Office closed\r\nEND:VEVENT\r\nEND:VCALENDAR").orElseThrow();
        assertThat(days.when()).isEqualTo("Thu, Dec 24, 2026 – Sat, Dec 26, 2026 (all day)");
    }

    @Test
    void nothingUsableGivesNoCard() {
        assertThat(CalendarInvite.parse("")).isEmpty();
        assertThat(CalendarInvite.parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR"))
                .isEmpty();
        assertThat(CalendarInvite.parse("BEGIN:VEVENT\nDTSTART:not-a-date\nEND:VEVENT")).isEmpty();
        assertThat(CalendarInvite.parse("just text")).isEmpty();
        assertThat(CalendarInvite.parse("BEGIN:VEVENT\nDTSTART:20261210T090000\nSUMMARY:\u202Egnp.exe\nEND:VEVENT")
                .orElseThrow().summary()).as("bidi controls stripped").doesNotContain("\u202E");
    }
}
