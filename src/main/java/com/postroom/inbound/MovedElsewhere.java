package com.postroom.inbound;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.search.HeaderTerm;
import jakarta.mail.search.OrTerm;
import jakarta.mail.search.SearchTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import com.postroom.mail.SpecialFolders;
import com.postroom.mime.Addresses;

/**
 * Where another client put messages that left INBOX. Deleting in Mailu's webmail or a desktop client moves a message
 * to the server's Trash, "this is spam" moves it to Junk; neither folder is synced, so without looking there Postroom
 * could only guess "archived". The messages are looked up by Message-ID in the folders the server marks \Trash and
 * \Junk (SPECIAL-USE, else the usual names), a few dozen per IMAP SEARCH.
 */
final class MovedElsewhere {

    private static final int PER_SEARCH = 50;

    /** A message found in Trash or Junk: Postroom's folder for it and where it is on the server. */
    record Found(String postroomFolder, String serverFolder, long uidValidity, long uid, Set<String> flags) {
    }

    private MovedElsewhere() {
    }

    /** @return by Message-ID (as stored, with angle brackets), where each one found is now */
    static Map<String, Found> find(IMAPStore store, Set<String> messageIds) throws MessagingException {
        Map<String, Found> found = new HashMap<>();
        if (messageIds.isEmpty()) {
            return found;
        }
        for (String[] role : new String[][] {{"\\Trash", "Trash", "trash"}, {"\\Junk", "Junk", "spam"}}) {
            String name = SpecialFolders.find(store, role[0], role[1]);
            IMAPFolder folder = (IMAPFolder) store.getFolder(name);
            if (!folder.exists()) {
                continue;
            }
            folder.open(Folder.READ_ONLY);
            try {
                List<String> wanted = messageIds.stream().filter(id -> !found.containsKey(id)).toList();
                for (int from = 0; from < wanted.size(); from += PER_SEARCH) {
                    List<String> some = wanted.subList(from, Math.min(wanted.size(), from + PER_SEARCH));
                    for (Message m : folder.search(term(some))) {
                        String[] header = m.getHeader("Message-ID");
                        if (header == null) {
                            continue;
                        }
                        // SEARCH HEADER matches substrings; only the exact id counts.
                        String id = Addresses.messageIds(header[0]).stream().filter(messageIds::contains).findFirst()
                                .orElse(null);
                        if (id != null && !found.containsKey(id)) {
                            found.put(id, new Found(role[2], name, folder.getUIDValidity(), folder.getUID(m),
                                    ImapReader.flags(m.getFlags())));
                        }
                    }
                }
            } finally {
                folder.close(false);
            }
        }
        return found;
    }

    private static SearchTerm term(List<String> ids) {
        List<SearchTerm> terms = new ArrayList<>();
        for (String id : ids) {
            terms.add(new HeaderTerm("Message-ID", id));
        }
        return terms.size() == 1 ? terms.get(0) : new OrTerm(terms.toArray(SearchTerm[]::new));
    }
}
