package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class AttachmentNamesTest {

    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000042");

    @Test
    void theMailsOwnNameWins() {
        assertThat(AttachmentNames.orDefault("Übersicht.pdf", "application/pdf", ID)).isEqualTo("Übersicht.pdf");
    }

    @Test
    void anUnnamedInvitationOpensInTheCalendarAndOtherPartsKeepTheirType() {
        assertThat(AttachmentNames.orDefault(null, "text/calendar", ID)).isEqualTo("invite.ics");
        assertThat(AttachmentNames.orDefault(" ", "Application/PDF", ID)).isEqualTo("attachment-" + ID + ".pdf");
        assertThat(AttachmentNames.orDefault(null, "application/x-unknown", ID)).isEqualTo("attachment-" + ID);
        assertThat(AttachmentNames.orDefault(null, null, ID)).isEqualTo("attachment-" + ID);
    }
}
