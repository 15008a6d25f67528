package com.postroom.support;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;

/** What GreenMail delivered to INBOXes; Postroom's own Sent-folder copies do not count as deliveries. */
public final class Inboxes {

    private Inboxes() {
    }

    public static List<MimeMessage> withSubjectContaining(GreenMail greenMail, String part) {
        List<MimeMessage> out = new ArrayList<>();
        ImapHostManager imap = greenMail.getManagers().getImapHostManager();
        try {
            for (GreenMailUser user : greenMail.getUserManager().listUser()) {
                MailFolder inbox = imap.getInbox(user);
                for (var stored : inbox.getMessages()) {
                    MimeMessage m = stored.getMimeMessage();
                    if (m.getSubject() != null && m.getSubject().contains(part)) {
                        out.add(m);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
