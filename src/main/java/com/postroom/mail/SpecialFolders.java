package com.postroom.mail;

import java.util.Locale;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;

import org.eclipse.angus.mail.imap.IMAPFolder;

/**
 * Finds a mailbox's folder for a role (Sent, Drafts, Trash, Junk, Archive): the one the server marks with that
 * SPECIAL-USE attribute (RFC 6154), else one with the usual name at the top or under a namespace prefix
 * ({@code INBOX.Drafts} on Courier-style servers), else the usual name, which the caller may create.
 */
public final class SpecialFolders {

    private SpecialFolders() {
    }

    /** @param attribute such as {@code \Drafts}; @param usualName such as {@code Drafts} */
    public static String find(Store store, String attribute, String usualName) throws MessagingException {
        Folder[] all = store.getDefaultFolder().list("*");
        for (Folder f : all) {
            if (f instanceof IMAPFolder imap) {
                for (String a : imap.getAttributes()) {
                    if (a.equalsIgnoreCase(attribute)) {
                        return f.getFullName();
                    }
                }
            }
        }
        String suffix = String.valueOf(store.getDefaultFolder().getSeparator()) + usualName.toLowerCase(Locale.ROOT);
        for (Folder f : all) {
            String name = f.getFullName();
            if (name.equalsIgnoreCase(usualName) || name.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                return name;
            }
        }
        return usualName;
    }
}
