package com.postroom.inbound;

import java.util.List;

import com.postroom.mail.MailServer;

/** A mailbox Postroom syncs: which organization it belongs to, how to reach it, which folders. */
public record Mailbox(long id, long orgId, String source, MailServer server, List<String> folders) {

    public String name() {
        return server.username().orElse("?") + "@" + server.host() + ":" + server.port();
    }

    /** Junk and spam folders: everything fetched from them is spam, whatever its headers say. */
    public static boolean isJunk(String folder) {
        String f = folder.toLowerCase(java.util.Locale.ROOT);
        return f.equals("junk") || f.equals("spam") || f.endsWith("/junk") || f.endsWith(".junk")
                || f.endsWith("/spam") || f.endsWith(".spam");
    }
}
